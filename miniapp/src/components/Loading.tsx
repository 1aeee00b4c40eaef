/**
 * Loading — a spinner with text, for a whole page or a section; or, when loading failed, what went wrong and a
 * 重新加载 button (a weak network should never leave a page spinning or dead-ended).
 * Props: text?: string (default '正在加载…'), error?: string, onRetry?: () => void.
 */
import { View } from '@tarojs/components';
import PrimaryButton from './PrimaryButton';
import './styles.scss';

export interface LoadingProps {
  text?: string;
  error?: string;
  onRetry?: () => void;
}

export default function Loading({ text = '正在加载…', error, onRetry }: LoadingProps) {
  if (error)
    return (
      <View className="xa-loading" role="alert">
        <View>{error}</View>
        {onRetry ? (
          <View className="xa-empty__action">
            <PrimaryButton type="secondary" onClick={onRetry}>
              重新加载
            </PrimaryButton>
          </View>
        ) : null}
      </View>
    );
  return (
    <View className="xa-loading">
      <View className="xa-loading__dot" />
      <View>{text}</View>
    </View>
  );
}
