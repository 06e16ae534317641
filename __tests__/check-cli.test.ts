/**
 * `meshfleet check` on the command line: exit codes, `-o json`, `--strict`, and the text
 * format grouped by cluster.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Finding } from '../src/check/finding';
import { findingsJson, formatFindings } from '../src/check/format';
import * as runChecksModule from '../src/check/run-checks';
import { failsCheck } from '../src/check/run-checks';
import { run } from '../src/cli';

/** Runs the CLI in-process, capturing what it prints. */
function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((s) => err.push(String(s)) > 0);
  try {
    const code = run(args, {});
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

const TOPOLOGY = path.join(__dirname, '..', 'examples', 'docs-multi-primary.yaml');

describe('meshfleet check (CLI)', () => {
  let dir: string;
  let out: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshfleet-check-'));
    out = path.join(dir, 'out');
    expect(cli(['synth', '--topology', TOPOLOGY, '--out', out]).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('-o json on a fresh synth: exit 0, no errors', () => {
    const result = cli(['check', '--topology', TOPOLOGY, '--out', out, '-o', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).errors).toBe(0);
  });

  test('a hand edit breaking a CEL rule: exit 1, the rule\'s message and the diff, in JSON and text', () => {
    const written = path.join(dir, 'edited');
    expect(cli(['synth', '--topology', TOPOLOGY, '--out', written]).code).toBe(0);
    const file = 'cluster1/control-plane/helmrelease.istio-system.istiod.yaml';
    const text = readFileSync(path.join(written, file), 'utf8');
    writeFileSync(path.join(written, file), text.replace('name: RetryOnFailure\n      retryInterval: 1m', 'name: RemediateOnFailure\n      retryInterval: 1m'));
    try {
      const json = cli(['check', '--topology', TOPOLOGY, '--out', written, '-o', 'json']);
      expect(json.code).toBe(1);
      const findings: Finding[] = JSON.parse(json.stdout).findings;
      expect(findings.filter((f) => f.severity === 'error').map((f) => [f.code, f.file, f.path, f.message.split('\n')[0]])).toEqual([
        ['MF003', file, 'spec.install.strategy', ".retryInterval cannot be set when .name is 'RemediateOnFailure'"],
        ['MF010', file, undefined, 'differs (- on disk, + synthesized)'],
      ]);
      const result = cli(['check', '--topology', TOPOLOGY, '--out', written]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('cluster cluster1:\n');
      expect(result.stderr).toContain(`  error MF003 ${file} (HelmRelease istio-system/istiod) spec.install.strategy: .retryInterval cannot be set when .name is 'RemediateOnFailure'\n`);
      expect(result.stderr).toMatch(/^ +- +name: RemediateOnFailure$/m);
      expect(result.stderr).toMatch(/^ +\+ +name: RetryOnFailure$/m);
    } finally {
      rmSync(written, { recursive: true, force: true });
    }
  });

  test('usage errors exit 2', () => {
    expect(cli(['check', '-o', 'yaml']).code).toBe(2);
    expect(cli(['check', '--strictly']).code).toBe(2);
  });

  test('synth publishes output that passes check', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshfleet-synth-'));
    writeFileSync(path.join(dir, 'mesh.yaml'), readFileSync(TOPOLOGY, 'utf8'));
    const result = cli(['synth', '--topology', path.join(dir, 'mesh.yaml'), '--out', path.join(dir, 'out')]);
    expect(result.code).toBe(0);
    expect(cli(['check', '--topology', path.join(dir, 'mesh.yaml'), '--out', path.join(dir, 'out')]).code).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('synth runs the checks', () => {
  test('synth refuses to publish when a check reports an error, and says why', () => {
    // GIVEN a check that finds an error in what synth is about to publish
    const finding: Finding = { severity: 'error', code: 'MF003', message: 'only one of credentialName or credentialNames can be set', cluster: 'cluster1', file: 'cluster1/mesh/x.yaml', path: 'spec.servers[0].tls' };
    // (synth checks cluster by cluster, then runs the whole check for the messages to print)
    const spies = [
      jest.spyOn(runChecksModule, 'runClusterwiseChecks').mockReturnValue({ findings: [finding], digests: new Map() }),
      jest.spyOn(runChecksModule, 'runChecks').mockReturnValue([finding]),
    ];
    const dir = mkdtempSync(path.join(tmpdir(), 'meshfleet-synth-'));
    try {
      // WHEN synth runs
      const result = cli(['synth', '--topology', TOPOLOGY, '--out', path.join(dir, 'out')]);
      // THEN it exits 1, prints the finding, and writes nothing
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('  error MF003 cluster1/mesh/x.yaml spec.servers[0].tls: only one of credentialName or credentialNames can be set\n');
      expect(result.stderr).toContain(`${path.join(dir, 'out')}/ was left unchanged.`);
      expect(existsSync(path.join(dir, 'out'))).toBe(false);
    } finally {
      spies.forEach((spy) => spy.mockRestore());
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('severity, --strict and formats', () => {
  const warning: Finding = { severity: 'warning', code: 'MF201', message: 'subset v2 of h is used by no route in c1', cluster: 'c1', file: 'c1/mesh/dr.yaml', object: 'DestinationRule ns/h', path: 'spec.subsets[0]', fix: 'remove the subset' };
  const fleetWide: Finding = { severity: 'error', code: 'MF104', message: 'network n2 receives cross-network traffic but ...', topology: 'services[s]', fix: 're-run synth' };

  test('warnings fail only with --strict; info never', () => {
    expect(failsCheck([warning])).toBe(false);
    expect(failsCheck([warning], true)).toBe(true);
    expect(failsCheck([{ ...warning, severity: 'info' }], true)).toBe(false);
  });

  test('text groups by cluster, fleet-wide first, and --strict prints warnings as errors', () => {
    expect(formatFindings([warning, fleetWide])).toBe([
      'fleet:',
      '  error MF104: network n2 receives cross-network traffic but ...',
      '      topology: services[s]',
      '      fix: re-run synth',
      'cluster c1:',
      '  warning MF201 c1/mesh/dr.yaml (DestinationRule ns/h) spec.subsets[0]: subset v2 of h is used by no route in c1',
      '      fix: remove the subset',
      '1 error(s), 1 warning(s), 0 info',
      '',
    ].join('\n'));
    expect(formatFindings([warning], true)).toContain('  error MF201 c1/mesh/dr.yaml');
    expect(JSON.parse(findingsJson([warning], true))).toEqual({ findings: [{ ...warning, severity: 'error' }], errors: 1, warnings: 0 });
  });
});
