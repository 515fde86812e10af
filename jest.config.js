/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/test/support/environment.ts'],
  // tsconfig sets isolatedModules, so ts-jest only transpiles; `npm run typecheck` checks types.
  transform: {
    // As CommonJS, a lazy import() (lambda/handlers/tracing.ts) is a require: Jest runs no ES modules.
    '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', moduleResolution: 'node10' } }],
    // ESM-only dependencies, turned into CommonJS for Jest (Node 20's Jest cannot require ESM).
    '^.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', moduleResolution: 'node10' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@marcbachmann/cel-js|@middy/core)/)'],
  // A loaded machine (two suites at once on two cores) runs slowly: tests wait on conditions with
  // their own deadlines, and none may fail for Jest's 5 s default.
  testTimeout: 30_000,
  clearMocks: true,
  restoreMocks: true,
};
