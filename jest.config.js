/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // Type checking runs once in `npm run build` (tsc); tests transpile only, which keeps
  // the 1 MB generated Istio imports from being type-checked in every worker.
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
