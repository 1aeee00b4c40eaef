import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { NotificationDto } from '@xiangan/shared';
import { beijingTime } from '@xiangan/shared';
import { Card, Empty, Loading, PageShell, PrimaryButton } from '../../components';
import { notificationsApi } from '../../services/notifications';
import { usePagedRemote } from '../../hooks/use-remote';
import { toastError } from '../../services/request';
import './index.scss';

/** 消息提醒: what the server reminded this person of (整改期限, 签承诺书, 阅读宣传…), newest first. */
export default function NoticesPage() {
  const remote = usePagedRemote((page) => notificationsApi.list(page), [], { onShow: true });
  const items = remote.data?.items ?? null;
  const unread = remote.data?.unread ?? 0;

  const open = async (n: NotificationDto) => {
    if (!n.read) {
      await notificationsApi.read(n.id).catch(() => undefined);
      remote.setData((d) => d && { ...d, unread: Math.max(0, d.unread - 1), items: d.items.map((x) => (x.id === n.id ? { ...x, read: true } : x)) });
    }
    if (n.link) Taro.navigateTo({ url: n.link }).catch(() => Taro.showToast({ title: '该内容已无法打开', icon: 'none' }));
  };
  const readAll = () => notificationsApi.readAll().then(remote.reload, toastError);

  return (
    <PageShell
      title="消息提醒"
      subtitle={unread ? `${unread} 条未读` : '没有未读消息'}
      footer={
        unread ? (
          <PrimaryButton type="secondary" onClick={readAll}>
            全部标为已读
          </PrimaryButton>
        ) : undefined
      }
    >
      {items === null ? (
        <Loading error={remote.error} onRetry={remote.reload} />
      ) : items.length === 0 ? (
        <Empty text="还没有提醒。整改期限、签承诺书、阅读通知的提醒会出现在这里。" />
      ) : (
        items.map((n) => (
          <Card key={n.id} className={`nt-item ${n.read ? '' : 'nt-item--unread'}`} onClick={() => open(n)}>
            <View className="nt-item__title">
              {n.read ? null : <View className="nt-dot" />}
              {n.title}
            </View>
            {n.body ? <View className="nt-item__body">{n.body}</View> : null}
            <View className="nt-item__time">
              {beijingTime(n.createdAt).slice(5)}
              {n.link ? ' · 点击查看 ›' : ''}
            </View>
          </Card>
        ))
      )}
    </PageShell>
  );
}
