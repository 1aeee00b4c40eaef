import { View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { INVITATION_STATUS_LABELS } from '@xiangan/shared';
import { useState } from 'react';
import { Card, Loading, PageShell, PrimaryButton } from '../../components';
import { adminApi, invitationCodeFrom } from '../../services/admin';
import { HOME_PAGE, LOGIN_PAGE } from '../../services/config';
import { useRemote } from '../../hooks/use-remote';
import { errorText } from '../../services/request';
import { session, useSession } from '../../store/session';
import './index.scss';

/**
 * An invitation (link, ordinary QR `q=…`, mini-program code `scene=…`, share card `code=…`): shows the role and unit,
 * then binds the signed-in person (weapp: the silent WeChat login) to them.
 */
export default function Invite() {
  const router = useRouter();
  const code = invitationCodeFrom(router.params as Record<string, string | undefined>);
  const { status, me } = useSession();
  const [done, setDone] = useState(false);
  const remote = useRemote(() => (code ? adminApi.previewInvitation(code) : Promise.resolve(null)), [code]);
  const preview = remote.data;
  const error = code ? remote.error : '链接里没有邀请码，请向邀请人重新索取';

  const login = () => {
    const back = `/pages/invite/index?code=${encodeURIComponent(code)}`;
    return Taro.navigateTo({ url: `${LOGIN_PAGE}?redirect=${encodeURIComponent(back)}` });
  };

  const accept = async () => {
    try {
      await adminApi.acceptInvitation(code);
      await session.refreshMe();
      setDone(true);
    } catch (e) {
      Taro.showModal({ title: '没有成功', content: errorText(e), showCancel: false });
    }
  };

  if (error) {
    return (
      <PageShell title="接受邀请">
        <Card title="邀请不可用">
          <View className="invite__bad">{error}</View>
          {code ? (
            <PrimaryButton type="secondary" onClick={remote.reload}>
              重新加载
            </PrimaryButton>
          ) : null}
          <PrimaryButton type="secondary" onClick={() => Taro.reLaunch({ url: HOME_PAGE })}>
            回到首页
          </PrimaryButton>
        </Card>
      </PageShell>
    );
  }
  if (!preview || status === 'loading') {
    return (
      <PageShell title="接受邀请">
        <Loading />
      </PageShell>
    );
  }
  const usable = preview.status === 'active';
  return (
    <PageShell title="接受邀请">
      <Card title={done ? '已加入' : '您被邀请担任'}>
        <View className="invite__role">{preview.roleLabel}</View>
        <View className="invite__org">{preview.orgName ?? '全县'}</View>
        {done ? (
          <>
            <View className="invite__note">
              您现在是「{me?.orgName ?? preview.orgName ?? ''}」的{preview.roleLabel}。
            </View>
            <PrimaryButton onClick={() => Taro.reLaunch({ url: HOME_PAGE })}>进入工作台</PrimaryButton>
          </>
        ) : !usable ? (
          <View className="invite__bad">此邀请{INVITATION_STATUS_LABELS[preview.status]}，请向邀请人重新索取。</View>
        ) : status !== 'ready' ? (
          <>
            <View className="invite__note">请先用微信登录，再接受邀请。</View>
            <PrimaryButton onClick={login}>微信登录</PrimaryButton>
          </>
        ) : (
          <>
            <View className="invite__note">
              接受后，您的身份将变为{preview.roleLabel}。当前登录：{me?.name || '微信用户'}
            </View>
            <PrimaryButton id="invite-accept" onClick={accept}>
              接受邀请
            </PrimaryButton>
          </>
        )}
      </Card>
    </PageShell>
  );
}
