/**
 * Toggle — an on/off row: the words on the left, a large switch on the right; the whole row is the tap target
 * (≥ 48 CSS px) and is announced as a switch with its state (Taro's <Switch> has no accessible name in h5).
 * Props: checked: boolean, onChange: (next: boolean) => void, children (the words), id?, className?.
 */
import { View } from '@tarojs/components';
import type { ReactNode } from 'react';
import { a11y } from '../utils/a11y';
import './styles.scss';

export interface ToggleProps {
  checked: boolean;
  onChange: (next: boolean) => void;
  children?: ReactNode;
  id?: string;
  className?: string;
}

export default function Toggle({ checked, onChange, children, id, className }: ToggleProps) {
  return (
    <View
      id={id}
      className={`xa-toggle ${checked ? 'xa-toggle--on' : ''} ${className ?? ''}`}
      onClick={() => onChange(!checked)}
      {...a11y({ role: 'switch', checked })}
    >
      <View className="xa-toggle__text">{children}</View>
      <View className="xa-toggle__track">
        <View className="xa-toggle__knob" />
      </View>
    </View>
  );
}
