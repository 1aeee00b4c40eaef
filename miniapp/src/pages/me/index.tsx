import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { maskPhone, ROLE_LABELS } from '@xiangan/shared';
import { Card, Loading, PageShell, PrimaryButton, Toggle } from '../../components';
import { LOGIN_PAGE } from '../../services/config';
import { elder, useElder } from '../../store/elder';
import { session, useSession } from '../../store/session';
import { openPrivacyContract, PRIVACY_SUMMARY } from '../../platform/privacy';
import './index.scss';
import { a11y } from '../../utils/a11y';
import { hasPrivacyGuide } from '../../platform/system';

export default function Me() {
  const { me } = useSession();
  const elderOn = useElder();
  if (!me) {
    return (
      <PageShell title="我的">
        <Loading />
      </PageShell>
    );
  }
  const resident = me.role === 'resident';
  const logout = async () => {
    const r = await Taro.showModal({ title: '退出登录', content: '确定要退出吗？', confirmText: '退出', cancelText: '取消' });
    if (!r.confirm) return;
    session.logout();
    Taro.reLaunch({ url: LOGIN_PAGE });
  };

  return (
    <PageShell title="我的">
      <Card title="个人信息">
        <View className="me__row">
          <View className="me__label">姓名</View>
          <View className="me__value">{me.name || '未填写'}</View>
        </View>
        <View className="me__row">
          <View className="me__label">身份</View>
          <View className="me__value">{ROLE_LABELS[me.role] ?? me.role}</View>
        </View>
        <View className="me__row">
          <View className="me__label">手机号</View>
          <View className="me__value">{maskPhone(me.phone) || '未填写'}</View>
        </View>
        <View
          className="me__row"
          onClick={resident ? () => Taro.navigateTo({ url: '/pages/pick-village/index' }) : undefined}
          {...(resident ? a11y({ role: 'link' }) : {})}
        >
          <View className="me__label">{resident ? '所在村（社区）' : '所在单位'}</View>
          <View className="me__value">
            {me.orgName || '未选择'}
            {resident ? <View className="me__change">更换 ›</View> : null}
          </View>
        </View>
      </Card>

      {me.role === 'admin' || me.role === 'town_officer' ? (
        <PrimaryButton type="secondary" onClick={() => Taro.navigateTo({ url: '/admin/index/index' })}>
          管理：单位、邀请干部、人员
        </PrimaryButton>
      ) : null}
      <Card title="看得清、点得准">
        <Toggle id="elder-switch" checked={elderOn} onChange={(v) => elder.set(String(me.id), v)}>
          <View className="me__switch-name">长辈模式</View>
          <View className="me__switch-desc">字更大，按钮更大。手机字体调大时会自动打开</View>
        </Toggle>
      </Card>

      <Card title="隐私保护指引">
        <View className="me__privacy-item">乡安只在您使用相关功能时收集下列信息，只用于乡镇安全工作，不会用于其他用途：</View>
        {PRIVACY_SUMMARY.map((p) => (
          <View key={p.item} className="me__privacy-item">
            <View className="me__privacy-name">{p.item}</View>
            {p.why}
          </View>
        ))}
        <View className="me__privacy-item">匿名上报的隐患，工作人员也看不到您的姓名。</View>
        {hasPrivacyGuide ? (
          <PrimaryButton type="plain" onClick={openPrivacyContract}>
            查看完整《隐私保护指引》
          </PrimaryButton>
        ) : null}
      </Card>

      <PrimaryButton type="secondary" onClick={logout}>
        退出登录
      </PrimaryButton>
      <View className="me__version">乡安 v0.1</View>
    </PageShell>
  );
}
