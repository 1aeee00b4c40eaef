/**
 * Journeys across packages. Two projects:
 *   api     — the built server over HTTP     (api/**\/*.e2e.ts)
 *   browser — the h5 build in Chromium       (browser/**\/*.e2e.ts)
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
  projects: [
    { ...common, displayName: 'api', testMatch: ['<rootDir>/api/**/*.e2e.ts', '<rootDir>/api/**/*.spec.ts'] },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/browser/**/*.e2e.ts'] },
  ],
};
