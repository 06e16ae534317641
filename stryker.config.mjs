// @ts-check
/**
 * StrykerJS configuration: mutation testing of topology/ and constructs/ (not in CI: slow).
 * Run it with `npm run mutation` (scripts/mutation.sh): batches of files, each against the
 * suites that exercise them (MESHFLEET_MUTATION_SUITES, see jest.mutation.config.js), each
 * with its own incremental file in reports/mutation/. A bare `npx stryker run` mutates all
 * of topology/ and constructs/ against every listed suite (hours).
 *
 * testRunner `jest-covering-files` (scripts/stryker-covering-files.mjs): the jest runner,
 * loading per mutant only the test files that cover it.
 *
 * ignoreStatic: a mutant reached only while test files load is skipped, and one reached both
 * then and by tests runs against those tests only. That is right for the loader suites, but
 * the construct suites synthesize their fleets while loading (module-level `synthFile`),
 * and the tests that check those fleets do not count as covering: their mutants would
 * survive falsely. The script runs construct batches with MESHFLEET_MUTATION_STATIC=run:
 * static mutants are tested, each against every test of the batch.
 *
 * MESHFLEET_UPSTREAM must be an absolute path (the sandbox copy does not sit beside
 * ../shared/upstream); the script sets it.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'jest-covering-files',
  appendPlugins: [
    './scripts/stryker-covering-files.mjs'
  ],
  jest: {
    configFile: 'jest.mutation.config.js',
    enableFindRelatedTests: false
  },
  mutate: [
    'topology/**/*.ts',
    'constructs/**/*.ts',
    '!topology/istio-chart-data.generated.ts'
  ],
  coverageAnalysis: 'perTest',
  ignoreStatic: process.env.MESHFLEET_MUTATION_STATIC !== 'run',
  concurrency: 1,
  timeoutMS: 10000,
  reporters: [
    'clear-text',
    'progress'
  ],
  tempDirName: '.stryker-tmp',
  ignorePatterns: [
    '.cdk8s.out',
    '.scratch',
    'coverage',
    'reports',
    'lib',
    'docs/api',
    '*.tgz'
  ],
  incremental: true,
  incrementalFile: 'reports/mutation/all.json'
};
