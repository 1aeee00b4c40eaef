/**
 * PageShell — the frame of every page.
 * Props: title?: string (sets the navigation bar title; also shown as a big heading when `heading`),
 *        heading?: boolean (show the title inside the page too; default true in h5, false in weapp where the nav bar shows it),
 *        subtitle?: ReactNode, footer?: ReactNode (sticky bottom area, e.g. a PrimaryButton),
 *        flush?: boolean (no side padding), className?: string, children.
 * Also hosts <PrivacyDialog/> so WeChat's privacy prompt can appear on any page.
 */
import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, type ReactNode } from 'react';
import PrivacyDialog from './PrivacyDialog';
import './styles.scss';

export interface PageShellProps {
  title?: string;
  heading?: boolean;
  subtitle?: ReactNode;
  footer?: ReactNode;
  flush?: boolean;
  className?: string;
  children?: ReactNode;
}

export default function PageShell({ title, heading, subtitle, footer, flush, className, children }: PageShellProps) {
  useEffect(() => {
    if (title) Taro.setNavigationBarTitle({ title }).catch(() => undefined);
  }, [title]);
  const showHeading = heading ?? process.env.TARO_ENV === 'h5';
  return (
    <View className={`xa-page ${className ?? ''}`}>
      {showHeading && title ? <View className='xa-page__title'>{title}</View> : null}
      {subtitle ? <View className='xa-page__sub'>{subtitle}</View> : null}
      <View className={flush ? 'xa-page__body--flush' : 'xa-page__body'}>{children}</View>
      {footer ? <View className='xa-page__footer'>{footer}</View> : null}
      {process.env.TARO_ENV === 'weapp' ? <PrivacyDialog /> : null}
    </View>
  );
}
