/**
 * PageShell — the frame of every page.
 * Props: title?: string (sets the navigation bar title; also shown as a big heading when `heading`),
 *        heading?: boolean (show the title inside the page too; default true in h5, false in weapp where the nav bar shows it),
 *        subtitle?: ReactNode, footer?: ReactNode (fixed bottom bar, e.g. a PrimaryButton; the page gets room for it),
 *        flush?: boolean (no side padding), className?: string, children.
 * Also hosts <PrivacyDialog/> so WeChat's privacy prompt can appear on any page.
 */
import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, type ReactNode } from 'react';
import { useElder } from '../store/elder';
import { a11y } from '../utils/a11y';
import './styles.scss';
import { nativeTitleBar } from '../platform/system';
import { PlatformPrivacyDialog } from '../platform/ui';

export interface PageShellProps {
  title?: string;
  heading?: boolean;
  subtitle?: ReactNode;
  footer?: ReactNode;
  flush?: boolean;
  className?: string;
  children?: ReactNode;
}

/** h5 has no native navigation bar: offer 返回 (or 首页 when opened directly) beside the heading. */
function BackLink() {
  const pages = Taro.getCurrentPages();
  const route = pages.length ? (pages[pages.length - 1].route ?? '') : '';
  if (route.startsWith('pages/index/index') || route.startsWith('pages/login/index')) return null;
  const canBack = pages.length > 1;
  const go = () => (canBack ? Taro.navigateBack() : Taro.reLaunch({ url: '/pages/index/index' }));
  return (
    <View className="xa-page__back" onClick={go} {...a11y({ role: 'link', label: canBack ? '返回上一页' : '回到首页' })}>
      {canBack ? '‹ 返回' : '‹ 首页'}
    </View>
  );
}

export default function PageShell({ title, heading, subtitle, footer, flush, className, children }: PageShellProps) {
  useEffect(() => {
    if (title) Taro.setNavigationBarTitle({ title }).catch(() => undefined);
  }, [title]);
  const showHeading = heading ?? !nativeTitleBar;
  const elderOn = useElder();
  return (
    <View className={`xa-page ${elderOn ? 'xa-elder' : ''} ${footer ? 'xa-page--with-footer' : ''} ${className ?? ''}`}>
      {showHeading && title ? (
        <View className="xa-page__head">
          {nativeTitleBar ? null : <BackLink />}
          <View className="xa-page__title">{title}</View>
        </View>
      ) : null}
      {subtitle ? <View className="xa-page__sub">{subtitle}</View> : null}
      <View className={flush ? 'xa-page__body--flush' : 'xa-page__body'}>{children}</View>
      {footer ? <View className="xa-page__footer">{footer}</View> : null}
      <PlatformPrivacyDialog />
    </View>
  );
}
