import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { beijingTime } from '@xiangan/shared';
import { Card, Empty, Loading, PageShell, StatusTag } from '../../components';
import { useRemote } from '../../hooks/use-remote';
import { pledgesApi } from '../../services/pledges';

/** Resident: pledges open to me, and the ones I have signed. */
export default function Pledges() {
  const remote = useRemote(
    async () => {
      const [c, m] = await Promise.all([pledgesApi.campaigns({ pageSize: 50 }), pledgesApi.mine()]);
      return { open: c.items.filter((x) => x.status === 'open' && !x.mySignatureId), mine: m.items };
    },
    [],
    { onShow: true },
  );
  if (!remote.data)
    return (
      <PageShell title="签承诺书">
        <Loading error={remote.error} onRetry={remote.reload} />
      </PageShell>
    );
  const { open, mine } = remote.data;
  return (
    <PageShell title="签承诺书">
      <View className="xa-page__sub">待我签署</View>
      {open.length ? (
        open.map((c) => (
          <Card
            key={c.id}
            title={c.title}
            extra={<StatusTag tone="warning" text="待签" />}
            onClick={() => Taro.navigateTo({ url: `/pages/pledge-sign/index?c=${c.id}` })}
          >
            <View className="xa-meta">
              {c.orgName} · 截止 {beijingTime(c.deadline).slice(0, 10)}
            </View>
          </Card>
        ))
      ) : (
        <Empty text="暂时没有要签的承诺书。老师或村里发来的链接、二维码也能直接打开签署。" />
      )}
      <View className="xa-page__sub">我已签署</View>
      {mine.length ? (
        mine.map((s) => (
          <Card
            key={s.id}
            title={s.campaignTitle}
            extra={<StatusTag tone="success" text="已签" />}
            onClick={() => Taro.navigateTo({ url: `/pages/pledge-view/index?id=${s.id}` })}
          >
            <View className="xa-meta">
              {s.fields.studentName ?? s.fields.unitName ?? s.fields.signerName ?? ''} · {beijingTime(s.signedAt)}
            </View>
          </Card>
        ))
      ) : (
        <Empty text="还没有签过承诺书" />
      )}
    </PageShell>
  );
}
