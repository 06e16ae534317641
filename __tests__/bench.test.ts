/**
 * The scale benchmark runs in CI at its smallest size, so the harness cannot rot. No
 * timing is asserted: only that every measurement ran and the report has its sections and rows.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { load } from 'js-yaml';
import { parseBenchArgs, runBench } from '../scripts/bench';
import { generatedTopology } from '../scripts/bench-fleet';
import { parseTopology } from '../topology';

describe('generated fleets', () => {
  test('are realistic: remotes, several ports and callers, failover, weights, aliases, both delivery tools', () => {
    // GIVEN / WHEN
    const text = generatedTopology(10, 60);
    const topology = parseTopology(text, 'generated.yaml');
    const raw = load(text) as any;

    // THEN: every fifth cluster (c4, c9) is a remote of the primary before it
    expect(topology.clusters.filter((c) => c.role === 'remote').map((c) => [c.name, c.controlPlane])).toEqual([['c4', 'c3'], ['c9', 'c8']]);
    expect(topology.services.some((s) => s.ports.length === 3)).toBe(true);
    expect(topology.services.some((s) => s.consumers.length > 1)).toBe(true);
    expect(topology.services.some((s) => s.failover.length > 0)).toBe(true);
    expect(topology.services.some((s) => s.weights !== undefined)).toBe(true);
    expect(topology.services.some((s) => s.globalAlias)).toBe(true);
    expect(raw.trust.provider).toBe('cert-manager');
    expect(raw.credentials.provider).toBe('external-secrets');
    expect(Object.keys(raw.delivery).sort()).toEqual(['argocd', 'flux', 'git']);
  });

  test('are the same for the same seed, and the change touches one caller of one service', () => {
    expect(generatedTopology(10, 40)).toBe(generatedTopology(10, 40));
    expect(generatedTopology(10, 40, { seed: 2 })).not.toBe(generatedTopology(10, 40));
    const before = (load(generatedTopology(10, 40)) as any).services;
    const after = (load(generatedTopology(10, 40, { changed: true })) as any).services;
    const differing = before.map((s: unknown, i: number) => (JSON.stringify(s) === JSON.stringify(after[i]) ? -1 : i)).filter((i: number) => i >= 0);
    expect(differing).toEqual([20]);
    expect(after[20].consumers[0].serviceAccount).toBe(`${before[20].consumers[0].serviceAccount}-changed`);
  });
});

describe('bench arguments', () => {
  test('default to the four sizes, three runs and a report named by date under bench/', () => {
    const options = parseBenchArgs([], '2026-01-02');
    expect(options.sizes).toEqual([[10, 100], [30, 300], [100, 1000], [200, 2000]]);
    expect(options.repeat).toEqual([3]);
    expect(path.relative(path.resolve(__dirname, '..'), options.out)).toBe(path.join('bench', '2026-01-02.md'));
  });

  test('fails on a malformed size, with the expected form', () => {
    expect(() => parseBenchArgs(['--sizes', '10by100'])).toThrow('bench: --sizes takes CLUSTERSxSERVICES[,…], e.g. 10x100,30x300 (got "10by100")');
  });
});

describe('npm run bench at a CI size', () => {
  let work: string;
  let report: string;
  let written: string;

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'meshfleet-bench-test-'));
    const out = path.join(work, 'report.md');
    report = runBench({ sizes: [[3, 10], [4, 20]], repeat: [1], name: 'ci', out, cdk8s: true, work: path.join(work, 'scratch') });
    written = readFileSync(out, 'utf8');
  }, 600_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const section = (name: string) => {
    const start = report.indexOf(`\n## ${name}\n`);
    const end = report.indexOf('\n## ', start + 1);
    return start < 0 ? '' : report.slice(start, end < 0 ? undefined : end);
  };
  const rows = (name: string, size: string) => section(name).split('\n').filter((l) => l.startsWith(`| ${size} |`));

  test('writes the report it returns, with every section in order', () => {
    expect(written).toBe(report);
    const headings = [...report.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual([
      'Machine', 'Full synth', 'Floors', 'Growth per doubling', 'Re-synth after a one-service change', 'check and plan', 'npx cdk8s synth', 'How this was measured',
    ]);
  });

  test('names the machine', () => {
    const machine = section('Machine').split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| nproc') && !l.startsWith('| ---'));
    expect(machine).toHaveLength(1);
    expect(machine[0]).toMatch(/^\| \d+ \| .+ \| \d+\.\d GiB \| v\d+\.\d+\.\d+ \| /);
  });

  test('measures the full synth and both floors at each size', () => {
    for (const size of ['3×10', '4×20']) {
      const [synth] = rows('Full synth', size);
      // files, MiB, then wall, user and sys CPU, peak RSS, then three ratios: all numbers
      expect(synth).toMatch(/^\| \S+ \| [1-9]\d* \| \d+\.\d \|( \d+\.\d\d \|){3} [1-9]\d* \|( \d+\.\d\d× \|){3}$/);
      expect(rows('Floors', size)[0]).toMatch(/^\| \S+ \|( \d+\.\d\d \| \d+\.\d\d \| [1-9]\d* \|){2}$/);
    }
    expect(section('Growth per doubling')).toContain('| 3×10 → 4×20 |');
  });

  test('re-synthesizes after a one-service change: a few files differ', () => {
    const [row] = rows('Re-synth after a one-service change', '3×10');
    const [, differing, rewritten, wall] = row.split('|').map((c) => c.trim()).slice(1);
    // svc5 runs in one or more clusters: its AuthorizationPolicy there changes, nothing else
    expect(Number(differing)).toBeGreaterThan(0);
    expect(Number(differing)).toBeLessThan(10);
    expect(Number(rewritten)).toBeGreaterThanOrEqual(Number(differing));
    expect(wall).toMatch(/^\d+\.\d\d$/);
  });

  test('measures check and plan, or says why not', () => {
    for (const command of ['check', 'plan']) {
      const row = section('check and plan').split('\n').find((l) => l.startsWith(`| 3×10 | meshfleet ${command} |`));
      expect(row).toBeDefined();
      expect(row).toMatch(/\| \d+\.\d\d \| \d+\.\d\d \| \d+ \| \d+\.\d\d× \|  \|$|\| skipped \| \| {2}\| n\/a \| .+ \|$/);
    }
  });

  test('measures npx cdk8s synth against the CLI plus the cdk8s CLI start-up', () => {
    expect(section('npx cdk8s synth')).toMatch(/`npx cdk8s --version`\): \d+\.\d\d s wall/);
    expect(rows('npx cdk8s synth', '3×10')[0]).toMatch(/^\| \S+ \| \d+\.\d\d \| \d+\.\d\d \| \d+ \| \d+\.\d\d \| \d+\.\d\d× \|  \|$/);
  });
});
