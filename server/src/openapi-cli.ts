/**
 * Writes the OpenAPI document generated from the controllers.
 *   node dist/openapi-cli.js [out.json]        (default: openapi.json beside package.json)
 *   node dist/openapi-cli.js --check           fails when the committed openapi.json is out of date
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApi, createApp } from './app.factory';
import { loadConfig } from './config/app-config';

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

(async () => {
  const cfg = loadConfig({ SQLITE_PATH: ':memory:', LOG_LEVEL: 'silent', H5_DIR: '', SEED_DEMO: 'false', NODE_ENV: 'test' });
  const app = await createApp(cfg, { seed: false });
  const doc = JSON.stringify(sortKeys(buildOpenApi(app)), null, 2) + '\n';
  await app.close();
  const committed = join(__dirname, '..', 'openapi.json');
  if (process.argv[2] === '--check') {
    let old = '';
    try {
      old = readFileSync(committed, 'utf8');
    } catch {
      /* missing counts as changed */
    }
    if (old !== doc) {
      console.error('openapi.json is out of date: run `pnpm --filter @xiangan/server openapi` and commit it');
      process.exit(1);
    }
    console.log('openapi.json is up to date');
    return;
  }
  const out = process.argv[2] ?? committed;
  writeFileSync(out, doc);
  console.log(`wrote ${out}`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
