import { roleProps } from '../platform/system';
/**
 * Accessibility props for a tappable View, right for each platform.
 *
 *   <View onClick={go} {...a11y({ role: 'button', label: '消息，3 条未读' })}>消息</View>
 *   <View onClick={toggle} {...a11y({ role: 'switch', checked: on, label: '长辈模式' })} />
 *
 * WeChat reads `aria-role` (its own attribute) and `aria-label`; in h5 `aria-role` means nothing to a screen
 * reader, so h5 gets the real ARIA `role`, `aria-label`, `aria-checked`/`aria-selected`, and `tabIndex` so the
 * element can be reached with a keyboard. Taro h5 passes unknown props through to the element as attributes.
 */
export type A11yRole = 'button' | 'link' | 'switch' | 'checkbox' | 'radio' | 'tab' | 'option';

export interface A11yOptions {
  role?: A11yRole;
  /** What a screen reader says; omit when the visible text already says it. */
  label?: string;
  /** For switch / checkbox / radio. */
  checked?: boolean;
  /** For tab / option. */
  selected?: boolean;
  disabled?: boolean;
}

export function a11y({ role = 'button', label, checked, selected, disabled }: A11yOptions = {}): Record<string, unknown> {
  const p = roleProps(role, disabled);
  if (label) p['aria-label'] = label;
  if (checked !== undefined) p['aria-checked'] = checked ? 'true' : 'false';
  if (selected !== undefined) p['aria-selected'] = selected ? 'true' : 'false';
  if (disabled) p['aria-disabled'] = 'true';
  return p;
}
