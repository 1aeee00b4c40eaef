import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/app-config';
import { createApp } from './app.factory';

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
  await app.listen(cfg.PORT, '0.0.0.0');
  console.log(`乡安 listening on http://localhost:${cfg.PORT} (db: ${cfg.dbKind}, h5: ${cfg.H5_DIR || 'off'})`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
