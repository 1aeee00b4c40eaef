/**
 * StatusTag — a short coloured label (state, level, overdue).
 * Props: text: string, tone?: 'default' | 'primary' | 'success' | 'warning' (overdue) | 'danger' (major / rejected).
 */
import { View } from '@tarojs/components';
import './styles.scss';

export type Tone = 'default' | 'primary' | 'success' | 'warning' | 'danger';

export interface StatusTagProps {
  text: string;
  tone?: Tone;
  className?: string;
}

export default function StatusTag({ text, tone = 'default', className }: StatusTagProps) {
  return <View className={`xa-tag xa-tag--${tone} ${className ?? ''}`}>{text}</View>;
}
