/**
 * PrimaryButton — a big button (≥ 96px tall in the 750 design).
 * Props: children, onClick?: () => void | Promise<unknown> (while a returned promise runs the button shows
 *        loading and ignores taps — no double submits), type?: 'primary' | 'secondary' | 'danger' | 'plain',
 *        size?: 'normal' | 'small', block?: boolean (default true), disabled?: boolean, loading?: boolean,
 *        openType?: Button open-type (e.g. 'agreePrivacyAuthorization', 'share'), id?: string, className?: string.
 */
import { Button } from '@tarojs/components';
import type { ButtonProps } from '@tarojs/components';
import { useState, type ReactNode } from 'react';
import './styles.scss';

export interface PrimaryButtonProps {
  children?: ReactNode;
  onClick?: () => void | Promise<unknown>;
  type?: 'primary' | 'secondary' | 'danger' | 'plain';
  size?: 'normal' | 'small';
  block?: boolean;
  disabled?: boolean;
  loading?: boolean;
  openType?: ButtonProps['openType'];
  id?: string;
  className?: string;
  onAgreePrivacyAuthorization?: ButtonProps['onAgreePrivacyAuthorization'];
  /** With openType='getPhoneNumber' (weapp): receives `detail.code` for the server to exchange. */
  onGetPhoneNumber?: ButtonProps['onGetPhoneNumber'];
}

export default function PrimaryButton(props: PrimaryButtonProps) {
  const { children, onClick, type = 'primary', size = 'normal', block = true, disabled, loading, openType, id, className } = props;
  const [busy, setBusy] = useState(false);
  const isLoading = !!loading || busy;
  const tap = async () => {
    if (disabled || isLoading || !onClick) return;
    const r = onClick();
    if (r && typeof (r as Promise<unknown>).then === 'function') {
      setBusy(true);
      try {
        await r;
      } catch {
        /* the caller shows its own error */
      } finally {
        setBusy(false);
      }
    }
  };
  const cls = [
    'xa-btn',
    `xa-btn--${type}`,
    block ? 'xa-btn--block' : '',
    size === 'small' ? 'xa-btn--small' : '',
    disabled ? 'xa-btn--disabled' : '',
    className ?? '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <Button
      id={id}
      className={cls}
      // Taro h5 renders disabled={false} as the attribute disabled="false", which CSS reads as disabled: pass
      // the prop only when true.
      disabled={disabled ? true : undefined}
      loading={isLoading || undefined}
      openType={openType}
      onClick={tap}
      onAgreePrivacyAuthorization={props.onAgreePrivacyAuthorization}
      onGetPhoneNumber={props.onGetPhoneNumber}
      hoverClass="none"
    >
      {children}
    </Button>
  );
}
