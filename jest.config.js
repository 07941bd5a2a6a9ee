/** @type {import('jest').Config} */
const transform = {
  // Type errors are caught by `npm run typecheck`; ts-jest only strips types here (fast on 2 cores).
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
};
// What a mini-program's require('wx-socket-manager') resolves to after "build npm".
const shippedPackage = {
  '^wx-socket-manager$': '<rootDir>/demo-miniprogram/miniprogram_npm/wx-socket-manager/index.js',
  '^wx-socket-manager/(platforms|session)$': '<rootDir>/demo-miniprogram/miniprogram_npm/wx-socket-manager/$1.js',
};
// Apps the tests build elsewhere from these files (the page-testing scratch app) carry their own tests.
const testPathIgnorePatterns = ['/node_modules/', '<rootDir>/test/fixtures/'];

/**
 * The behaviour suites, run a second time against the shipped, minified bundle instead of the
 * source (their `import … from '../src'` is pointed at miniprogram_npm_src/index.js), so a
 * mangling or bundling mistake cannot ship.
 */
const BEHAVIOUR_SUITES = ['core/lifecycle', 'core/reconnect', 'core/heartbeat', 'core/platform', 'core/reentrancy', 'core/send-queue', 'core/bad-input', 'core/first-frame', 'platforms/platforms', 'session/session', 'core/stats', 'session/session-rooms', 'session/session-stats'];

module.exports = {
  testTimeout: 20000,
  // One temp directory per run: the packed tarball is made once and shared (test/support/pack.ts).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    {
      displayName: 'source',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns,
      transform,
      moduleNameMapper: shippedPackage,
    },
    {
      displayName: 'shipped',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: BEHAVIOUR_SUITES.map((name) => `**/test/${name}.test.ts`),
      transform,
      moduleNameMapper: {
        ...shippedPackage,
        '^(\\.\\./)+src$': '<rootDir>/miniprogram_npm_src/index.js',
        '^(\\.\\./)+src/platforms$': '<rootDir>/miniprogram_npm_src/platforms.js',
        '^(\\.\\./)+src/session$': '<rootDir>/miniprogram_npm_src/session.js',
      },
    },
  ],
};
