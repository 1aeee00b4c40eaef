/** `pnpm --filter @xiangan/server seed`: runs pending migrations and seeds the demo town into an empty database. */
import 'reflect-metadata';
import dataSource, { dbConfig } from './data-source';
import { seedIfEmpty } from './seed';
import { migrateWithLock } from './migrate';

(async () => {
  await dataSource.initialize();
  await migrateWithLock(dataSource);
  const seeded = await seedIfEmpty(dataSource, dbConfig);
  console.log(seeded ? 'demo town seeded' : 'database already has units; nothing seeded');
  await dataSource.destroy();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
