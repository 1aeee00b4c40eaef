import { Image, Input, View } from '@tarojs/components';
import Taro, { useRouter, useShareAppMessage } from '@tarojs/taro';
import { beijingDate, beijingTime, maskName, PLEDGE_CAMPAIGN_STATUS_LABELS, type PledgeSignatureDto, type PledgeVerifyResult } from '@xiangan/shared';
import { useState } from 'react';
import { Card, Loading, PageShell, PrimaryButton } from '../../components';
import { pickFile } from '../../platform/files';
import { canShareCard } from '../../platform/system';
import { fetchBinary, openExport, pledgesApi, uploadRoster } from '../../services/pledges';
import { useRemote } from '../../hooks/use-remote';
import { errorText, toastError } from '../../services/request';
import { pledgeShareCard } from '../../services/share';
import { a11y } from '../../utils/a11y';
import './index.scss';

const pct = (a: number, b: number) => (b ? `${Math.round((a / b) * 100)}%` : '—');
const subject = (s: PledgeSignatureDto) => maskName(s.fields.studentName ?? s.fields.unitName ?? s.fields.signerName ?? s.fields.principalName ?? '') ?? '';

/** Officer: one campaign — progress by class/unit, unsigned list, reminder, roster import, share card + QR, exports. */
export default function Campaign() {
  const id = Number(useRouter().params.id);
  const [group, setGroup] = useState<string | undefined>();
  const [qr, setQr] = useState('');
  const [voiding, setVoiding] = useState<number | null>(null);
  const [reason, setReason] = useState('');
  // chain status: the cheap chain check on every visit, the full one (every image re-hashed) on 校验
  const [chain, setChain] = useState<{ r: PledgeVerifyResult; at: string } | null>(null);
  const [checking, setChecking] = useState(false);

  // the campaign, its unsigned list (of the chosen class/unit) and the signed ones; again on every show
  const remote = useRemote(
    async () => {
      const c = await pledgesApi.campaign(id);
      const u = c.rosterKind ? await pledgesApi.unsigned(id, 1, group) : null;
      const signed = (await pledgesApi.signatures(id)).items;
      // a failed status check leaves the rest of the page usable (校验 retries it)
      void pledgesApi.verify(id, false).then(
        (r) => setChain({ r, at: new Date().toISOString() }),
        () => setChain(null),
      );
      return { c, unsigned: u?.items ?? [], unsignedTotal: u?.total ?? 0, signed };
    },
    [id, group],
    { onShow: true },
  );
  const load = remote.reload;

  const checkChain = async () => {
    setChecking(true);
    try {
      setChain({ r: await pledgesApi.verify(id, true), at: new Date().toISOString() });
    } catch (e) {
      toastError(e);
    } finally {
      setChecking(false);
    }
  };

  // a designed image, never a screenshot of this page (it lists the children who have not signed)
  useShareAppMessage(() => pledgeShareCard(id, remote.data?.c.title));

  const importRoster = async () => {
    try {
      const picked = await pickFile(['xlsx', 'csv']);
      if (!picked) return;
      const res = await uploadRoster(id, picked);
      Taro.showToast({ title: `已导入 ${res.imported} 人`, icon: 'success' });
      await load();
    } catch (e) {
      Taro.showModal({ title: '名单没有导入', content: errorText(e), showCancel: false });
    }
  };

  const remind = async () => {
    try {
      const r = await pledgesApi.remind(id);
      Taro.showModal({
        title: '已提醒',
        content: `未签 ${r.unsignedCount} 人，其中 ${r.notified} 人已在小程序内收到提醒。其余请把签署卡片转发到班级群。`,
        showCancel: false,
      });
      await load();
    } catch (e) {
      toastError(e);
    }
  };

  const voidOne = async (s: PledgeSignatureDto) => {
    const why = reason.trim();
    if (why.length < 2) return Taro.showToast({ title: '请写明作废原因', icon: 'none' });
    const ok = await Taro.showModal({
      title: '确认作废',
      content: `作废第 ${s.seq} 份签名（${subject(s)}）？作废后记入签名链，原签名保留，可由监护人重新签署。`,
      confirmText: '作废',
    });
    if (!ok.confirm) return;
    try {
      await pledgesApi.voidSignature(s.id, why);
      Taro.showToast({ title: '已作废', icon: 'success' });
      setVoiding(null);
      setReason('');
      await load();
    } catch (e) {
      Taro.showModal({ title: '没有作废', content: errorText(e), showCancel: false });
    }
  };

  const showQr = async () => {
    try {
      setQr(await fetchBinary(`/pledge-campaigns/${id}/qrcode`));
    } catch (e) {
      toastError(e);
    }
  };

  if (!remote.data)
    return (
      <PageShell title="签署进度">
        <Loading error={remote.error} onRetry={remote.reload} />
      </PageShell>
    );
  const { c, unsigned, unsignedTotal, signed } = remote.data;
  const total = c.rosterCount;
  return (
    <PageShell title="签署进度" subtitle={`${c.title} · ${c.orgName}`}>
      <Card
        title={
          <View id="campaign-summary">
            已签 {c.signedCount}
            {total ? ` / ${total}（${pct(c.signedCount, total)}）` : ' 份'}
          </View>
        }
      >
        <View className="xa-meta">
          截止 {beijingDate(c.deadline)} · {PLEDGE_CAMPAIGN_STATUS_LABELS[c.status]}
        </View>
        {c.lastReminderAt ? <View className="cp-note">上次提醒 {beijingTime(c.lastReminderAt)}</View> : null}
      </Card>
      {c.progress?.length ? (
        <Card title={c.rosterKind === 'enterprise' ? '按单位' : '按班级'}>
          {c.progress.map((g) => (
            <View
              key={g.group}
              className="progress-row cp-row cp-row--split"
              onClick={() => {
                setGroup(g.group);
              }}
              {...a11y()}
            >
              <View>{g.group}</View>
              <View>
                {g.signed}
                {g.roster ? ` / ${g.roster}` : ''} {g.roster ? pct(g.signed, g.roster) : ''}
              </View>
            </View>
          ))}
        </Card>
      ) : null}
      {c.rosterKind ? (
        <Card
          title={
            <View id="unsigned-title">
              未签名单 {unsignedTotal} 人{group ? `（${group}）` : ''}
            </View>
          }
          extra={
            group ? (
              <View
                onClick={() => {
                  setGroup(undefined);
                }}
                {...a11y()}
              >
                全部
              </View>
            ) : undefined
          }
        >
          {unsigned.length ? (
            unsigned.map((u) => (
              <View key={u.rosterId} className="unsigned-row cp-row">
                {u.group} · {u.name} · {u.guardianName ?? ''} {u.phone ?? ''}
              </View>
            ))
          ) : (
            <View className="cp-row">全部签完了</View>
          )}
          {unsignedTotal > unsigned.length ? <View className="cp-note">仅显示前 {unsigned.length} 人，完整名单请导出 Excel</View> : null}
          {c.status === 'open' && unsignedTotal ? (
            <PrimaryButton type="secondary" onClick={remind}>
              提醒未签家长
            </PrimaryButton>
          ) : null}
        </Card>
      ) : null}
      {signed.length ? (
        <Card title={<View id="signed-title">已签名单（点一份可作废）</View>}>
          {signed.map((s) => (
            <View key={s.id}>
              <View className={`signed-row cp-row ${s.void ? 'cp-row--void' : ''}`} onClick={() => !s.void && setVoiding(voiding === s.id ? null : s.id)}>
                第 {s.seq} 份 · {s.group ?? ''} · {subject(s)} · {beijingTime(s.signedAt).slice(5)}
                {s.void ? `（已作废：${s.void.reason}）` : ''}
              </View>
              {voiding === s.id ? (
                <View className="cp-pad">
                  <Input
                    className="xa-input"
                    id="void-reason"
                    value={reason}
                    maxlength={200}
                    placeholder="作废原因，例如：非监护人代签"
                    onInput={(e) => setReason(e.detail.value)}
                  />
                  <PrimaryButton type="danger" id="void-submit" onClick={() => voidOne(s)}>
                    作废这份签名
                  </PrimaryButton>
                </View>
              ) : null}
            </View>
          ))}
        </Card>
      ) : null}
      <Card title={<View id="chain-status">签名链：{!chain ? '未校验' : chain.r.ok ? '完整' : `发现问题：${chain.r.problemCount} 处`}</View>}>
        {chain ? (
          <View className="cp-note">
            {chain.r.images ? `已逐张核对 ${chain.r.images.checked} 张签名图片` : '只核对了签名记录，签名图片未逐张核对'} · 共 {chain.r.count} 环 · 校验于{' '}
            {beijingTime(chain.at).slice(5)}（北京时间）
          </View>
        ) : null}
        {chain?.r.firstBroken ? (
          <View className="chain-problem cp-problem">
            签名链在第 {chain.r.firstBroken.seq} 环断开：{chain.r.firstBroken.reason}
          </View>
        ) : null}
        {chain?.r.images?.problems.map((p) => (
          <View key={`${p.id}-${p.role}`} className="chain-problem cp-problem">
            {p.reason}
          </View>
        ))}
        {chain?.r.images?.unlisted ? <View className="cp-problem cp-problem--more">另有 {chain.r.images.unlisted} 张图片有问题未列出</View> : null}
        <PrimaryButton type="secondary" id="chain-verify" disabled={checking} onClick={checkChain}>
          {checking ? '正在校验…' : '校验（含全部签名图片）'}
        </PrimaryButton>
      </Card>
      <Card title="分享到班级群">
        {canShareCard ? <PrimaryButton openType="share">转发签署卡片</PrimaryButton> : <View className="cp-link">签署链接：{c.shareUrl}</View>}
        <PrimaryButton type="secondary" onClick={showQr}>
          显示签署二维码
        </PrimaryButton>
        {qr ? <Image src={qr} mode="widthFix" className="cp-qr" showMenuByLongpress /> : null}
      </Card>
      <Card title="名单与导出">
        {c.status !== 'closed' ? (
          <PrimaryButton type="secondary" onClick={importRoster}>
            {c.rosterKind ? '重新导入名单' : '导入名单（Excel / CSV）'}
          </PrimaryButton>
        ) : null}
        <View className="cp-note">学生名单列：学生姓名、班级、监护人、联系电话；企业名单列：单位名称、负责人、联系电话</View>
        <PrimaryButton
          type="secondary"
          id="export-pdf"
          onClick={() =>
            openExport(`/pledge-campaigns/${id}/signatures.pdf${group ? `?group=${encodeURIComponent(group)}` : ''}`, `${c.title}.pdf`).catch(toastError)
          }
        >
          导出签名 PDF
        </PrimaryButton>
        <PrimaryButton type="secondary" onClick={() => openExport(`/pledge-campaigns/${id}/signatures.xlsx`, `${c.title}.xlsx`).catch(toastError)}>
          导出 Excel 汇总
        </PrimaryButton>
      </Card>
    </PageShell>
  );
}
