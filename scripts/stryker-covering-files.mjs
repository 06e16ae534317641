/**
 * Stryker test runner `jest-covering-files`: the jest runner of @stryker-mutator/jest-runner,
 * except that a mutant run loads only the test files that hold the tests covering the mutant.
 *
 * With `coverageAnalysis: perTest` the stock runner already narrows a mutant run to the
 * covering tests, but only by `testNamePattern`: jest still loads every test file (and the
 * whole module graph each one imports) to skip all but a few tests, about 14 s per mutant
 * here for 1 s of tests. The dry run reports each test's file, so this runner remembers
 * them and hands jest the covering files as its positional patterns (the runner's
 * `testFiles` setting, which it otherwise uses only for the dry run). The test name
 * pattern stays, so which tests run is unchanged. `enableFindRelatedTests` must stay off
 * (that is the other use of the positional patterns).
 *
 * It wraps the stock runner rather than copying it; it reaches into one field
 * (`jestTestAdapter`), so it is tied to the exact-pinned @stryker-mutator/jest-runner.
 */
import { declareFactoryPlugin, PluginKind } from '@stryker-mutator/api/plugin';
import { strykerPlugins as jestPlugins } from '@stryker-mutator/jest-runner';

const stock = jestPlugins.find((plugin) => plugin.kind === PluginKind.TestRunner && plugin.name === 'jest');

/** @param {string} text */
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** @param {import('@stryker-mutator/api/plugin').Injector} injector */
function coveringFilesRunnerFactory(injector) {
  const runner = stock.factory(injector);
  /** test id (jest's full name) -> the test files that hold a test of that name */
  const filesOfTest = new Map();
  /** @type {string[] | undefined} */
  let coveringFiles;

  const dryRun = runner.dryRun.bind(runner);
  runner.dryRun = async (options) => {
    const result = await dryRun(options);
    if (result.status === 'complete') {
      for (const test of result.tests) {
        if (test.fileName === undefined) continue;
        const files = filesOfTest.get(test.id) ?? new Set();
        files.add(test.fileName);
        filesOfTest.set(test.id, files);
      }
    }
    return result;
  };

  const mutantRun = runner.mutantRun.bind(runner);
  runner.mutantRun = async (options) => {
    coveringFiles = undefined;
    if (options.testFilter !== undefined) {
      const files = new Set();
      let everyTestKnown = true;
      for (const id of options.testFilter) {
        const known = filesOfTest.get(id);
        if (known === undefined) everyTestKnown = false;
        else for (const file of known) files.add(file);
      }
      // Unknown test ids (should not happen): fall back to loading every file.
      if (everyTestKnown && files.size > 0) coveringFiles = [...files].sort().map((file) => `^${escapeRegExp(file)}$`);
    }
    try {
      return await mutantRun(options);
    } finally {
      coveringFiles = undefined;
    }
  };

  const adapter = runner.jestTestAdapter;
  if (adapter === undefined || typeof adapter.run !== 'function') {
    throw new Error('jest-covering-files: @stryker-mutator/jest-runner has no jestTestAdapter.run; pin the version this plugin was written for (9.5.1)');
  }
  const run = adapter.run.bind(adapter);
  adapter.run = (settings) =>
    run(coveringFiles !== undefined && settings.testFiles === undefined ? { ...settings, testFiles: coveringFiles } : settings);

  return runner;
}
coveringFilesRunnerFactory.inject = stock.factory.inject;

export const strykerPlugins = [declareFactoryPlugin(PluginKind.TestRunner, 'jest-covering-files', coveringFilesRunnerFactory)];
