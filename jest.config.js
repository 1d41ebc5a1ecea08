/** Unit specs sit beside the code in src/ and ui/src/ (the dashboard's pure functions); end-to-end specs in test/e2e drive the built gateway. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/ui/src'],
  testRegex: '.*\\.spec\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Type checking is `npm run typecheck`; ts-jest only transpiles so the suite stays fast.
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
    // @fastify/static needs content-disposition 3, an ES module: Node 20.19+ can require() it,
    // Jest's module system cannot, so Jest alone gets it transpiled to CommonJS.
    '/node_modules/content-disposition/.+\\.js$': [
      'ts-jest',
      { diagnostics: false, tsconfig: { allowJs: true } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  testTimeout: 60000,
};
