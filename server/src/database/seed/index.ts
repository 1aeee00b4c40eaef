import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import { OrgUnit } from '../../modules/orgs/org-unit.entity';
import { SeedContext, seededRandom, Seeder } from './context';
import { seedOrgsAndUsers } from './orgs.seed';
// feature seeders — each feature adds its one import line here
// (end of feature seeder imports)

/** Runs in order; later seeders use the units and users earlier ones made. */
const SEEDERS: Seeder[] = [
  seedOrgsAndUsers,
  // feature seeders
  // (end of feature seeders)
];

export async function seedDemo(ds: DataSource, now = new Date()): Promise<SeedContext> {
  const rand = seededRandom(20260601);
  const ctx: SeedContext = {
    ds,
    org: {},
    user: {},
    now,
    rand,
    pick: (xs) => xs[Math.floor(rand() * xs.length)],
    int: (min, max) => min + Math.floor(rand() * (max - min + 1)),
  };
  for (const s of SEEDERS) await s(ctx);
  return ctx;
}

/** First start of an empty database: create the demo town (青山县石桥镇). */
export async function seedIfEmpty(ds: DataSource, _cfg?: AppConfig): Promise<boolean> {
  if ((await ds.getRepository(OrgUnit).count()) > 0) return false;
  const log = new Logger('Seed');
  const t = Date.now();
  await seedDemo(ds);
  log.log(`demo town seeded in ${Date.now() - t} ms`);
  return true;
}
