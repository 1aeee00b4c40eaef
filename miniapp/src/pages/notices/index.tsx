import { View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import type { NotificationDto } from '@xiangan/shared';
import { useState } from 'react';
import { beijingTime } from '@xiangan/shared';
import { Card, Empty, Loading, PageShell, PrimaryButton } from '../../components';
import { notificationsApi } from '../../services/notifications';
import { toastError } from '../../services/request';
import './index.scss';

/** 消息提醒: what the server reminded this person of (整改期限, 签承诺书, 阅读宣传…), newest first. */
export default function NoticesPage() {
  const [items, setItems] = useState<NotificationDto[] | null>(null);
  const [unread, setUnread] = useState(0);
  const [page, setPage] = useState(1);
  const [total, setTotal] = useState(0);

  const load = async (p = 1) => {
    const r = await notificationsApi.list(p);
    setItems((prev) => (p === 1 || !prev ? r.items : [...prev, ...r.items]));
    setUnread(r.unread);
    setTotal(r.total);
    setPage(p);
  };
  useDidShow(() => void load(1).catch(toastError));
  usePullDownRefresh(
    () =>
      void load(1)
        .catch(toastError)
        .finally(() => Taro.stopPullDownRefresh()),
  );
  useReachBottom(() => {
    if (items && items.length < total) void load(page + 1).catch(toastError);
  });

  const open = async (n: NotificationDto) => {
    if (!n.read) {
      await notificationsApi.read(n.id).catch(() => undefined);
      setItems((xs) => xs?.map((x) => (x.id === n.id ? { ...x, read: true } : x)) ?? null);
      setUnread((u) => Math.max(0, u - 1));
    }
    if (n.link) Taro.navigateTo({ url: n.link }).catch(() => Taro.showToast({ title: '该内容已无法打开', icon: 'none' }));
  };
  const readAll = async () => {
    await notificationsApi.readAll();
    await load(1);
  };

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
        <Loading />
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
