import { Image, Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { HAZARD_CATEGORY_LABELS } from '@xiangan/shared';
import { useState } from 'react';
import { Card, Empty, Loading, PageShell, PrimaryButton, StatusTag } from '../../components';
import { hazardsApi, mediaSrc, shortTime, statusText, statusTone } from '../../services/hazards';
import { usePagedRemote } from '../../hooks/use-remote';
import { countDrafts } from '../../utils/drafts';
import './index.scss';

export default function MyReportsPage() {
  const [drafts, setDrafts] = useState(0);
  const remote = usePagedRemote((page) => hazardsApi.list({ mine: true, page, pageSize: 20 }), [], { onShow: true });
  const items = remote.data?.items ?? null;
  useDidShow(() => setDrafts(countDrafts('hazard')));
  return (
    <PageShell title="我的上报">
      {drafts ? (
        <Card onClick={() => Taro.navigateTo({ url: '/pages/report/index' })}>
          <Text className="mr-draft">有 {drafts} 条草稿没发出去，点这里重新提交 ›</Text>
        </Card>
      ) : null}
      {!items ? <Loading error={remote.error} onRetry={remote.reload} /> : !items.length ? <Empty text="您还没有上报过隐患" /> : null}
      {(items ?? []).map((h) => (
        <Card
          key={h.id}
          onClick={() => Taro.navigateTo({ url: `/pages/hazard/index?id=${h.id}` })}
          title={HAZARD_CATEGORY_LABELS[h.category]}
          extra={<StatusTag text={statusText(h.status)} tone={statusTone(h.status)} />}
        >
          <View style={{ display: 'flex', gap: '16px' }}>
            {h.thumbUrl ? (
              <Image src={mediaSrc(h.thumbUrl)} mode="aspectFill" style={{ width: '140px', height: '140px', borderRadius: '12px', flexShrink: 0 }} />
            ) : null}
            <View className="xa-body-text" style={{ flex: 1 }}>
              <View>{h.description.slice(0, 40)}</View>
              <View className="xa-meta">
                {h.code}　{shortTime(h.reportedAt)}
              </View>
            </View>
          </View>
        </Card>
      ))}
      <PrimaryButton type="secondary" onClick={() => Taro.navigateTo({ url: '/pages/report/index' })}>
        我要上报新隐患
      </PrimaryButton>
    </PageShell>
  );
}
