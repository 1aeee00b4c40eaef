import { View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { beijingTime } from '@xiangan/shared';
import { Loading, PageShell, PrimaryButton, StatusTag } from '../../components';
import { publicityApi } from '../../services/publicity';
import { askSubscribe, useSubscribeTemplates } from '../../services/subscribe';
import { useRemote } from '../../hooks/use-remote';
import { toastError } from '../../services/request';
import MessageBody from './MessageBody';
import '../feed/index.scss';
import { canSubscribe } from '../../platform/system';

/** One notice: opening it marks it read; 已阅并知晓 when the sender asks for it. */
export default function MessagePage() {
  const id = Number(useRouter().params.id);
  const remote = useRemote(() => publicityApi.open(id), [id]);
  const { data: m, setData: setM } = remote;
  const [asked, setAsked] = useState(false);
  useSubscribeTemplates();
  // opening it marks it read (once it is on screen)
  const unread = m && !m.read;
  useEffect(() => {
    if (!unread) return;
    publicityApi
      .read(id)
      .then((r) => setM((x) => (x ? { ...x, read: true, readAt: r.readAt } : x)))
      .catch(() => undefined);
  }, [id, unread, setM]);
  if (!m)
    return (
      <PageShell title="安全宣传">
        <Loading error={remote.error} onRetry={remote.reload} />
      </PageShell>
    );
  const ack = async () => {
    if (!asked) askSubscribe(['publicity']); // first thing in the tap (weapp's consent dialog)
    setAsked(true);
    try {
      const r = await publicityApi.ack(id);
      setM({ ...m, acked: true, ackedAt: r.ackedAt, read: true });
      Taro.showToast({ title: '已确认，谢谢', icon: 'success' });
    } catch (e) {
      toastError(e);
    }
  };
  const subscribe = async () => {
    const asking = askSubscribe(['publicity']); // first thing in the tap: WeChat shows its dialog only here
    setAsked(true);
    if ((await asking).length) Taro.showToast({ title: '有新提醒会通知您', icon: 'success' });
  };
  const footer = m.ackRequired ? (
    m.acked ? (
      <View>
        <View className="pub-acked">✓ 您已阅并知晓（{beijingTime(m.ackedAt)}）</View>
        {canSubscribe && !asked ? (
          <PrimaryButton type="secondary" onClick={subscribe}>
            以后有新的安全提醒通知我
          </PrimaryButton>
        ) : null}
      </View>
    ) : (
      <View>
        <View className="pub-ack-hint">{m.publisherOrgName ?? '发布单位'}请您看完后点下面的按钮确认</View>
        {/* `disabled={false}` would still render a disabled-looking button in h5 (attribute present): pass undefined */}
        <PrimaryButton onClick={ack} disabled={m.inAudience ? undefined : true} id="ack-button">
          已阅并知晓
        </PrimaryButton>
      </View>
    )
  ) : canSubscribe && !asked ? (
    <PrimaryButton type="secondary" onClick={subscribe}>
      以后有新的安全提醒通知我
    </PrimaryButton>
  ) : null;
  return (
    <PageShell title="安全宣传" footer={footer}>
      <View className="pub-title">{m.title}</View>
      <View className="pub-meta">
        <StatusTag tone="primary" text={m.categoryLabel} />
        {m.publisherOrgName} · {beijingTime(m.publishedAt)}
      </View>
      <MessageBody body={m.body} />
    </PageShell>
  );
}
