import { View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { ROLE_LABELS } from '@xiangan/shared';
import { useEffect, useState } from 'react';
import { Empty, Loading, PageShell, PrimaryButton } from '../../components';
import { authApi, type DevAccount } from '../../services/auth';
import { HOME_PAGE } from '../../services/config';
import { ApiError, safeRedirect, toastError } from '../../services/request';
import { session, useSession } from '../../store/session';
import { a11y } from '../../utils/a11y';
import './index.scss';
import { wechatIdentity } from '../../platform/system';
import { COLOR } from '../../styles/colors';

export default function Login() {
  const router = useRouter();
  const switching = router.params.switch === '1';
  // the page a link opened before the login (QR code, share card, subscribe message): back there afterwards
  const target = safeRedirect(router.params.redirect) ?? HOME_PAGE;
  const goOn = () => Taro.reLaunch({ url: target });
  const { status, me } = useSession();
  const [accounts, setAccounts] = useState<DevAccount[] | null>(null);
  const [devOff, setDevOff] = useState(false);
  const [busy, setBusy] = useState('');

  // already logged in (e.g. weapp silent login finished) → home, unless the user came to switch roles
  useEffect(() => {
    if (status === 'ready' && !switching) goOn();
  }, [status, switching]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    authApi
      .devAccounts()
      .then(setAccounts)
      .catch((err) => {
        if (err instanceof ApiError && (err.statusCode === 404 || err.statusCode === 403)) setDevOff(true);
        else toastError(err);
        setAccounts([]);
      });
  }, []);

  const pick = async (a: DevAccount) => {
    if (busy) return;
    setBusy(a.openid);
    try {
      await session.loginDev(a.openid);
      goOn();
    } catch (err) {
      toastError(err);
    } finally {
      setBusy('');
    }
  };

  const wechatLogin = async () => {
    try {
      await session.loginWechat();
      goOn();
    } catch (err) {
      toastError(err);
    }
  };

  const residents = (accounts ?? []).filter((a) => a.role === 'resident');
  const officers = (accounts ?? []).filter((a) => a.role !== 'resident');

  const row = (a: DevAccount, color: string) => (
    <View
      key={a.openid}
      className={`login__acct ${me && a.name === me.name && a.role === me.role ? 'login__acct--current' : ''}`}
      onClick={() => pick(a)}
      {...a11y({ role: 'button' })}
    >
      <View className="login__avatar" style={{ background: color }}>
        {(a.name ?? '?').slice(0, 1)}
      </View>
      <View className="login__who">
        <View className="login__name">{a.name ?? a.openid}</View>
        <View className="login__role">
          {ROLE_LABELS[a.role] ?? a.role}
          {a.orgName ? ` · ${a.orgName}` : ''}
        </View>
      </View>
      <View className="login__go">{busy === a.openid ? '登录中…' : '进入 ›'}</View>
    </View>
  );

  return (
    <PageShell flush heading={false}>
      <View className="login__brand">
        <View className="login__logo">乡安</View>
        <View className="login__slogan">乡镇安全生产 · 隐患随手拍 · 承诺书</View>
      </View>
      <View className="login__body">
        {wechatIdentity ? (
          <View className="mb">
            <PrimaryButton onClick={wechatLogin}>微信一键登录</PrimaryButton>
          </View>
        ) : null}

        {accounts === null ? <Loading /> : null}

        {accounts && accounts.length ? (
          <>
            <View className="login__tip">演示环境：点一下选择身份进入</View>
            {residents.length ? <View className="login__group">村民 / 家长</View> : null}
            {residents.map((a) => row(a, COLOR.success))}
            {officers.length ? <View className="login__group">工作人员</View> : null}
            {officers.map((a) => row(a, COLOR.primary))}
          </>
        ) : null}

        {accounts && !accounts.length && !wechatIdentity ? <Empty text={devOff ? '演示登录未开启，请在微信中打开“乡安”小程序' : '暂无演示账号'} /> : null}

        {/* under the accounts once they are known: drawn earlier, the list arriving would push it down (a layout shift) */}
        {accounts !== null || wechatIdentity ? <View className="login__foot">登录即表示您同意《乡安隐私保护指引》</View> : null}
      </View>
    </PageShell>
  );
}
