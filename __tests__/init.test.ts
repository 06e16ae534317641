import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { load } from 'js-yaml';
import { synthesizeFleet } from '../clusters/fleet';
import { run } from '../src/cli';
import { STARTER_MODELS, starterTopology } from '../src/init';
import { parseTopology } from '../topology';

const ROOT = path.join(__dirname, '..');
const SCHEMA = path.join(ROOT, 'schema/meshtopology.v1alpha1.json');
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(JSON.parse(readFileSync(SCHEMA, 'utf8')));

/** What each model must be, worked out from istio.io's install guides: [name, role, network, controlPlane]. */
const EXPECTED: Record<string, [string, string, string, string | undefined][]> = {
  'multi-primary': [['cluster1', 'primary', 'network1', undefined], ['cluster2', 'primary', 'network1', undefined]],
  'multi-network': [['cluster1', 'primary', 'network1', undefined], ['cluster2', 'primary', 'network2', undefined]],
  'primary-remote': [['cluster1', 'primary', 'network1', undefined], ['cluster2', 'remote', 'network1', 'cluster1']],
  'primary-remote-multi-network': [['cluster1', 'primary', 'network1', undefined], ['cluster2', 'remote', 'network2', 'cluster1']],
};

describe('starter topologies', () => {
  test('cover every model', () => {
    expect([...STARTER_MODELS].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  test.each(STARTER_MODELS)('%s loads with the loader, validates against the schema and is that model', (model) => {
    const text = starterTopology({ model, schema: '../schema/meshtopology.v1alpha1.json' });
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/meshtopology.v1alpha1.json');
    const topology = parseTopology(text, `${model}.yaml`);
    expect(topology.clusters.map((c) => [c.name, c.role, c.network, c.controlPlane])).toEqual(EXPECTED[model]);
    expect(validate(load(text))).toBe(true);
    expect([...synthesizeFleet(topology).keys()].filter((f) => f.endsWith('kustomization.yaml')).length).toBeGreaterThan(1);
    // Commented: every line that is not blank holds a comment or is YAML with one nearby.
    expect(text.match(/#/g)!.length).toBeGreaterThan(15);
  });

  test('primary-remote models give the primary a fixed east-west IP (remotes reach istiod there)', () => {
    for (const model of ['primary-remote', 'primary-remote-multi-network'] as const) {
      const topology = parseTopology(starterTopology({ model, schema: 's.json' }), 't.yaml');
      expect(topology.clusters[0].eastWestGateway.address).toBe('203.0.113.10');
    }
  });
});

describe('meshfleet init', () => {
  let dir: string;
  let stderr: jest.SpyInstance;
  let stdout: jest.SpyInstance;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshfleet-init-'));
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    stderr.mockRestore();
    stdout.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  });

  test('writes the model with a $schema comment that resolves to the shipped schema', () => {
    const out = path.join(dir, 'sub-mesh.yaml');
    expect(run(['init', '--model', 'primary-remote', `--file=${out}`])).toBe(0);
    const text = readFileSync(out, 'utf8');
    const ref = /^# yaml-language-server: \$schema=(.+)$/m.exec(text)![1];
    expect(path.resolve(dir, ref)).toBe(SCHEMA);
    expect(parseTopology(text, out).clusters.map((c) => c.role)).toEqual(['primary', 'remote']);
  });

  test('refuses to overwrite an existing file, and leaves it unchanged', () => {
    const out = path.join(dir, 'topology.yaml');
    writeFileSync(out, 'mine\n');
    expect(run(['init', '--file', out])).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('mine\n');
    expect(stderr.mock.calls.join('')).toContain(`meshfleet: ${out} already exists; pass --force to overwrite it, or --file to write another file`);
  });

  test('refuses an unknown model, naming the models', () => {
    const out = path.join(dir, 'topology.yaml');
    expect(run(['init', '--model', 'star', '--file', out])).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(stderr.mock.calls.join('')).toContain('must be one of multi-primary, multi-network, primary-remote, primary-remote-multi-network');
  });
});
