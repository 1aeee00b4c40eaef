/**
 * Journeys across packages. Three projects:
 *   api     — the built server over HTTP     (api/**\/*.e2e.ts)
 *   browser — the h5 build in Chromium       (browser/**\/*.e2e.ts)
 *   weapp   — the weapp build: WeChat's compilers, miniprogram-ci, and a Node harness running it (weapp/**\/*.spec.ts;
 *             build with TARO_APP_API_BASE=https://api.xiangan.test/api pnpm --filter @xiangan/miniapp build:weapp)
 * Both start `node server/dist/main.js` themselves (support/server.ts); build first:
 *   pnpm --filter @xiangan/shared build && pnpm --filter @xiangan/server build && pnpm --filter @xiangan/miniapp build:h5
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2021',
    },
    module: { type: 'commonjs' },
  },
];

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  testTimeout: 120000,
  // names the run: its servers start from one seeded copy of the demo town (support/server.ts)
  globalSetup: '<rootDir>/support/global-setup.js',
  globalTeardown: '<rootDir>/support/global-teardown.js',
  projects: [
    { ...common, displayName: 'api', testMatch: ['<rootDir>/api/**/*.e2e.ts', '<rootDir>/api/**/*.spec.ts'] },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/browser/**/*.e2e.ts'] },
    { ...common, displayName: 'weapp', testMatch: ['<rootDir>/weapp/**/*.spec.ts'] },
  ],
};
