import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import { OrgUnit } from '../../modules/orgs/org-unit.entity';
import { SeedContext, seededRandom, Seeder } from './context';
import { seedOrgsAndUsers } from './orgs.seed';
// feature seeders — each feature adds its one import line here
import { seedHazards } from './hazards.seed';
import { seedFieldwork } from './fieldwork.seed';
import { SEED_PUBLICITY_TEMPLATE, seedPublicity } from './publicity.seed';
import { seedPledges } from './pledges.seed';
import { isMysql } from '../../common/db/dialect';
import { namedLock } from '../migrate';
import { seedRegisters } from './registers.seed';
// (end of feature seeder imports)

/** The base: units and demo users (what most tests need). */
const BASE_SEEDERS: Seeder[] = [seedOrgsAndUsers];

/** Runs in order after the base; later seeders use what earlier ones made (a year of the demo town's activity). */
const FEATURE_SEEDERS: Seeder[] = [
  // feature seeders
  seedHazards,
  seedPublicity,
  seedPledges,
  // field work last: its inspections link to the hazards above
  seedFieldwork,
  seedRegisters,
  // (end of feature seeders)
];

/** `publicityTemplate`: the configured 宣传推送 template id (WECHAT_TPL_PUBLICITY) the seeded consents are for. */
export async function seedDemo(ds: DataSource, now = new Date(), mode: 'base' | 'full' = 'full', publicityTemplate?: string): Promise<SeedContext> {
  const rand = seededRandom(20260601);
  const ctx: SeedContext = {
    ds,
    org: {},
    user: {},
    now,
    publicityTemplate: publicityTemplate || SEED_PUBLICITY_TEMPLATE,
    rand,
    pick: (xs) => xs[Math.floor(rand() * xs.length)],
    int: (min, max) => min + Math.floor(rand() * (max - min + 1)),
  };
  for (const s of mode === 'full' ? [...BASE_SEEDERS, ...FEATURE_SEEDERS] : BASE_SEEDERS) await s(ctx);
  return ctx;
}

/** First start of an empty database: create the demo town (青山县石桥镇). */
export async function seedIfEmpty(ds: DataSource, cfg?: AppConfig): Promise<boolean> {
  // Several replicas may start at once on one empty MySQL: a named lock makes exactly one of them seed
  // (the others wait, then see units and skip). SQLite is one process.
  const qr = isMysql(ds) ? ds.createQueryRunner() : null;
  try {
    if (qr) {
      await qr.connect();
      const [{ got }] = await qr.query(`SELECT GET_LOCK(${namedLock('seed')}, 300) AS got`);
      if (Number(got) !== 1) throw new Error('could not take the seed lock within 300 s');
    }
    if ((await ds.getRepository(OrgUnit).count()) > 0) return false;
    const log = new Logger('Seed');
    const t = Date.now();
    await seedDemo(ds, new Date(), 'full', cfg?.WECHAT_TPL_PUBLICITY);
    log.log(`demo town seeded in ${Date.now() - t} ms`);
    return true;
  } finally {
    if (qr) {
      await qr.query(`SELECT RELEASE_LOCK(${namedLock('seed')})`).catch(() => undefined);
      await qr.release();
    }
  }
}
