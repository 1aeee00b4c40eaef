/**
 * Loading — a spinner with text, for a whole page or a section.
 * Props: text?: string (default '正在加载…').
 */
import { View } from '@tarojs/components';
import './styles.scss';

export default function Loading({ text = '正在加载…' }: { text?: string }) {
  return (
    <View className="xa-loading">
      <View className="xa-loading__dot" />
      <View>{text}</View>
    </View>
  );
}
