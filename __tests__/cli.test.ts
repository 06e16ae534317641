import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_OUT, DEFAULT_TOPOLOGY, staleFiles } from '../src/cli';
import { ROOT } from './support/synth';

const CLI = path.join(ROOT, 'bin', 'meshfleet.js');
const BROKEN = `apiVersion: meshfleet.dev/v1alpha1
kind: MeshTopology
mesh: { id: mesh1 }
clusters:
  - { name: c1, role: primary, network: n1, region: r1 }
  - { name: c2, role: remote, network: n1, region: r1, controlPlane: ghost }
services:
  - { name: s, namespace: ns, ports: [{ name: http, number: 80, protocol: HTTP }], runsIn: [c1, c9] }
`;

function meshfleet(args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
}

function workspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshfleet-cli-'));
  writeFileSync(path.join(dir, 'broken.yaml'), BROKEN);
  return dir;
}

describe('meshfleet CLI', () => {
  test('synth writes one directory per cluster and prints a summary', () => {
    const out = path.join(workspace(), 'out');
    const result = meshfleet(['synth', '--topology', DEFAULT_TOPOLOGY, '--out', out]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/cluster1, cluster2/);
    expect(existsSync(path.join(out, 'cluster1', 'kustomization.yaml'))).toBe(true);
    expect(existsSync(path.join(out, 'cluster2', 'kustomization.yaml'))).toBe(true);
  });

  test('a broken topology lists every problem, exits 1 and leaves the output directory as it was', () => {
    const dir = workspace();
    const out = path.join(dir, 'out');
    expect(meshfleet(['synth', '--out', out]).status).toBe(0);
    const before = readFileSync(path.join(out, 'cluster1', 'platform', 'namespace.istio-system.yaml'), 'utf8');

    const result = meshfleet(['synth', '--topology', path.join(dir, 'broken.yaml'), '--out', out]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('broken.yaml: 2 problems');
    expect(result.stderr).toMatch(/broken\.yaml:6:\d+: clusters\[1\]\.controlPlane: names unknown cluster "ghost"/);
    expect(result.stderr).toMatch(/broken\.yaml:8:\d+: services\[0\]\.runsIn\[1\]: names unknown cluster "c9"/);
    expect(result.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack trace
    expect(readFileSync(path.join(out, 'cluster1', 'platform', 'namespace.istio-system.yaml'), 'utf8')).toBe(before);
  });

  test('synth removes the files of objects the topology no longer produces, and leaves files it did not write', () => {
    const dir = workspace();
    const out = path.join(dir, 'out');
    const renamed = path.join(dir, 'renamed.yaml');
    writeFileSync(renamed, readFileSync(path.join(ROOT, DEFAULT_TOPOLOGY), 'utf8').replace(/name: helloworld/g, 'name: hello'));
    meshfleet(['synth', '--out', out]);
    writeFileSync(path.join(out, 'cluster1', 'mesh', 'notes.md'), 'mine\n');
    expect(meshfleet(['synth', '--topology', renamed, '--out', out]).status).toBe(0);
    expect(existsSync(path.join(out, 'cluster1', 'mesh', 'destinationrule.sample.helloworld.yaml'))).toBe(false);
    expect(existsSync(path.join(out, 'cluster1', 'mesh', 'destinationrule.sample.hello.yaml'))).toBe(true);
    expect(readFileSync(path.join(out, 'cluster1', 'mesh', 'notes.md'), 'utf8')).toBe('mine\n');
    expect(meshfleet(['check', '--topology', renamed, '--out', out]).status).toBe(0);
  });

  test('validate writes nothing and says nothing about output', () => {
    const dir = workspace();
    const result = meshfleet(['validate', '--topology', path.join(dir, 'broken.yaml')], ROOT, { MESHFLEET_OUT: path.join(dir, 'never') });
    expect(result.status).toBe(1);
    expect(result.stderr).not.toContain('left unchanged');
    expect(existsSync(path.join(dir, 'never'))).toBe(false);
  });

  test('validate exits 0 on a valid topology and 1 on a broken one', () => {
    const dir = workspace();
    expect(meshfleet(['validate', '--topology', 'examples/global-fleet.yaml']).status).toBe(0);
    expect(meshfleet(['validate', '--topology', path.join(dir, 'broken.yaml')]).status).toBe(1);
  });


  test('check reports stale, missing and extra files', () => {
    const dir = workspace();
    const out = path.join(dir, 'out');
    const renamed = path.join(dir, 'renamed.yaml');
    writeFileSync(renamed, readFileSync(path.join(ROOT, DEFAULT_TOPOLOGY), 'utf8').replace(/name: helloworld/g, 'name: hello'));
    meshfleet(['synth', '--topology', renamed, '--out', out]);
    expect(meshfleet(['check', '--topology', renamed, '--out', out]).status).toBe(0);
    const file = path.join(out, 'cluster1', 'platform', 'namespace.istio-system.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('network1', 'network9'));
    const result = meshfleet(['check', '--out', out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('  error MF010 cluster1/platform/namespace.istio-system.yaml: differs (- on disk, + synthesized)\n      @@ line 10 @@\n      -    topology.istio.io/network: network9\n      +    topology.istio.io/network: network1\n');
    expect(result.stderr).toContain('  error MF010 cluster1/mesh/destinationrule.sample.helloworld.yaml: missing\n');
    expect(result.stderr).toContain('  error MF010 cluster1/mesh/destinationrule.sample.hello.yaml: extra\n');
  });

  test('cdk8s synth (the README command) keeps dist/ untouched when the topology is broken', () => {
    // GIVEN a copy of the project whose dist/ is populated
    const dir = workspace();
    const project = path.join(dir, 'project');
    for (const entry of ['cdk8s.yaml', 'index.ts', 'main.ts', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'scripts', 'src', 'topology', 'clusters', 'constructs', 'plan', 'imports', 'examples', 'dist', 'lib']) {
      cpSync(path.join(ROOT, entry), path.join(project, entry), { recursive: true, preserveTimestamps: true });
    }
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
    const env = { ...process.env, CDK8S_CHECK_UPGRADE: 'false', MESHFLEET_TOPOLOGY: path.join(dir, 'broken.yaml') };
    const before = readFileSync(path.join(project, 'dist', 'cluster1', 'kustomization.yaml'), 'utf8');
    // WHEN synth runs on a broken topology
    const result = spawnSync(path.join(project, 'node_modules', '.bin', 'cdk8s'), ['synth'], { cwd: project, encoding: 'utf8', env });
    // THEN it fails with the located problems and dist/ is unchanged
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/clusters\[1\]\.controlPlane: names unknown cluster "ghost"/);
    expect(result.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(readFileSync(path.join(project, 'dist', 'cluster1', 'kustomization.yaml'), 'utf8')).toBe(before);
  });
});

describe('committed output', () => {
  test(`${DEFAULT_OUT}/ is exactly what ${DEFAULT_TOPOLOGY} synthesizes (run \`npx cdk8s synth\` and commit if this fails)`, () => {
    expect(staleFiles({ topology: path.join(ROOT, DEFAULT_TOPOLOGY), out: path.join(ROOT, DEFAULT_OUT) })).toEqual([]);
  });
});
