import { View } from '@tarojs/components';
import type { ReactNode } from 'react';

export interface AdminColumn<T> {
  title: string;
  /** the row's name: drawn larger (the first line of a row's card on a phone) */
  main?: boolean;
  cell: (row: T) => ReactNode;
}

/**
 * The admin pages' table: a header row and one row per item on a wide screen; on a phone each row is a card whose
 * cells carry their own labels (admin.scss). `actions` fills a last 操作 column.
 */
export function AdminTable<T>(props: { columns: AdminColumn<T>[]; rows: T[]; rowKey: (row: T) => string | number; actions?: (row: T) => ReactNode }) {
  const { columns, rows, rowKey, actions } = props;
  return (
    <View className="adm__table">
      <View className="adm__head">
        {[...columns.map((c) => c.title), ...(actions ? ['操作'] : [])].map((h) => (
          <View key={h} className="adm__cell">
            {h}
          </View>
        ))}
      </View>
      {rows.map((row) => (
        <View key={rowKey(row)} className="adm__row">
          {columns.map((c) => (
            <View key={c.title} className="adm__cell">
              <View className="adm__cell-label">{c.title}</View>
              <View className={c.main ? 'adm__cell-value adm__main' : 'adm__cell-value'}>{c.cell(row)}</View>
            </View>
          ))}
          {actions ? <View className="adm__cell adm__actions">{actions(row)}</View> : null}
        </View>
      ))}
    </View>
  );
}
