import { View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { isOfficer, ROLE_LABELS } from '@xiangan/shared';
import { useEffect, useRef, useState } from 'react';
import { BigTile, Loading, PageShell } from '../../components';
import { session, useSession } from '../../store/session';
import { LOGIN_PAGE } from '../../services/config';
import { hazardsApi } from '../../services/hazards';
import { notificationsApi } from '../../services/notifications';
import { publicityApi } from '../../services/publicity';
import './index.scss';
import { a11y } from '../../utils/a11y';
import { wechatIdentity } from '../../platform/system';
import { COLOR } from '../../styles/colors';

/** Resident entries (also shown to officers, smaller). */
const RESIDENT_TILES = [
  { title: '隐患随手拍', desc: '拍照上报隐患', icon: '拍', color: COLOR.danger, url: '/pages/report/index' },
  { title: '我的上报', desc: '查看处理进度', icon: '查', color: COLOR.primary, url: '/pages/my-reports/index' },
  { title: '签承诺书', desc: '防溺水·假期安全', icon: '签', color: COLOR.success, url: '/pages/pledges/index' },
  { title: '安全宣传', desc: '通知和安全知识', icon: '宣', color: COLOR.publicity, url: '/pages/feed/index' },
];

const OFFICER_TILES = [
  { title: '隐患台账', desc: '受理·交办·销号', icon: '账', color: COLOR.danger, url: '/officer/ledger/index' },
  { title: '承诺书活动', desc: '发起·查看未签', icon: '签', color: COLOR.success, url: '/officer/campaigns/index' },
  { title: '发布宣传', desc: '推送·查看阅读', icon: '宣', color: COLOR.publicity, url: '/officer/publish/index' },
  { title: '工作台账', desc: '检查·执法·演练', icon: '记', color: COLOR.fieldwork, url: '/officer/fieldwork/index' },
  { title: '统计与总结', desc: '数据·年度总结', icon: '统', color: COLOR.primary, url: '/officer/stats/index' },
  { title: '隐患地图', desc: '按位置查看隐患', icon: '图', color: COLOR.places, url: '/officer/map/index' },
];

const VILLAGE_ASKED_KEY = 'xa_village_asked';

export default function Home() {
  const { status, me, offline } = useSession();

  useEffect(() => {
    if (status === 'anon') Taro.reLaunch({ url: LOGIN_PAGE });
  }, [status]);

  // a resident without a village is asked once to pick one (their feed and reports depend on it)
  useEffect(() => {
    if (status !== 'ready' || !me || me.role !== 'resident' || me.orgId) return;
    const asked = Taro.getStorageSync(VILLAGE_ASKED_KEY);
    if (asked === me.id) return;
    Taro.setStorageSync(VILLAGE_ASKED_KEY, me.id);
    Taro.navigateTo({ url: '/pages/pick-village/index?first=1' });
  }, [status, me]);

  const [unread, setUnread] = useState(0);
  // what needs the user: residents — unread feed messages and acknowledgements not yet given; officers — reports
  // to accept, overdue and escalated hazards (the ledger's counts)
  const [feed, setFeed] = useState<{ unread: number; pendingAck: number } | null>(null);
  const [work, setWork] = useState<{ reported: number; overdue: number; escalated: number } | null>(null);
  // on the first show both the show hook and the ready effect call this: one round of requests, not two
  const lastRefresh = useRef(0);
  const refresh = () => {
    const s = session.get();
    if (s.status !== 'ready' || s.offline || !s.me) return;
    if (Date.now() - lastRefresh.current < 1500) return;
    lastRefresh.current = Date.now();
    session.refreshMe().catch(() => undefined);
    notificationsApi
      .list(1)
      .then((r) => setUnread(r.unread))
      .catch(() => undefined);
    if (isOfficer(s.me.role)) {
      hazardsApi
        .list({ page: 1, pageSize: 1 })
        .then((r) => setWork({ reported: r.counts.reported ?? 0, overdue: r.counts.overdue ?? 0, escalated: r.counts.escalated ?? 0 }))
        .catch(() => undefined);
    } else {
      publicityApi
        .unread()
        .then(setFeed)
        .catch(() => undefined);
    }
  };
  useDidShow(refresh);
  useEffect(refresh, [status]);

  if (status !== 'ready' || !me) {
    return (
      <PageShell>
        <Loading text="正在登录…" />
      </PageShell>
    );
  }

  const officer = isOfficer(me.role);
  const switchRole = () => Taro.navigateTo({ url: `${LOGIN_PAGE}?switch=1` });
  const logout = async () => {
    const r = await Taro.showModal({ title: '退出登录', content: '确定要退出吗？', confirmText: '退出', cancelText: '取消' });
    if (!r.confirm) return;
    session.logout();
    Taro.reLaunch({ url: LOGIN_PAGE });
  };
  const goLedger = () => Taro.navigateTo({ url: '/officer/ledger/index' });
  const goFeed = () => Taro.navigateTo({ url: '/pages/feed/index' });

  return (
    <PageShell flush heading={false}>
      <View className="home__head">
        <View className="home__hello">{officer ? '安全工作，辛苦了' : '您好，安全无小事'}</View>
        <View className="home__name">{me.name || '乡安用户'}</View>
        <View className="home__meta">
          <View className="home__role">{ROLE_LABELS[me.role] ?? me.role}</View>
          <View className="home__org">{me.orgName || '未选择所在村'}</View>
        </View>
        <View className="home__links">
          <View className="home__link" onClick={() => Taro.navigateTo({ url: '/pages/notices/index' })} {...a11y({ role: 'link' })}>
            消息{unread ? <View className="home__badge">{unread > 99 ? '99+' : unread}</View> : null}
          </View>
          <View className="home__link" onClick={() => Taro.navigateTo({ url: '/pages/me/index' })} {...a11y({ role: 'link' })}>
            我的
          </View>
          {!wechatIdentity || me.devLogin ? (
            <View className="home__link" onClick={switchRole} {...a11y()}>
              切换身份
            </View>
          ) : null}
          {!wechatIdentity ? (
            <View className="home__link" onClick={logout} {...a11y()}>
              退出
            </View>
          ) : null}
        </View>
      </View>

      <View className="home__body">
        {offline ? <View className="home__notice">当前网络不好，显示的是上次的信息</View> : null}
        {/* the counts box is drawn at once (figures '–' until they arrive) so the tiles under it never jump */}
        {officer ? (
          <View className="home__todo" id="home-todo">
            <View className="home__todo-item" onClick={goLedger} {...a11y({ role: 'link' })}>
              <View className="home__todo-n">{work ? work.reported : '–'}</View>
              <View className="home__todo-label">待受理</View>
            </View>
            <View className={`home__todo-item ${work?.overdue ? 'home__todo-item--warn' : ''}`} onClick={goLedger} {...a11y({ role: 'link' })}>
              <View className="home__todo-n">{work ? work.overdue : '–'}</View>
              <View className="home__todo-label">已逾期</View>
            </View>
            <View className="home__todo-item" onClick={goLedger} {...a11y({ role: 'link' })}>
              <View className="home__todo-n">{work ? work.escalated : '–'}</View>
              <View className="home__todo-label">上报县级</View>
            </View>
          </View>
        ) : (
          <View className="home__todo" id="home-todo" onClick={goFeed} {...a11y({ role: 'link' })}>
            <View className="home__todo-item">
              <View className="home__todo-n">{feed ? feed.unread : '–'}</View>
              <View className="home__todo-label">条未读消息</View>
            </View>
            <View className={`home__todo-item ${feed?.pendingAck ? 'home__todo-item--warn' : ''}`}>
              <View className="home__todo-n">{feed ? feed.pendingAck : '–'}</View>
              <View className="home__todo-label">条待确认</View>
            </View>
          </View>
        )}
        {officer ? (
          <>
            <View className="xa-tiles">
              {OFFICER_TILES.map((t) => (
                <BigTile key={t.url} {...t} />
              ))}
            </View>
            <View className="home__section">群众服务</View>
            {RESIDENT_TILES.map((t) => (
              <BigTile key={t.url} {...t} size="small" />
            ))}
          </>
        ) : (
          <>
            <View className="xa-tiles">
              {RESIDENT_TILES.map((t) => (
                <BigTile key={t.url} {...t} size="hero" badge={t.url === '/pages/feed/index' && feed ? feed.unread || undefined : undefined} />
              ))}
            </View>
            <View className="home__hotline">遇到紧急情况请直接拨打 119 / 110 / 120</View>
          </>
        )}
      </View>
    </PageShell>
  );
}
