import { Image, View } from '@tarojs/components';
import Taro, { useDidShow, useRouter, useShareAppMessage } from '@tarojs/taro';
import type { PledgeCampaignDetailDto, PledgeUnsignedDto } from '@xiangan/shared';
import { useState } from 'react';
import { Card, Empty, Loading, PageShell, PrimaryButton } from '../../components';
import { fetchBinary, openExport, pledgesApi, uploadRoster } from '../../services/pledges';
import { errorText, toastError } from '../../services/request';
import { a11y } from '../../utils/a11y';
import { beijingDate, beijingTime } from '../../utils/time';

const pct = (a: number, b: number) => (b ? `${Math.round((a / b) * 100)}%` : '—');

/** Officer: one campaign — progress by class/unit, unsigned list, reminder, roster import, share card + QR, exports. */
export default function Campaign() {
  const id = Number(useRouter().params.id);
  const [c, setC] = useState<PledgeCampaignDetailDto | null>(null);
  const [unsigned, setUnsigned] = useState<PledgeUnsignedDto[]>([]);
  const [unsignedTotal, setUnsignedTotal] = useState(0);
  const [group, setGroup] = useState<string | undefined>();
  const [qr, setQr] = useState('');
  const [err, setErr] = useState('');

  const load = async (g = group) => {
    try {
      const d = await pledgesApi.campaign(id);
      setC(d);
      if (d.rosterKind) {
        const u = await pledgesApi.unsigned(id, 1, g);
        setUnsigned(u.items);
        setUnsignedTotal(u.total);
      }
    } catch (e) {
      setErr(errorText(e));
    }
  };
  useDidShow(() => void load());

  useShareAppMessage(() => ({ title: c ? `请签署《${c.title}》` : '请签署承诺书', path: `/pages/pledge-sign/index?c=${id}` }));

  const importRoster = async () => {
    try {
      let res;
      if (process.env.TARO_ENV === 'h5') {
        const file = await new Promise<File | null>((resolve) => {
          const input = document.createElement('input');
          input.type = 'file';
          input.accept = '.xlsx,.csv';
          input.onchange = () => resolve(input.files?.[0] ?? null);
          input.click();
        });
        if (!file) return;
        res = await uploadRoster(id, file);
      } else {
        const picked = await Taro.chooseMessageFile({ count: 1, type: 'file', extension: ['xlsx', 'csv'] });
        res = await uploadRoster(id, picked.tempFiles[0].path, picked.tempFiles[0].name);
      }
      Taro.showToast({ title: `已导入 ${res.imported} 人`, icon: 'success' });
      await load();
    } catch (e) {
      Taro.showModal({ title: '名单没有导入', content: errorText(e), showCancel: false });
    }
  };

  const remind = async () => {
    try {
      const r = await pledgesApi.remind(id);
      Taro.showModal({ title: '已提醒', content: `未签 ${r.unsignedCount} 人，其中 ${r.notified} 人已在小程序内收到提醒。其余请把签署卡片转发到班级群。`, showCancel: false });
      await load();
    } catch (e) {
      toastError(e);
    }
  };

  const showQr = async () => {
    try {
      setQr(await fetchBinary(`/pledge-campaigns/${id}/qrcode`));
    } catch (e) {
      toastError(e);
    }
  };

  if (err) return <PageShell title='签署进度'><Empty text={err} /></PageShell>;
  if (!c) return <PageShell title='签署进度'><Loading /></PageShell>;
  const total = c.rosterCount;
  return (
    <PageShell title='签署进度' subtitle={`${c.title} · ${c.orgName}`}>
      <Card title={<View id='campaign-summary'>已签 {c.signedCount}{total ? ` / ${total}（${pct(c.signedCount, total)}）` : ' 份'}</View>}>
        <View style={{ fontSize: '30rpx', color: '#475569' }}>截止 {beijingDate(c.deadline)} · {c.status === 'open' ? '签署中' : c.status === 'expired' ? '已截止' : '已关闭'}</View>
        {c.lastReminderAt ? <View style={{ fontSize: '28rpx', color: '#64748b' }}>上次提醒 {beijingTime(c.lastReminderAt)}</View> : null}
      </Card>
      {c.progress?.length ? (
        <Card title={c.rosterKind === 'enterprise' ? '按单位' : '按班级'}>
          {c.progress.map((g) => (
            <View key={g.group} className='progress-row' style={{ display: 'flex', justifyContent: 'space-between', fontSize: '32rpx', padding: '16rpx 0', borderBottom: '1px solid #eef2f7' }} onClick={() => { setGroup(g.group); void load(g.group); }} {...a11y()}>
              <View>{g.group}</View>
              <View>{g.signed}{g.roster ? ` / ${g.roster}` : ''} {g.roster ? pct(g.signed, g.roster) : ''}</View>
            </View>
          ))}
        </Card>
      ) : null}
      {c.rosterKind ? (
        <Card title={<View id='unsigned-title'>未签名单 {unsignedTotal} 人{group ? `（${group}）` : ''}</View>} extra={group ? <View onClick={() => { setGroup(undefined); void load(''); }} {...a11y()}>全部</View> : undefined}>
          {unsigned.length ? unsigned.map((u) => (
            <View key={u.rosterId} className='unsigned-row' style={{ fontSize: '30rpx', padding: '12rpx 0' }}>{u.group} · {u.name} · {u.guardianName ?? ''} {u.phone ?? ''}</View>
          )) : <View style={{ fontSize: '30rpx' }}>全部签完了</View>}
          {unsignedTotal > unsigned.length ? <View style={{ fontSize: '26rpx', color: '#64748b' }}>仅显示前 {unsigned.length} 人，完整名单请导出 Excel</View> : null}
          {c.status === 'open' && unsignedTotal ? <PrimaryButton type='secondary' onClick={remind}>提醒未签家长</PrimaryButton> : null}
        </Card>
      ) : null}
      <Card title='分享到班级群'>
        {process.env.TARO_ENV === 'weapp' ? <PrimaryButton openType='share'>转发签署卡片</PrimaryButton> : (
          <View style={{ fontSize: '28rpx', wordBreak: 'break-all', color: '#334155' }}>签署链接：{c.shareUrl}</View>
        )}
        <PrimaryButton type='secondary' onClick={showQr}>显示签署二维码</PrimaryButton>
        {qr ? <Image src={qr} mode='widthFix' style={{ width: '480rpx', display: 'block', margin: '0 auto' }} showMenuByLongpress /> : null}
      </Card>
      <Card title='名单与导出'>
        {c.status !== 'closed' ? <PrimaryButton type='secondary' onClick={importRoster}>{c.rosterKind ? '重新导入名单' : '导入名单（Excel / CSV）'}</PrimaryButton> : null}
        <View style={{ fontSize: '26rpx', color: '#64748b', margin: '8rpx 0 16rpx' }}>学生名单列：学生姓名、班级、监护人、联系电话；企业名单列：单位名称、负责人、联系电话</View>
        <PrimaryButton type='secondary' id='export-pdf' onClick={() => openExport(`/pledge-campaigns/${id}/signatures.pdf${group ? `?group=${encodeURIComponent(group)}` : ''}`, `${c.title}.pdf`).catch(toastError)}>导出签名 PDF</PrimaryButton>
        <PrimaryButton type='secondary' onClick={() => openExport(`/pledge-campaigns/${id}/signatures.xlsx`, `${c.title}.xlsx`).catch(toastError)}>导出 Excel 汇总</PrimaryButton>
      </Card>
    </PageShell>
  );
}
