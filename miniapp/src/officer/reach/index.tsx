import { View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { Card, Loading, PageShell, PrimaryButton, StatusTag } from '../../components';
import { pct, publicityApi } from '../../services/publicity';
import { useRemote } from '../../hooks/use-remote';
import { toastError } from '../../services/request';
import './index.scss';
import { a11y } from '../../utils/a11y';

/** Officer: who received, read and acknowledged a message, by unit; remind the units lagging behind. */
export default function Reach() {
  const { id: idRaw, orgId: orgRaw } = useRouter().params;
  const id = Number(idRaw);
  const [orgId, setOrgId] = useState<number | undefined>(orgRaw ? Number(orgRaw) : undefined);
  const remote = useRemote(() => publicityApi.stats(id, orgId), [id, orgId]);
  const s = remote.data;
  const load = remote.reload;
  if (!s)
    return (
      <PageShell title="到达情况">
        <Loading error={remote.error} onRetry={remote.reload} />
      </PageShell>
    );
  const lagging = s.units.filter((u) => u.lagging);
  const remind = async () => {
    try {
      const r = await publicityApi.remind(
        id,
        lagging.map((u) => u.orgId),
      );
      Taro.showModal({
        title: '已催阅',
        content: `提醒了 ${r.reminded.length} 个单位、${r.reminded.reduce((a, u) => a + u.users, 0)} 人${r.skipped.length ? `；${r.skipped.length} 个单位一小时内已提醒过` : ''}`,
        showCancel: false,
      });
      await load();
    } catch (e) {
      toastError(e);
    }
  };
  const withdraw = async () => {
    const ok = await Taro.showModal({ title: '撤回这条宣传？', content: '撤回后村民将看不到它，记录会保留。' });
    if (!ok.confirm) return;
    try {
      await publicityApi.withdraw(id);
      await load();
    } catch (e) {
      toastError(e);
    }
  };
  const main = s.ackRequired ? '已阅并知晓' : '已读';
  const shownUnits = s.units.filter((u) => u.audience > 0);
  const empty = s.units.length - shownUnits.length;
  return (
    <PageShell
      title="到达情况"
      footer={
        s.status === 'published' ? (
          <View className="reach-actions">
            <PrimaryButton block={false} type="secondary" onClick={withdraw}>
              撤回
            </PrimaryButton>
            <PrimaryButton block={false} className="reach-actions__main" onClick={remind} disabled={lagging.length ? undefined : true} id="remind-button">
              催阅落后单位（{lagging.length}）
            </PrimaryButton>
          </View>
        ) : null
      }
    >
      <Card title="总体">
        <View className="reach-kpis">
          <View className="reach-kpi">
            <View className="reach-kpi__n">{s.audienceSize}</View>
            <View>应收人数</View>
          </View>
          <View className="reach-kpi">
            <View className="reach-kpi__n">{s.delivered}</View>
            <View>微信送达</View>
          </View>
          <View className="reach-kpi">
            <View className="reach-kpi__n" id="reach-read">
              {s.read}
            </View>
            <View>已读（{pct(s.readRate)}）</View>
          </View>
          {s.ackRequired ? (
            <View className="reach-kpi">
              <View className="reach-kpi__n" id="reach-acked">
                {s.acked}
              </View>
              <View>已知晓（{pct(s.ackRate)}）</View>
            </View>
          ) : null}
        </View>
      </Card>
      <Card
        title={s.breakdownOf ? `${s.breakdownOf.name} 各单位` : '各单位'}
        extra={
          orgId ? (
            <View className="reach-link" onClick={() => setOrgId(undefined)} {...a11y()}>
              返回上级
            </View>
          ) : null
        }
      >
        {shownUnits.map((u) => (
          <View key={u.orgId + u.name} className="reach-row" onClick={() => u.hasChildren && setOrgId(u.orgId)} {...a11y()}>
            <View className="reach-row__name">
              {u.name}
              {u.hasChildren ? ' ›' : ''}
            </View>
            <View className="reach-row__bar">
              <View className="reach-row__fill" style={{ width: pct(s.ackRequired ? u.ackRate : u.readRate).replace('—', '0%') }} />
            </View>
            <View className="reach-row__nums">
              {s.ackRequired ? `${u.acked}/${u.audience}` : `${u.read}/${u.audience}`} {u.lagging ? <StatusTag tone="danger" text="落后" /> : null}
            </View>
          </View>
        ))}
        {empty ? <View className="reach-note">另有 {empty} 个单位没有要收这条宣传的人</View> : null}
      </Card>
      {s.notAcknowledged.length ? (
        <Card title={`还没有人${main}的单位（${s.notAcknowledged.length}）`}>
          {s.notAcknowledged.map((u) => (
            <View key={u.orgId} className="reach-silent">
              {u.name}（{u.audience} 人）
            </View>
          ))}
        </Card>
      ) : null}
    </PageShell>
  );
}
