/**
 * PrivacyDialog — weapp only; PageShell renders it. Appears when WeChat asks for privacy consent
 * (see utils/privacy.ts) and passes the agree button's id back to WeChat. No props.
 */
import { View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { agreePrivacy, disagreePrivacy, onPrivacyRequest, openPrivacyContract, PRIVACY_SUMMARY } from '../platform/privacy';
import { a11y } from '../utils/a11y';
import PrimaryButton from './PrimaryButton';
import './styles.scss';

const AGREE_ID = 'xa-privacy-agree';

export default function PrivacyDialog() {
  const [visible, setVisible] = useState(false);
  useEffect(() => onPrivacyRequest((v) => setVisible(v)) as () => void, []);
  if (!visible) return null;
  return (
    <View className="xa-mask" catchMove>
      <View className="xa-dialog">
        <View className="xa-dialog__title">隐私保护提示</View>
        {PRIVACY_SUMMARY.map((p) => (
          <View key={p.item} className="xa-dialog__item">
            <View className="xa-dialog__item-name">{p.item}</View>
            {p.why}
          </View>
        ))}
        <View className="xa-dialog__link" onClick={openPrivacyContract} {...a11y({ role: 'link' })}>
          查看《乡安隐私保护指引》
        </View>
        <View className="xa-dialog__actions">
          <PrimaryButton type="secondary" onClick={disagreePrivacy}>
            不同意
          </PrimaryButton>
          <PrimaryButton id={AGREE_ID} openType="agreePrivacyAuthorization" onAgreePrivacyAuthorization={() => agreePrivacy(AGREE_ID)}>
            同意
          </PrimaryButton>
        </View>
      </View>
    </View>
  );
}
