/**
 * Byte-identical output whatever the locale and time zone: Node's ICU follows LANG/LC_ALL
 * (even where the OS has no such locale installed), so synth runs in child processes under
 * several (compare.test.ts pins the comparator's order itself).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT } from './support/synth';
import { editTopology, MINIMAL_TOPOLOGY } from './support/topology-edits';

const CLI = path.join(ROOT, 'bin', 'meshfleet.js');

/** Names that sort differently in C, Danish ("aa" after "z") and Estonian ("z" before "t"). */
const TOPOLOGY = editTopology(MINIMAL_TOPOLOGY, (d) => {
  const cluster = (name: string) => ({ name, role: 'primary', network: `n-${name}`, region: `r-${name}`, apiServer: `https://${name}.example.com:6443`, namespaces: ['aa', 'b', 'z', 't'] });
  d.clusters = ['z1', 'aa1', 'b1', 't1', 's1'].map(cluster);
  d.services = ['aa', 'z', 't', 'b'].map((namespace) => ({
    name: `svc-${namespace}`,
    namespace,
    ports: [{ name: 'http', number: 80, protocol: 'HTTP' }],
    runsIn: ['z1', 'aa1', 't1'],
    consumers: ['z', 'aa', 's', 'b'].filter((n) => n !== 's').map((n) => ({ namespace: n, serviceAccount: `${n}-caller` })),
  }));
  d.delivery = { git: { url: 'https://git.example.com/fleet.git' }, flux: { mode: 'management', managementCluster: 'z1' }, argocd: {} };
  d.clusters.forEach((c: any) => (c.eastWestGateway = { address: '10.0.0.1' }));
});

function tree(dir: string, rel = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(path.join(dir, rel)).sort()) {
    const child = path.join(rel, entry);
    if (statSync(path.join(dir, child)).isDirectory()) for (const [k, v] of tree(dir, child)) out.set(k, v);
    else out.set(child, readFileSync(path.join(dir, child), 'utf8'));
  }
  return out;
}

describe('synth under several locales and time zones', () => {
  test('gives byte-identical trees', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshfleet-locale-'));
    const topology = path.join(dir, 'mesh.yaml');
    writeFileSync(topology, TOPOLOGY);
    const runs: Array<[string, string]> = [['C', 'UTC'], ['da_DK.UTF-8', 'Pacific/Chatham'], ['et_EE.UTF-8', 'America/St_Johns']];
    const trees = runs.map(([locale, tz]) => {
      const out = path.join(dir, `out-${locale}`);
      const env = { ...process.env, LANG: locale, LC_ALL: locale, TZ: tz };
      const result = spawnSync(process.execPath, [CLI, 'synth', '--topology', topology, '--out', out], { encoding: 'utf8', env });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      // .meshfleet/cache/ is synth's own memory of the files it wrote (stats, not output)
      return new Map([...tree(out)].filter(([file]) => !file.startsWith('.meshfleet/cache/')));
    });
    expect(trees[0].size).toBeGreaterThan(50);
    for (const other of trees.slice(1)) {
      expect([...other.keys()]).toEqual([...trees[0].keys()]);
      for (const [file, content] of trees[0]) expect({ file, content: other.get(file) }).toEqual({ file, content });
    }
  });
});
