import { Text, View } from '@tarojs/components';
import type { ReactNode } from 'react';
import { a11y } from '../utils/a11y';

/**
 * One row of an officer register's list (field records, incidents): a title line and a grey line under it
 * (`officer/fieldwork/index.scss`), a button for screen readers when tapping it does something.
 */
export function RecordItem(props: { title: ReactNode; sub: ReactNode; onTap?: () => void }) {
  return (
    <View className="fw-item" onClick={props.onTap} {...(props.onTap ? a11y() : {})}>
      <Text className="fw-item-title">{props.title}</Text>
      <Text className="fw-item-sub">{props.sub}</Text>
    </View>
  );
}
