/**
 * Jest configuration for mutation testing (`npm run mutation`, scripts/mutation.sh,
 * stryker.config.mjs): only the suites that exercise `topology/` and `constructs/` in
 * process, listed by name (an allowlist, so a new slow suite does not slow every mutant).
 * Left out: suites that spawn the CLI, npm or Helm (cli, cli-conventions, cli-progress,
 * publish, package, bench, verify-script, helm-render, argocd-projects,
 * remote-pilot-address-rule, hatches, loader-limits, locale-determinism, check-*) and
 * whole-fleet renders that test no rule or construct of their own (plan, mesh-picture,
 * properties, library, docs-facts, synth, yaml-emitter, init).
 *
 * MESHFLEET_MUTATION_SUITES (comma-separated suite names) narrows the list further;
 * scripts/mutation.sh sets it per batch (the loader suites for `topology/`, the render
 * suites for `constructs/`). Stryker's test runner `jest-covering-files`
 * (scripts/stryker-covering-files.mjs) then loads, per mutant, only the files of the
 * tests that cover it.
 * Run with MESHFLEET_UPSTREAM set to an absolute path (the script does): Stryker's
 * sandbox copy does not sit beside ../shared/upstream.
 * @type {import('jest').Config}
 */
const base = require('./jest.config');

const SUITES = [
  // the loader and its rules
  'topology', 'delivery-rules', 'global-services-rules', 'namespaces', 'names', 'durations', 'urls',
  'failover-and-keys', 'json-schema', 'compare', 'trust-scope', 'service-hosts',
  // renders of single features (and the rules they guard)
  'control-plane', 'trust', 'global-services', 'delivery', 'encoders', 'support', 'secret-constructs',
  'flux-kubeconfig', 'service-authorization',
];

const chosen = process.env.MESHFLEET_MUTATION_SUITES
  ? process.env.MESHFLEET_MUTATION_SUITES.split(',').map((name) => name.trim()).filter(Boolean)
  : SUITES;
const unknown = chosen.filter((name) => !SUITES.includes(name));
if (unknown.length > 0) {
  throw new Error(`MESHFLEET_MUTATION_SUITES: unknown suite ${unknown.join(', ')}: choose from ${SUITES.join(', ')}`);
}

module.exports = {
  ...base,
  testMatch: chosen.map((name) => `<rootDir>/__tests__/${name}.test.ts`),
};
