import { View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import type { PledgeCampaignDto, PledgeSignatureDto } from '@xiangan/shared';
import { useState } from 'react';
import { beijingTime } from '@xiangan/shared';
import { Card, Empty, Loading, PageShell, StatusTag } from '../../components';
import { pledgesApi } from '../../services/pledges';
import { toastError } from '../../services/request';

/** Resident: pledges open to me, and the ones I have signed. */
export default function Pledges() {
  const [open, setOpen] = useState<PledgeCampaignDto[] | null>(null);
  const [mine, setMine] = useState<PledgeSignatureDto[]>([]);
  useDidShow(() => {
    Promise.all([pledgesApi.campaigns({ pageSize: 50 }), pledgesApi.mine()])
      .then(([c, m]) => {
        setOpen(c.items.filter((x) => x.status === 'open' && !x.mySignatureId));
        setMine(m.items);
      })
      .catch(toastError);
  });
  if (!open)
    return (
      <PageShell title="签承诺书">
        <Loading />
      </PageShell>
    );
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
