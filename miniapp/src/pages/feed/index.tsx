import { Image, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { beijingTime } from '@xiangan/shared';
import { Card, Empty, Loading, PageShell, PrimaryButton, StatusTag } from '../../components';
import { apiUrl } from '../../services/config';
import { publicityApi } from '../../services/publicity';
import { usePagedRemote } from '../../hooks/use-remote';
import { askSubscribe, useSubscribeTemplates } from '../../services/subscribe';
import { useSession } from '../../store/session';
import './index.scss';
import { canSubscribe } from '../../platform/system';

/** Everyone: safety notices addressed to my village / unit, newest first. */
export default function Feed() {
  const remote = usePagedRemote((page) => publicityApi.feed(page, 20), [], { onShow: true });
  const [asked, setAsked] = useState(false);
  const { me } = useSession();
  useSubscribeTemplates();
  // residents also get pledge reminders; WeChat shows the dialog only when asked inside this tap
  const subscribe = async () => {
    const asking = askSubscribe(me?.role === 'resident' ? ['publicity', 'pledge'] : ['publicity']);
    setAsked(true);
    if ((await asking).length) Taro.showToast({ title: '有新提醒会通知您', icon: 'success' });
  };
  if (!remote.data)
    return (
      <PageShell title="安全宣传">
        <Loading error={remote.error} onRetry={remote.reload} />
      </PageShell>
    );
  const { items } = remote.data;
  return (
    <PageShell title="安全宣传">
      {canSubscribe && !asked ? (
        <View className="mb">
          <PrimaryButton type="secondary" onClick={subscribe}>
            有新的安全提醒时通知我
          </PrimaryButton>
        </View>
      ) : null}
      {items.length ? (
        items.map((m) => (
          <Card
            key={m.id}
            className="pub-card"
            title={
              <View className="pub-card__title">
                {!m.read ? <View className="pub-dot" aria-label="未读" /> : null}
                {m.title}
              </View>
            }
            extra={<StatusTag tone="primary" text={m.categoryLabel} />}
            onClick={() => Taro.navigateTo({ url: `/pages/message/index?id=${m.id}` })}
          >
            {m.coverUrl ? <Image className="pub-card__cover" src={apiUrl(m.coverUrl)} mode="aspectFill" lazyLoad /> : null}
            {m.summary ? <View className="pub-card__summary">{m.summary}</View> : null}
            <View className="pub-card__meta">
              {!m.read ? <StatusTag tone="danger" text="未读" /> : null}
              {m.publisherOrgName} · {beijingTime(m.publishedAt).slice(0, 10)}
              {m.ackRequired ? m.acked ? <StatusTag tone="success" text="已知晓" /> : <StatusTag tone="warning" text="请确认" /> : null}
              {m.remindedAt ? <StatusTag tone="danger" text="催阅" /> : null}
            </View>
          </Card>
        ))
      ) : (
        <Empty text="暂时没有发给您的安全宣传" />
      )}
      {items.length && !remote.more ? <View className="pub-end">没有更多了</View> : null}
    </PageShell>
  );
}
