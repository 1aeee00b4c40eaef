/** Pledges (承诺书) and responsibility letters (责任书). Request/response types live below the enums. */

export const PLEDGE_KINDS = [
  'drowning',
  'holiday_safety',
  'production_responsibility',
  'fire_food_responsibility',
  'food_drug_coordinator',
] as const;
export type PledgeKind = (typeof PLEDGE_KINDS)[number];

export const PLEDGE_KIND_LABELS: Record<PledgeKind, string> = {
  drowning: '防溺水承诺书',
  holiday_safety: '假期安全承诺书',
  production_responsibility: '安全生产责任书',
  fire_food_responsibility: '消防及食品安全责任书',
  food_drug_coordinator: '食药品协管员责任书',
};
