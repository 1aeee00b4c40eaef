import { View } from '@tarojs/components';
import { PrimaryButton } from '../components';

/** 保存 and 取消 at the foot of an admin page's edit card (修改「…」). */
export function SaveCancel(props: { onSave: () => void | Promise<unknown>; onCancel: () => void }) {
  return (
    <View className="adm__actions">
      <PrimaryButton size="small" block={false} onClick={props.onSave}>
        保存
      </PrimaryButton>
      <PrimaryButton type="secondary" size="small" block={false} onClick={props.onCancel}>
        取消
      </PrimaryButton>
    </View>
  );
}
