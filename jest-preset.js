/**
 * A jest preset for testing mini-program pages: `module.exports = { preset: 'wx-socket-manager' }`.
 * Needs jest, jest-environment-jsdom, ts-jest, typescript < 7 and @types/jest in the project
 * (docs/page-testing.md has the one install line), and a test/tsconfig.json.
 */
module.exports = {
  // miniprogram-simulate renders components into a DOM.
  testEnvironment: 'jsdom',
  // TypeScript tests and pages, compiled with the test folder's tsconfig (jest's types, DOM).
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }] },
  // A fake wx before any import; each test's installFakeWx(fake) takes over.
  setupFiles: [require.resolve('./dist/testing/jest-setup.js')],
  // What DevTools' "build npm" writes is a copy of node_modules: never a test.
  testPathIgnorePatterns: ['/node_modules/', '/miniprogram_npm/'],
};
