/**
 * Empty — shown when a list has nothing.
 * Props: text?: string (default '暂无内容'), actionText?: string, onAction?: () => void (a button under the text).
 */
import { View } from '@tarojs/components';
import PrimaryButton from './PrimaryButton';
import './styles.scss';

export interface EmptyProps {
  text?: string;
  actionText?: string;
  onAction?: () => void;
}

export default function Empty({ text = '暂无内容', actionText, onAction }: EmptyProps) {
  return (
    <View className="xa-empty">
      <View className="xa-empty__mark">空</View>
      <View>{text}</View>
      {actionText && onAction ? (
        <View className="xa-empty__action">
          <PrimaryButton type="secondary" onClick={onAction}>
            {actionText}
          </PrimaryButton>
        </View>
      ) : null}
    </View>
  );
}
