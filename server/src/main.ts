import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/app-config';
import { createApp } from './app.factory';

/** The longest a stop may take once SIGTERM / SIGINT has come. */
const SHUTDOWN_LIMIT_MS = 8000;

async function main() {
  let cfg;
  try {
    cfg = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const app = await createApp(cfg);
  // A stop that does not finish (a connection whose close waits for a server that is gone: Redis away made SIGTERM hang
  // past 30 s) ends the process anyway, so a rolling deploy during an outage does not wait for the platform's SIGKILL.
  // app.enableShutdownHooks() runs the graceful close; this only bounds it.
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => {
      setTimeout(() => {
        console.error(`shutdown (${signal}) not finished after ${SHUTDOWN_LIMIT_MS / 1000} s: exiting`);
        process.exit(1);
      }, SHUTDOWN_LIMIT_MS).unref();
    });
  await app.listen(cfg.PORT, '0.0.0.0');
  console.log(`乡安 listening on http://localhost:${cfg.PORT} (db: ${cfg.dbKind}, h5: ${cfg.H5_DIR || 'off'})`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
