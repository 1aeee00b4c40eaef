/** Removes the run's seeded demo database (see global-setup.js and support/server.ts). */
const { rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async () => {
  if (process.env.XA_E2E_RUN) rmSync(join(tmpdir(), `xa-e2e-seed-${process.env.XA_E2E_RUN}`), { recursive: true, force: true });
};
