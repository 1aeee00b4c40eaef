import type { DataSource } from 'typeorm';
import type { OrgUnit } from '../../modules/orgs/org-unit.entity';
import type { User } from '../../modules/users/user.entity';

/** What each seeder gets: the units and demo users by key, a fixed clock and a repeatable random source. */
export interface SeedContext {
  ds: DataSource;
  org: Record<string, OrgUnit>;
  user: Record<string, User>;
  now: Date;
  /** The 宣传推送 template id seeded consents are for (WECHAT_TPL_PUBLICITY, else SEED_PUBLICITY_TEMPLATE). */
  publicityTemplate: string;
  rand: () => number;
  pick<T>(xs: readonly T[]): T;
  int(min: number, max: number): number;
}

/** mulberry32: small, fast, repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Seeder = (ctx: SeedContext) => Promise<void>;
