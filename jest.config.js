/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // Type checking runs once in `npm test` (tsc); ts-jest transpiles only (tsconfig
  // isolatedModules), so the large generated imports are not type-checked per worker.
  transform: { '^.+\\.ts$': 'ts-jest' },
  // Examples import the package by name, as users do (tsconfig.json maps it the same way).
  moduleNameMapper: { '^meshfleet$': '<rootDir>/index.ts' },
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
