/**
 * `meshfleet synth` over its own previous output skips the clusters whose inputs and files did
 * not change (src/synth-state.ts): what it publishes is byte for byte what a synth into an
 * empty directory publishes, a skipped cluster's files are not touched, and anything that
 * makes a cluster's files uncertain (a hand edit, a deleted file, a damaged state) rebuilds it.
 */
import { lstatSync, mkdtempSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../src/cli';
import { STATE_FILE } from '../src/synth-state';
import { filesUnder } from './support/files';

const TOPOLOGY = `apiVersion: meshfleet.dev/v1alpha1
kind: MeshTopology
mesh: { id: mesh1 }
clusters:
  - { name: east, role: primary, network: n1, region: r1, apiServer: "https://east.k8s.example.com:6443", eastWestGateway: { address: 10.0.0.1 } }
  - { name: west, role: primary, network: n2, region: r2, apiServer: "https://west.k8s.example.com:6443", namespaces: [apps], eastWestGateway: { address: 10.0.0.2 } }
  - { name: north, role: remote, controlPlane: west, network: n2, region: r2, apiServer: "https://north.k8s.example.com:6443" }
services:
  - name: reviews
    namespace: apps
    ports: [{ name: http, number: 9080, protocol: HTTP }]
    runsIn: [east]
    consumers: [{ namespace: apps, serviceAccount: productpage, clusters: [west] }]
delivery:
  git: { url: "https://git.example.com/fleet.git" }
  flux: {}
  argocd: {}
`;
const CHANGED = TOPOLOGY.replace('serviceAccount: productpage', 'serviceAccount: frontend');

/** Runs the CLI in this process; returns exit code, stdout and stderr. */
function meshfleet(args: string[]): { status: number; stdout: string; stderr: string } {
  const out: string[] = [];
  const err: string[] = [];
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation((t) => (out.push(String(t)), true)),
    jest.spyOn(process.stderr, 'write').mockImplementation((t) => (err.push(String(t)), true)),
  ];
  try {
    const status = run(args, { PATH: process.env.PATH });
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}

/** Every published file (the state excepted) with its content. */
function published(dir: string): Record<string, string> {
  return Object.fromEntries(filesUnder(dir).filter((f) => !f.startsWith('.meshfleet/cache/')).map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
}

function identity(file: string): string {
  const s = lstatSync(file);
  return `${s.ino}:${s.mtimeMs}:${s.ctimeMs}`;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'meshfleet-skip-'));
  writeFileSync(path.join(dir, 'mesh.yaml'), TOPOLOGY);
  writeFileSync(path.join(dir, 'changed.yaml'), CHANGED);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh synth of `topology` into an empty directory: what every re-synth must equal. */
function fresh(topology: string): Record<string, string> {
  const out = path.join(dir, `fresh-${path.basename(topology)}`);
  expect(meshfleet(['synth', '-q', '--topology', topology, '--out', out]).status).toBe(0);
  return published(out);
}

describe('synth skips unchanged clusters', () => {
  test('after a caller change, rebuilds only the cluster whose policy names it, and publishes what a fresh synth does', () => {
    const out = path.join(dir, 'out');
    expect(meshfleet(['synth', '--topology', path.join(dir, 'mesh.yaml'), '--out', out]).status).toBe(0);
    const westFile = path.join(out, 'west', 'mesh', 'kustomization.yaml');
    const before = identity(westFile);

    const result = meshfleet(['synth', '--topology', path.join(dir, 'changed.yaml'), '--out', out]);

    expect(result.status).toBe(0);
    // east's AuthorizationPolicy names the caller; west and north render nothing that does
    expect(result.stdout).toMatch(/ \(\d+ written, 0 removed; 1 of 3 clusters rebuilt, 2 unchanged\) -> /);
    expect(identity(westFile)).toBe(before);
    expect(published(out)).toEqual(fresh(path.join(dir, 'changed.yaml')));
  });

  test('a hand-edited file (same size, mtime put back) makes its cluster rebuilt and the file restored', () => {
    const out = path.join(dir, 'out');
    meshfleet(['synth', '-q', '--topology', path.join(dir, 'mesh.yaml'), '--out', out]);
    const file = path.join(out, 'west', 'platform', 'namespace.istio-system.yaml');
    const text = readFileSync(file, 'utf8');
    const { mtime } = lstatSync(file);
    writeFileSync(file, text.replace('istio-system', 'istio-systex'));
    utimesSync(file, mtime, mtime);

    const result = meshfleet(['synth', '--topology', path.join(dir, 'mesh.yaml'), '--out', out]);

    expect(result.stdout).toMatch(/ \(1 written, 0 removed; 1 of 3 clusters rebuilt, 2 unchanged\) -> /);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(published(out)).toEqual(fresh(path.join(dir, 'mesh.yaml')));
  });

  test('a deleted output file makes its cluster rebuilt and the file written again', () => {
    const out = path.join(dir, 'out');
    meshfleet(['synth', '-q', '--topology', path.join(dir, 'mesh.yaml'), '--out', out]);
    unlinkSync(path.join(out, 'north', 'platform', 'namespace.istio-system.yaml'));

    const result = meshfleet(['synth', '--topology', path.join(dir, 'changed.yaml'), '--out', out]);

    expect(result.stdout).toMatch(/; 2 of 3 clusters rebuilt, 1 unchanged\) -> /);
    expect(published(out)).toEqual(fresh(path.join(dir, 'changed.yaml')));
  });

  test('a damaged state means a full build, and a --cluster run keeps the other clusters skippable', () => {
    const out = path.join(dir, 'out');
    meshfleet(['synth', '-q', '--topology', path.join(dir, 'mesh.yaml'), '--out', out]);
    writeFileSync(path.join(out, STATE_FILE), '{"meshfleetState":1,"clusters":');
    expect(meshfleet(['synth', '--topology', path.join(dir, 'changed.yaml'), '--out', out]).stdout).toMatch(/ \(\d+ written, 0 removed\) -> /);
    expect(published(out)).toEqual(fresh(path.join(dir, 'changed.yaml')));

    expect(meshfleet(['synth', '-q', '--topology', path.join(dir, 'mesh.yaml'), '--out', out, '--cluster', 'east']).status).toBe(0);
    const result = meshfleet(['synth', '--topology', path.join(dir, 'mesh.yaml'), '--out', out]);
    // east was rebuilt by --cluster (new records); west and north kept theirs
    expect(result.stdout).toMatch(/; 0 of 3 clusters rebuilt, 3 unchanged\) -> /);
    expect(published(out)).toEqual(fresh(path.join(dir, 'mesh.yaml')));
  });

  test('the state stays out of git: its folder ignores itself, and check does not list it', () => {
    const out = path.join(dir, 'out');
    meshfleet(['synth', '-q', '--topology', path.join(dir, 'mesh.yaml'), '--out', out]);
    expect(readFileSync(path.join(out, '.meshfleet', 'cache', '.gitignore'), 'utf8')).toMatch(/\n\*\n$/);
    expect(readFileSync(path.join(out, '.meshfleet', 'manifest'), 'utf8')).not.toContain('cache');
    const check = meshfleet(['check', '--topology', path.join(dir, 'mesh.yaml'), '--out', out]);
    expect(check.status).toBe(0);
  });

  test('check --cluster reads only the selected clusters whole, and finds what a full check finds there', () => {
    const out = path.join(dir, 'out');
    meshfleet(['synth', '-q', '--topology', path.join(dir, 'mesh.yaml'), '--out', out]);
    const rule = path.join(out, 'west', 'mesh', 'destinationrule.apps.reviews.yaml');
    writeFileSync(rule, readFileSync(rule, 'utf8').replace(/exportTo:\n(?:\s+- \S+\n)+/, 'exportTo:\n    - istio-system\n'));
    const codes = (args: string[]) => {
      const json = JSON.parse(meshfleet(['check', '-o', 'json', '--topology', path.join(dir, 'mesh.yaml'), '--out', out, ...args]).stdout);
      return json.findings.map((f: { code: string; cluster?: string; file?: string }) => `${f.code} ${f.cluster ?? '-'} ${f.file ?? '-'}`);
    };
    const all = codes([]);
    expect(all).toEqual(['MF010 west west/mesh/destinationrule.apps.reviews.yaml', 'MF106 west west/mesh/destinationrule.apps.reviews.yaml']);
    expect(codes(['--cluster', 'west'])).toEqual(all.filter((f: string) => / west /.test(f) || / - /.test(f)));
    expect(codes(['--cluster', 'east'])).toEqual([]);
  });
});
