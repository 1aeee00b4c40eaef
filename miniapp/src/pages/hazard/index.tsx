import { Textarea, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { Card, Loading, PageShell, PrimaryButton } from '../../components';
import { useRemote } from '../../hooks/use-remote';
import { hazardsApi } from '../../services/hazards';
import { toastError } from '../../services/request';
import { HazardHead, Timeline } from './HazardView';

/** The reporter follows a report; "没修好" reopens a closed one within 30 days. */
export default function HazardPage() {
  const id = Number(useRouter().params.id);
  const remote = useRemote(() => hazardsApi.detail(id), [id], { onShow: true });
  const { data: h, setData: setH } = remote;
  const [note, setNote] = useState('');
  const [reopening, setReopening] = useState(false);
  if (!h)
    return (
      <PageShell title="隐患详情">
        <Loading error={remote.error} onRetry={remote.reload} />
      </PageShell>
    );
  const canReopen = h.actions.includes('reopen') && !h.askReporter;
  const fixed = async () => {
    try {
      setH(await hazardsApi.confirm(id, { fixed: true }));
      Taro.showToast({ title: '谢谢您的确认', icon: 'success' });
    } catch (err) {
      toastError(err);
    }
  };
  const reopen = async () => {
    if (!note.trim()) return Taro.showToast({ title: '请说一说哪里没修好', icon: 'none' });
    try {
      // 没修好 answers the questionnaire (the same reopen as 重新反映), or reopens a hazard whose question was answered
      setH(h.askReporter ? await hazardsApi.confirm(id, { fixed: false, note: note.trim() }) : await hazardsApi.act(id, 'reopen', { note: note.trim() }));
      setReopening(false);
      setNote('');
      Taro.showToast({ title: '已重新提交，工作人员会再处理', icon: 'none' });
    } catch (err) {
      toastError(err);
    }
  };
  return (
    <PageShell title="隐患详情">
      <HazardHead h={h} />
      {h.askReporter && !reopening ? (
        <Card title="修好了吗？">
          <View className="lp-text">工作人员已销号。请您看一看，问题真的解决了吗？</View>
          <View className="lp-actions">
            <PrimaryButton onClick={fixed}>修好了</PrimaryButton>
            <PrimaryButton type="danger" onClick={() => setReopening(true)}>
              没修好
            </PrimaryButton>
          </View>
        </Card>
      ) : null}
      {canReopen && !reopening ? (
        <PrimaryButton type="danger" onClick={() => setReopening(true)}>
          没修好，重新反映
        </PrimaryButton>
      ) : null}
      {reopening ? (
        <Card title="哪里没修好？">
          <Textarea className="xa-textarea" value={note} maxlength={500} onInput={(e) => setNote(e.detail.value)} placeholder="例如：护栏又倒了" />
          <View style={{ height: '16px' }} />
          <PrimaryButton onClick={reopen}>提交</PrimaryButton>
        </Card>
      ) : null}
      <Timeline h={h} />
    </PageShell>
  );
}
