/** Publicity (宣传推送). Request/response types live below the enums. */

export const MESSAGE_CATEGORIES = [
  { code: 'safety_month', label: '安全生产月' },
  { code: 'drowning', label: '防溺水' },
  { code: 'fire', label: '消防' },
  { code: 'gas', label: '燃气' },
  { code: 'food_safety', label: '食品安全' },
  { code: 'forest_fire', label: '森林防火' },
  { code: 'disaster', label: '防灾减灾' },
  { code: 'traffic', label: '交通' },
  { code: 'other', label: '其他' },
] as const;
export type MessageCategory = (typeof MESSAGE_CATEGORIES)[number]['code'];
export const MESSAGE_CATEGORY_LABELS = Object.fromEntries(MESSAGE_CATEGORIES.map((c) => [c.code, c.label])) as Record<
  MessageCategory,
  string
>;
