/**
 * Jest configuration for mutation testing (`npm run mutation`): the loader and rule suites,
 * which run in Stryker's sandbox without the pinned upstream charts or the committed dist/.
 * @type {import('jest').Config}
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: [
    '**/topology.test.ts',
    '**/urls.test.ts',
    '**/durations.test.ts',
    '**/names.test.ts',
    '**/namespaces.test.ts',
    '**/encoders.test.ts',
    '**/failover-and-keys.test.ts',
    '**/delivery-rules.test.ts',
    '**/global-services-rules.test.ts',
  ],
};
