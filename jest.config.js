/** Unit specs sit beside the code in src/; end-to-end specs in test/e2e drive the built gateway. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testRegex: '.*\\.spec\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Type checking is `npm run typecheck`; ts-jest only transpiles so the suite stays fast.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 60000,
};
