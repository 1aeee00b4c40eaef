/**
 * Names this jest run for its workers (they inherit the environment): support/server.ts builds the seeded demo
 * database once per run under that name. global-teardown.js removes it.
 */
module.exports = async () => {
  process.env.XA_E2E_RUN = `${process.pid}-${Date.now().toString(36)}`;
};
