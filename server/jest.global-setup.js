/**
 * Names this jest run for its workers (they inherit the environment). With TEST_DB=mysql the workers build the run's
 * migrated template database once under that name (src/testing/test-app.ts, migratedTemplate) and copy it into each
 * test file's scratch database; jest.global-teardown.js drops it.
 */
module.exports = async () => {
  process.env.XA_SERVER_RUN = `${process.pid}_${Date.now().toString(36)}`;
};
