/**
 * The server specs run twice: on SQLite (default) and on MariaDB (TEST_DB=mysql). A spec named `*.nodb.spec.ts`
 * opens no database (pure functions, DTO validation, file layout, a bare Fastify, Redis alone), so a second run would
 * only pay its ≈ 3 CPU s of module loading again for the same result: the MariaDB run leaves those files out.
 * src/testing/test-app.ts refuses to start an app or a database from such a file, so a name cannot hide a database.
 */
const onMysql = process.env.TEST_DB === 'mysql';

module.exports = {
  testEnvironment: 'node',
  rootDir: 'src',
  testRegex: '.*\\.spec\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', ...(onMysql ? ['\\.nodb\\.'] : [])],
  transform: { '^.+\\.ts$': '@swc/jest' },
  testTimeout: 120000,
  maxWorkers: 2,
  testSequencer: '<rootDir>/../jest.sequencer.js',
  globalSetup: '<rootDir>/../jest.global-setup.js',
  globalTeardown: '<rootDir>/../jest.global-teardown.js',
};
