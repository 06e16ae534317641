/**
 * meshfleet as a construct library (issue 11, part 2): the package root's API, used the way a
 * cdk8s user would, including the example app in examples/library-app.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, Chart } from 'cdk8s';
import { loadAll } from 'js-yaml';
import { buildApp } from '../examples/library-app/main';
import * as meshfleet from '../index';
import { MeshCluster, MeshFleet, MESH_LAYERS, Topology, validateTopologyFile, validateTopologyText } from '../index';
import { ROOT, synthFile } from './support/synth';

const EXAMPLE = path.join(ROOT, 'examples', 'docs-multi-primary.yaml');

function exampleTopology(): Topology {
  const result = validateTopologyFile(EXAMPLE);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.topology;
}

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };
const key = (m: Manifest) => `${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}`;
const keys = (objects: readonly Manifest[]) => objects.map(key).sort();

describe('validateTopologyText / validateTopologyFile', () => {
  test('return every problem as data instead of throwing', () => {
    const text = `apiVersion: meshfleet.dev/v1alpha1
kind: MeshTopology
mesh: { id: mesh1 }
clusters:
  - { name: c1, role: primary, network: n1, region: r1 }
  - { name: c2, role: remote, network: n1, region: r1, controlPlane: ghost }
`;
    const result = validateTopologyText(text, 'mesh.yaml');
    expect(result.ok).toBe(false);
    expect(result.topology).toBeUndefined();
    expect(result.problems).toEqual([
      { file: 'mesh.yaml', line: 6, column: 70, path: 'clusters[1].controlPlane', message: expect.stringMatching(/^names unknown cluster "ghost"/) },
    ]);
  });

  test('a YAML syntax error is a located problem too', () => {
    const result = validateTopologyText('clusters: [\n', 'bad.yaml');
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatchObject({ file: 'bad.yaml', path: '', message: expect.stringMatching(/^invalid YAML: /) });
  });

  test('an unreadable file is a problem, not an exception', () => {
    const file = path.join(tmpdir(), 'meshfleet-no-such-topology.yaml');
    expect(validateTopologyFile(file)).toEqual({ ok: false, problems: [{ file, path: '', message: 'cannot read the topology file: ENOENT' }] });
  });

  test('a valid topology comes back as the frozen model', () => {
    const result = validateTopologyFile(EXAMPLE);
    expect(result.ok).toBe(true);
    expect(result.problems).toEqual([]);
    expect(result.topology!.clusters.map((c) => c.name)).toEqual(['cluster1', 'cluster2']);
    expect(Object.isFrozen(result.topology!.clusters[0])).toBe(true);
  });
});

describe('MeshCluster', () => {
  const cli = synthFile('examples/docs-multi-primary.yaml');

  test("renders into the caller's app, one chart per layer, exactly the objects meshfleet synth writes for the cluster (no flux/)", () => {
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'meshfleet-lib-')) });
    const cluster = new MeshCluster(app, 'cluster1', { topology: exampleTopology(), cluster: 'cluster1' });

    for (const layer of ['platform', 'base', 'reader', 'control-plane', 'mesh'] as const) {
      const chart = cluster.chart(layer);
      expect(chart.node.scope).toBe(cluster);
      expect(keys(chart.toJson())).toEqual(keys(cli.manifests(`cluster1/${layer}/`)));
      expect(chart.toJson()).toEqual(expect.arrayContaining(cli.manifests(`cluster1/${layer}/`)));
    }
    // Every chart in the app is one of the five layers: no flux, no istioctl
    const charts = app.charts.map((c) => c.node.path).sort();
    expect(charts).toEqual(['cluster1/base', 'cluster1/control-plane', 'cluster1/mesh', 'cluster1/platform', 'cluster1/reader']);
    expect(app.charts.flatMap((c) => c.toJson()).map((m: Manifest) => m.kind)).not.toContain('IstioOperator');
  });

  test('renders layers into charts of the caller, with the same names even where resource name hashes are on', () => {
    const app = new App();
    const mine = new Chart(app, 'mine'); // hashes on: names must all be explicit
    const own = new ApiObject(mine, 'own', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'own' } });
    const cluster = new MeshCluster(app, 'mesh', {
      topology: exampleTopology(),
      cluster: 'cluster2',
      charts: { platform: mine, base: mine, reader: mine, 'control-plane': mine, mesh: mine },
    });

    expect(cluster.chart('mesh')).toBe(mine);
    const expected = ['platform', 'base', 'reader', 'control-plane', 'mesh'].flatMap((l) => cli.manifests(`cluster2/${l}/`));
    expect(keys(mine.toJson())).toEqual([...keys(expected), key(own.toJson())].sort());
    expect(app.charts).toEqual([mine]);
  });

  test('renders IstioOperator files only into a chart given for istioctl', () => {
    const app = new App();
    const istioctl = new Chart(new App(), 'istioctl');
    new MeshCluster(app, 'cluster1', { topology: exampleTopology(), cluster: 'cluster1', charts: { istioctl } });
    expect(istioctl.toJson().map((m: Manifest) => `${m.apiVersion} ${m.kind} ${m.metadata.name}`).sort()).toEqual([
      'install.istio.io/v1alpha1 IstioOperator control-plane',
      'install.istio.io/v1alpha1 IstioOperator eastwest',
    ]);
    expect(app.charts.flatMap((c) => c.toJson()).map((m: Manifest) => m.kind)).not.toContain('IstioOperator');
  });

  test('fails on a cluster the topology does not have, naming the ones it has', () => {
    expect(() => new MeshCluster(new App(), 'x', { topology: exampleTopology(), cluster: 'cluster3' })).toThrow(
      'MeshCluster: no cluster "cluster3" in the topology; use one of cluster1, cluster2',
    );
  });
});

describe('MeshFleet', () => {
  const cli = synthFile('examples/docs-multi-primary.yaml');

  test('one MeshCluster per cluster, in topology order, each with what meshfleet synth writes for it', () => {
    const app = new App();
    const fleet = new MeshFleet(app, 'mesh', { topology: exampleTopology() });
    expect(fleet.clusters.map((c) => c.node.id)).toEqual(['cluster1', 'cluster2']);
    for (const name of ['cluster1', 'cluster2']) {
      const objects = MESH_LAYERS.filter((l) => l !== 'istioctl').flatMap((l) => (fleet.cluster(name).hasObjects(l) ? fleet.cluster(name).chart(l).toJson() : []));
      const expected = ['platform', 'base', 'reader', 'control-plane', 'mesh'].flatMap((l) => cli.manifests(`${name}/${l}/`));
      expect(keys(objects)).toEqual(keys(expected));
    }
    expect(() => fleet.cluster('nope')).toThrow('MeshFleet: no cluster "nope" in the topology; use one of cluster1, cluster2');
  });

  test('can put every cluster into one chart of the caller without construct id clashes', () => {
    const app = new App();
    const all = new Chart(app, 'all', { disableResourceNameHashes: true });
    new MeshFleet(app, 'mesh', { topology: exampleTopology(), charts: (_cluster, layer) => (layer === 'istioctl' ? undefined : all) });
    const expected = ['cluster1', 'cluster2'].flatMap((c) => ['platform', 'base', 'reader', 'control-plane', 'mesh'].flatMap((l) => cli.manifests(`${c}/${l}/`)));
    expect(keys(all.toJson())).toEqual(keys(expected));
  });
});

describe('the package root', () => {
  test('exports the documented API', () => {
    for (const name of [
      'validateTopologyFile',
      'validateTopologyText',
      'parseTopology',
      'loadTopology',
      'TopologyError',
      'MeshCluster',
      'MeshFleet',
      'LayerChart',
      'synthesizeFleet',
      'IstioSystemNamespace',
      'CrossNetworkGateway',
      'RemoteSecret',
    ]) {
      expect(typeof (meshfleet as Record<string, unknown>)[name]).toBe('function');
    }
  });
});

describe('examples/library-app', () => {
  test("synthesizes meshfleet's layers for cluster1 and the team's own chart after them", () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'meshfleet-example-'));
    buildApp(exampleTopology(), 'cluster1', outdir).synth();

    // Files are numbered in apply order: the team's chart after the namespaces it lives in
    const files = readdirSync(outdir).sort();
    const index = (pattern: RegExp) => files.findIndex((f) => pattern.test(f));
    const order = [/^\d{4}-mesh-platform-/, /^\d{4}-mesh-base-/, /^\d{4}-mesh-reader-/, /^\d{4}-mesh-control-plane-/, /^\d{4}-mesh-(mesh-)?[0-9a-f]{8}\./].map(index);
    expect(files).toHaveLength(6);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order).not.toContain(-1);
    expect(index(/^\d{4}-helloworld\./)).toBeGreaterThan(order[0]);
    const file = (pattern: RegExp) => files[index(pattern)];
    const read = (file: string) => loadAll(readFileSync(path.join(outdir, file), 'utf8')) as Manifest[];
    expect(read(file(/-helloworld\./)).map(key)).toEqual(['Deployment sample/helloworld', 'Service sample/helloworld']);
    const sample = read(file(/-mesh-platform-/)).find((m) => key(m) === 'Namespace /sample');
    expect(sample?.metadata.labels).toMatchObject({ 'istio-injection': 'enabled' });
    expect(read(files[order[4]]).map(key)).toContain('DestinationRule sample/helloworld');
  });
});
