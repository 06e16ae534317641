/**
 * Jest configuration for mutation testing (`npm run mutation`, see stryker.config.json):
 * every suite except the slow ones that do not exercise the topology rules. Excluded:
 * real-Helm renders (helm-render, argocd-projects, remote-pilot-address-rule, hatches),
 * suites that spawn the CLI or npm (publish, package, cli, cli-conventions, verify-script,
 * locale-determinism, loader-limits), and whole-fleet renders (synth, plan, mesh-picture,
 * properties, delivery, global-services, library, docs-facts, support, and the
 * synth-heavy control-plane and trust suites, which reach every rule through a full render). With per-test
 * coverage, each mutant then runs only the few fast tests that reach it.
 * Run with MESHFLEET_UPSTREAM set to an absolute path (the npm script does): Stryker's
 * sandbox copy does not sit beside ../shared/upstream.
 * @type {import('jest').Config}
 */
const base = require('./jest.config');

const SLOW_OR_UNRELATED = [
  'helm-render', 'argocd-projects', 'remote-pilot-address-rule', 'hatches',
  'publish', 'package', 'cli', 'cli-conventions', 'verify-script', 'locale-determinism', 'loader-limits',
  'synth', 'plan', 'mesh-picture', 'properties', 'delivery', 'global-services', 'library', 'docs-facts', 'support',
  'control-plane', 'trust',
];

module.exports = {
  ...base,
  testPathIgnorePatterns: ['/node_modules/', ...SLOW_OR_UNRELATED.map((name) => `/__tests__/${name}\\.test\\.ts$`)],
};
