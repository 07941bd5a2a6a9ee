/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  // Type errors are caught by `npm run typecheck`; ts-jest only strips types here (fast on 2 cores).
  testTimeout: 20000,
  // One temp directory per run: the packed tarball is made once and shared (test/pack.ts).
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // What a mini-program's require('wx-socket-manager') resolves to after "build npm".
  moduleNameMapper: {
    '^wx-socket-manager$': '<rootDir>/demo-miniprogram/miniprogram_npm/wx-socket-manager/index.js',
  },
};
