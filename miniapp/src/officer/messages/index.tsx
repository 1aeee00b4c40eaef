import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { beijingTime } from '@xiangan/shared';
import { Card, Empty, Loading, PageShell, PrimaryButton, StatusTag } from '../../components';
import { useRemote } from '../../hooks/use-remote';
import { pct, publicityApi } from '../../services/publicity';
import '../publish/index.scss';

const TONE = { draft: 'default', scheduled: 'warning', published: 'success', withdrawn: 'danger' } as const;

/** Officer: messages of my units with how many read / acknowledged. */
export default function Messages() {
  const remote = useRemote(() => publicityApi.list({ pageSize: 50 }).then((r) => r.items), [], { onShow: true, pull: true });
  const items = remote.data;
  if (!items)
    return (
      <PageShell title="我发布的宣传">
        <Loading error={remote.error} onRetry={remote.reload} />
      </PageShell>
    );
  return (
    <PageShell title="我发布的宣传" footer={<PrimaryButton onClick={() => Taro.navigateTo({ url: '/officer/publish/index' })}>发布新宣传</PrimaryButton>}>
      {items.length ? (
        items.map((m) => (
          <Card
            key={m.id}
            title={m.title}
            extra={<StatusTag tone={TONE[m.status]} text={m.statusLabel} />}
            onClick={() => Taro.navigateTo({ url: m.status === 'draft' ? `/officer/publish/index?id=${m.id}` : `/officer/reach/index?id=${m.id}` })}
          >
            <View className="xa-meta pubc-meta">
              {m.categoryLabel} · {m.status === 'scheduled' ? `定时 ${beijingTime(m.scheduledAt)}` : beijingTime(m.publishedAt ?? m.updatedAt)}
              {m.status === 'published' ? (
                <View>
                  发送 {m.audienceSize ?? 0} 人 · 已读 {m.readCount}（{pct(m.readRate)}）
                  {m.ackRate != null ? ` · 已知晓 ${m.ackCount}（${pct(m.ackRate)}）` : ''}
                </View>
              ) : null}
            </View>
          </Card>
        ))
      ) : (
        <Empty text="还没有发布过宣传" actionText="发布第一条" onAction={() => Taro.navigateTo({ url: '/officer/publish/index' })} />
      )}
    </PageShell>
  );
}
