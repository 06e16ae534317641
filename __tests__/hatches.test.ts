/**
 * The escape hatches (issue 12): Helm values, east-west gateway Service options, kustomize
 * patches, own objects and app-version canaries. Expectations are literals worked out from the
 * Istio charts and docs, real Helm, and `kubectl kustomize`, never from the code under test.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { loadAll } from 'js-yaml';
import { writeTempTree } from '../src/cli';
import { parseTopology, Problem, TopologyError } from '../topology';
import { TopologyInputs } from '../topology/inputs';
import { validateManifests } from './support/crd-schema';
import { renderChart } from './support/helm';
import { unknownValuePaths } from './support/helm-values';
import { Manifest, ROOT, synthFile, synthText, Synthesized } from './support/synth';
import { editTopology, expectProblem, MINIMAL_TOPOLOGY } from './support/topology-edits';

const edited = (edit: (doc: any) => void) => editTopology(MINIMAL_TOPOLOGY, edit);

function inputs(files: Record<string, string>, directories: Record<string, string[]> = {}): TopologyInputs {
  return { files: new Map(Object.entries(files)), directories: new Map(Object.entries(directories)) };
}

function problems(text: string, given?: TopologyInputs): Problem[] {
  try {
    synthText(text, 'mesh.yaml', given);
  } catch (e) {
    if (e instanceof TopologyError) return [...e.problems];
    throw e;
  }
  return [];
}

/** Every Helm release the output asks Flux or Argo CD to install, with its values. */
function releases(out: Synthesized): { origin: string; chart: 'base' | 'istiod' | 'gateway'; releaseName: string; values: unknown }[] {
  const flux = out.ofKind('', 'HelmRelease').map((r) => ({ origin: `flux ${r.metadata.name}`, chart: r.spec.chart.spec.chart, releaseName: r.spec.releaseName, values: r.spec.values ?? {} }));
  const argo = out.ofKind('argocd/', 'Application').filter((a) => a.spec.source?.chart).map((a) => ({
    origin: `argocd ${a.metadata.name}`, chart: a.spec.source.chart, releaseName: a.spec.source.helm.releaseName, values: a.spec.source.helm.valuesObject ?? {},
  }));
  return [...flux, ...argo];
}

describe('the production example', () => {
  const out = synthFile('examples/production.yaml');

  test('merges values: chart defaults < values file < mesh inline < cluster inline, lists replaced', () => {
    const istiod = out.get('prod-east/control-plane/', 'HelmRelease', 'istiod').spec.values;
    expect(istiod).toEqual({
      autoscaleMin: 2,
      autoscaleMax: 8,
      env: { PILOT_ENABLE_STATUS: 'true' },
      resources: { requests: { cpu: '1', memory: '2Gi' } },
      global: { meshID: 'prod', multiCluster: { clusterName: 'prod-east' }, network: 'net-east' },
      meshConfig: { trustDomain: 'prod.example.com', accessLogFile: '/dev/stdout' },
    });
    expect(out.get('prod-west/control-plane/', 'HelmRelease', 'istiod').spec.values.autoscaleMax).toBeUndefined();
  });

  test('the east-west gateway gets an internal load balancer at its address, source ranges, autoscaling and resources', () => {
    expect(out.get('prod-east/control-plane/', 'HelmRelease', 'istio-eastwestgateway').spec.values).toEqual({
      name: 'istio-eastwestgateway',
      networkGateway: 'net-east',
      service: {
        annotations: { 'networking.gke.io/load-balancer-type': 'Internal' },
        loadBalancerIP: '10.20.0.10',
        loadBalancerSourceRanges: ['10.0.0.0/8'],
      },
      autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 80 },
      resources: { requests: { cpu: '500m', memory: '256Mi' } },
    });
    expect(out.get('prod-west/control-plane/', 'HelmRelease', 'istio-eastwestgateway').spec.values).toMatchObject({
      replicaCount: 3,
      autoscaling: { enabled: false },
    });
  });

  test('Flux, Argo CD and istioctl get the same values', () => {
    for (const cluster of ['prod-east', 'prod-west']) {
      const flux = out.get(`${cluster}/control-plane/`, 'HelmRelease', 'istiod').spec.values;
      const argo = out.get('argocd/', 'Application', `${cluster}-istiod`).spec.source.helm.valuesObject;
      expect(argo).toEqual(flux);
      const iop = out.get(`${cluster}/istioctl/`, 'IstioOperator', 'control-plane').spec;
      expect(iop.meshConfig.accessLogFile).toBe('/dev/stdout');
      expect(iop.values.pilot.autoscaleMin).toBe(2);
    }
    const ew = out.get('prod-east/istioctl/', 'IstioOperator', 'eastwest').spec.components.ingressGateways[0].k8s;
    expect(ew.serviceAnnotations).toEqual({ 'networking.gke.io/load-balancer-type': 'Internal' });
    expect(ew.service.loadBalancerIP).toBe('10.20.0.10');
    expect(ew.hpaSpec).toMatchObject({ minReplicas: 2, maxReplicas: 6 });
    expect(ew.resources).toEqual({ requests: { cpu: '500m', memory: '256Mi' } });
  });

  test('every chart release renders with real Helm against the pinned charts', () => {
    const all = [...releases(out), ...releases(synthFile('examples/docs-multi-primary.yaml')), ...releases(synthFile('examples/global-fleet.yaml'))];
    expect(all.length).toBeGreaterThan(10);
    for (const r of all) {
      expect({ origin: r.origin, unknown: unknownValuePaths(r.chart, r.values) }).toEqual({ origin: r.origin, unknown: [] });
      const rendered = renderChart({ chart: r.chart, releaseName: r.releaseName, namespace: 'istio-system', values: r.values });
      expect(rendered.length).toBeGreaterThan(0);
    }
  });

  test('Helm renders the gateway Service with the annotations, IP and ranges', () => {
    const values = out.get('prod-east/control-plane/', 'HelmRelease', 'istio-eastwestgateway').spec.values;
    const svc = renderChart({ chart: 'gateway', releaseName: 'istio-eastwestgateway', namespace: 'istio-system', values }).find((m) => m.kind === 'Service')!;
    expect(svc.metadata.annotations).toEqual({ 'networking.gke.io/load-balancer-type': 'Internal' });
    expect(svc.spec.loadBalancerIP).toBe('10.20.0.10');
    expect(svc.spec.loadBalancerSourceRanges).toEqual(['10.0.0.0/8']);
    expect(svc.spec.ports.map((p: any) => p.port)).toEqual([15021, 15443, 15012, 15017]);
  });

  test('the patch is applied by kubectl kustomize, in every cluster that has the DestinationRule', () => {
    const dir = writeTempTree(out.tree);
    for (const cluster of ['prod-east', 'prod-west']) {
      const built = loadAll(execFileSync('kubectl', ['kustomize', path.join(dir, cluster, 'mesh')], { encoding: 'utf8' })) as Manifest[];
      const dr = built.find((m) => m.kind === 'DestinationRule' && m.metadata.name === 'reviews')!;
      expect(dr.spec.trafficPolicy.connectionPool).toEqual({ http: { http2MaxRequests: 1000, maxRequestsPerConnection: 100 } });
      expect(dr.spec.trafficPolicy.tls).toEqual({ mode: 'ISTIO_MUTUAL' });
    }
  });

  test('own objects land in their layer, fleet-wide in every cluster, and pass the strict schemas', () => {
    expect(out.get('prod-east/mesh/', 'Telemetry', 'mesh-default', 'istio-system').spec).toEqual({ accessLogging: [{ providers: [{ name: 'envoy' }] }] });
    expect(out.get('prod-west/mesh/', 'Telemetry', 'mesh-default', 'istio-system')).toBeDefined();
    expect(out.get('prod-east/mesh/', 'PeerAuthentication', 'bookinfo-strict', 'bookinfo')).toBeDefined();
    expect(out.ofKind('prod-west/', 'PeerAuthentication').map((m) => m.metadata.name)).toEqual(['default']);
    expect(validateManifests(out.manifests().filter((m) => m.kind !== 'IstioOperator'))).toEqual([]);
  });

  test('the reviews canary splits 90/10 across version subsets, with no per-cluster subsets', () => {
    const dr = out.get('prod-east/mesh/', 'DestinationRule', 'reviews', 'bookinfo');
    expect(dr.spec.subsets).toEqual([{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }]);
    const vs = out.get('prod-east/mesh/', 'VirtualService', 'reviews', 'bookinfo');
    expect(vs.spec.http).toEqual([{
      name: 'http',
      match: [{ port: 9080 }],
      route: [
        { destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v1', port: { number: 9080 } }, weight: 90 },
        { destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v2', port: { number: 9080 } }, weight: 10 },
      ],
    }]);
    // productpage has no weights: no VirtualService, and no subset selecting topology.istio.io/cluster (IST0173)
    expect(out.get('prod-east/mesh/', 'DestinationRule', 'productpage', 'bookinfo').spec.subsets).toBeUndefined();
  });
});

describe('east-west gateway Service types and pod settings', () => {
  test('NodePort: istiod finds the nodes through traffic.istio.io/nodeSelector, and Helm renders a NodePort network gateway', () => {
    const out = synthText(edited((d) => {
      d.clusters[1].eastWestGateway = { serviceType: 'NodePort' };
      d.delivery = { git: { url: 'https://github.com/example/mesh.git' }, flux: {} };
    }));
    const values = out.get('cluster2/control-plane/', 'HelmRelease', 'istio-eastwestgateway').spec.values;
    expect(values.service).toEqual({ type: 'NodePort', annotations: { 'traffic.istio.io/nodeSelector': '{}' } });
    const svc = renderChart({ chart: 'gateway', releaseName: 'istio-eastwestgateway', namespace: 'istio-system', values }).find((m) => m.kind === 'Service')!;
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.metadata.annotations).toEqual({ 'traffic.istio.io/nodeSelector': '{}' });
    const iop = out.get('cluster2/istioctl/', 'IstioOperator', 'eastwest').spec.components.ingressGateways[0].k8s;
    expect(iop.service.type).toBe('NodePort');
    expect(iop.serviceAnnotations).toEqual({ 'traffic.istio.io/nodeSelector': '{}' });
  });

  test('gateway pod values reach the IstioOperator file: env as a list after the network view, labels, node selector', () => {
    const out = synthText(edited((d) => (d.mesh.istio = { values: { gateway: { env: { B: '2', A: '1' }, labels: { team: 'mesh' }, nodeSelector: { pool: 'edge' } } } })));
    const gw = out.get('cluster1/istioctl/', 'IstioOperator', 'eastwest').spec.components.ingressGateways[0];
    expect(gw.k8s.env).toEqual([{ name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: 'network1' }, { name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    expect(gw.k8s.nodeSelector).toEqual({ pool: 'edge' });
    expect(gw.label).toEqual({ 'team': 'mesh', 'istio': 'eastwestgateway', 'app': 'istio-eastwestgateway', 'topology.istio.io/network': 'network1' });
  });

  test('fails if a primary serving remotes uses NodePort', () => {
    const text = edited((d) => {
      d.clusters[0].eastWestGateway = { serviceType: 'NodePort', address: 'gw.example.com' };
      d.clusters[1].role = 'remote';
      d.clusters[1].controlPlane = 'cluster1';
    });
    expectProblem(text, 'clusters[0].eastWestGateway.serviceType', /^NodePort cannot serve remotes/);
  });
});

describe('versions combined with per-cluster weights', () => {
  test('route to one subset per cluster and version, weighted by the product', () => {
    const out = synthText(edited((d) => {
      d.services[0].weights = { cluster1: 50, cluster2: 50 };
      d.services[0].versions = [{ name: 'v1', labels: { version: 'v1' }, weight: 80 }, { name: 'v2', labels: { version: 'v2' }, weight: 20 }];
    }));
    const dr = out.get('cluster1/mesh/', 'DestinationRule', 'helloworld', 'sample');
    expect(dr.spec.subsets).toEqual([
      { name: 'cluster1-v1', labels: { 'topology.istio.io/cluster': 'cluster1', 'version': 'v1' } },
      { name: 'cluster1-v2', labels: { 'topology.istio.io/cluster': 'cluster1', 'version': 'v2' } },
      { name: 'cluster2-v1', labels: { 'topology.istio.io/cluster': 'cluster2', 'version': 'v1' } },
      { name: 'cluster2-v2', labels: { 'topology.istio.io/cluster': 'cluster2', 'version': 'v2' } },
    ]);
    const vs = out.get('cluster1/mesh/', 'VirtualService', 'helloworld', 'sample');
    expect(vs.spec.http[0].route.map((r: any) => [r.destination.subset, r.weight])).toEqual([['cluster1-v1', 40], ['cluster1-v2', 10], ['cluster2-v1', 40], ['cluster2-v2', 10]]);
  });

  test('per-cluster weights alone declare subsets only for clusters that get traffic (IST0173)', () => {
    const out = synthText(edited((d) => {
      d.services[0].weights = { cluster1: 100, cluster2: 0 };
    }));
    expect(out.get('cluster1/mesh/', 'DestinationRule', 'helloworld', 'sample').spec.subsets).toEqual([{ name: 'cluster1', labels: { 'topology.istio.io/cluster': 'cluster1' } }]);
  });
});

describe('topology rules for the escape hatches', () => {
  test('fails if a value is not in the pinned chart, with a did-you-mean', () => {
    const text = edited((d) => (d.mesh.istio = { values: { istiod: { autoscaleMinn: 2 } } }));
    expectProblem(text, 'mesh.istio.values.istiod.autoscaleMinn', /^is not a value of the istiod chart in Istio 1\.30\.3: did you mean "autoscaleMin"\?/);
  });

  test('fails if istiod values use the IstioOperator form pilot.*', () => {
    const text = edited((d) => (d.mesh.istio = { values: { istiod: { pilot: { autoscaleMin: 2 } } } }));
    expectProblem(text, 'mesh.istio.values.istiod.pilot', /"pilot" is the IstioOperator form/);
  });

  test('fails if a value meshfleet owns is set, saying where it comes from', () => {
    const text = edited((d) => (d.clusters[0].istio = { values: { istiod: { global: { network: 'other' } } } }));
    expectProblem(text, 'clusters[0].istio.values.istiod.global.network', /^is set by meshfleet, not by values: set from clusters\[\]\.network/);
  });

  test('fails if a gateway value breaks the chart\'s values.schema.json', () => {
    const text = edited((d) => (d.mesh.istio = { values: { gateway: { podAnnotations: { a: 'b' }, kind: 'Pod' } } }));
    expectProblem(text, 'mesh.istio.values.gateway.kind', /^must be one of "Deployment", "DaemonSet" \(the gateway chart's values\.schema\.json/);
  });

  test('fails if a gateway value has no IstioOperator equivalent', () => {
    const text = edited((d) => (d.mesh.istio = { values: { gateway: { terminationGracePeriodSeconds: 10 } } }));
    expectProblem(text, 'mesh.istio.values.gateway.terminationGracePeriodSeconds', /no equivalent in the east-west gateway's IstioOperator file/);
  });

  test('reports a problem inside a values file at its own line', () => {
    const text = edited((d) => (d.mesh.istio = { valuesFiles: { istiod: ['values/istiod.yaml'] } }));
    const found = problems(text, inputs({ 'values/istiod.yaml': 'autoscaleMin: 2\nmeshConfig:\n  trustDomain: x\n' }));
    expect(found).toEqual([{ file: 'values/istiod.yaml', path: 'meshConfig.trustDomain', position: { line: 3, column: 16 }, message: expect.stringMatching(/^is set by meshfleet/) }]);
  });

  test('fails if a values file cannot be read', () => {
    const text = edited((d) => (d.mesh.istio = { valuesFiles: { istiod: ['values/missing.yaml'] } }));
    expectProblem(text, 'mesh.istio.valuesFiles.istiod[0]', /^cannot read values file values\/missing\.yaml \(not read\): paths are relative to the topology file/);
  });

  test('fails if loadBalancerIP is used without a LoadBalancer', () => {
    const text = edited((d) => (d.clusters[1].eastWestGateway = { serviceType: 'NodePort', loadBalancerIP: '10.0.0.1' }));
    expectProblem(text, 'clusters[1].eastWestGateway.loadBalancerIP', /^applies only to serviceType LoadBalancer/);
  });

  test('fails if loadBalancerIP differs from the IP address remotes are given', () => {
    const text = edited((d) => (d.clusters[1].eastWestGateway = { address: '10.0.0.2', loadBalancerIP: '10.0.0.1' }));
    expectProblem(text, 'clusters[1].eastWestGateway.loadBalancerIP', /^differs from eastWestGateway\.address "10\.0\.0\.2"/);
  });

  test('fails if a source range is not a CIDR', () => {
    const text = edited((d) => (d.clusters[1].eastWestGateway = { loadBalancerSourceRanges: ['10.0.0.0'] }));
    expectProblem(text, 'clusters[1].eastWestGateway.loadBalancerSourceRanges[0]', /^must be a CIDR/);
  });

  test('fails if replicas and autoscaling are both given', () => {
    const text = edited((d) => (d.clusters[1].eastWestGateway = { replicas: 2, autoscaling: { maxReplicas: 3 } }));
    expectProblem(text, 'clusters[1].eastWestGateway.replicas', /^cannot be combined with autoscaling/);
  });

  test('fails if version weights do not add up to 100', () => {
    const text = edited((d) => (d.services[0].versions = [{ name: 'v1', labels: { version: 'v1' }, weight: 90 }, { name: 'v2', labels: { version: 'v2' }, weight: 20 }]));
    expectProblem(text, 'services[0].versions', 'weights must add up to 100 (got 110)');
  });

  test('fails if only some versions have a weight', () => {
    const text = edited((d) => (d.services[0].versions = [{ name: 'v1', labels: { version: 'v1' }, weight: 100 }, { name: 'v2', labels: { version: 'v2' } }]));
    expectProblem(text, 'services[0].versions[1].weight', /^is required when another version has a weight/);
  });

  test('fails if a version name repeats', () => {
    const text = edited((d) => (d.services[0].versions = [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v1', labels: { version: 'v2' } }]));
    expectProblem(text, 'services[0].versions[1].name', /^duplicate version "v1"/);
  });

  test('fails if combined weights give a fraction of a percent', () => {
    const text = edited((d) => {
      d.services[0].weights = { cluster1: 50, cluster2: 50 };
      d.services[0].versions = [{ name: 'v1', labels: { version: 'v1' }, weight: 95 }, { name: 'v2', labels: { version: 'v2' }, weight: 5 }];
    });
    const found = problems(text).filter((p) => p.path === 'services[0].versions[1].weight');
    expect(found.map((p) => p.message)).toEqual([expect.stringMatching(/^combined with weights\.cluster1 \(50\) gives 2\.5% of the traffic/), expect.stringMatching(/weights\.cluster2/)]);
  });

  test('fails if a patch targets nothing generated', () => {
    const text = edited((d) => (d.clusters[0].patches = [{ patch: { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'nope', namespace: 'sample' }, spec: {} } }]));
    const found = problems(text);
    expect(found.map((p) => [p.path, p.message])).toEqual([['clusters[0].patches[0].patch', expect.stringMatching(/^targets DestinationRule sample\/nope, which cluster "cluster1" does not have/)]]);
    expect(found[0].position).toBeDefined();
  });

  test('fails if a JSON 6902 patch has no target', () => {
    const text = edited((d) => (d.clusters[0].patches = [{ patch: [{ op: 'add', path: '/metadata/labels/x', value: 'y' }] }]));
    expectProblem(text, 'clusters[0].patches[0].patch', /^is a JSON 6902 patch .*add a "target"/);
  });

  test('a JSON 6902 patch with a target applies with kubectl kustomize', () => {
    const out = synthText(edited((d) => (d.mesh.patches = [{ patch: [{ op: 'add', path: '/metadata/labels', value: { team: 'mesh' } }], target: { kind: 'PeerAuthentication', name: 'default' } }])));
    const dir = writeTempTree(out.tree);
    const built = loadAll(execFileSync('kubectl', ['kustomize', path.join(dir, 'cluster1', 'mesh')], { encoding: 'utf8' })) as Manifest[];
    expect(built.find((m) => m.kind === 'PeerAuthentication')!.metadata.labels).toEqual({ team: 'mesh' });
  });

  test('fails if an own object is a generated one', () => {
    const text = edited((d) => (d.clusters[0].objects = [{ directory: 'own' }]));
    const found = problems(text, inputs({ 'own/pa.yaml': 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {}\n' }, { own: ['pa.yaml'] }));
    expect(found.map((p) => [p.file, p.message])).toEqual([['own/pa.yaml', expect.stringMatching(/^PeerAuthentication istio-system\/default is generated by meshfleet in cluster "cluster1" \(layer mesh\)/)]]);
  });

  test('fails if an own VirtualService claims a host meshfleet routes (conflicting VirtualServices)', () => {
    const text = edited((d) => {
      d.services[0].weights = { cluster1: 50, cluster2: 50 };
      d.clusters[0].objects = [{ directory: 'own' }];
    });
    const vs = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: mine, namespace: sample}\nspec:\n  hosts: [helloworld]\n  http: [{route: [{destination: {host: helloworld}}]}]\n';
    const found = problems(text, inputs({ 'own/vs.yaml': vs }, { own: ['vs.yaml'] }));
    expect(found.map((p) => p.message)).toEqual([expect.stringMatching(/^VirtualService sample\/mine is a second VirtualService for helloworld, which meshfleet's sample\/helloworld already configures/)]);
  });

  test('fails if an own object is a Secret', () => {
    const text = edited((d) => (d.mesh.objects = [{ directory: 'own', layer: 'platform' }]));
    const found = problems(text, inputs({ 'own/s.yaml': 'apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: sample}\nstringData: {a: b}\n' }, { own: ['s.yaml'] }));
    expect(found.map((p) => [p.file, p.position, p.message])).toEqual([['own/s.yaml', { line: 1, column: 1 }, expect.stringMatching(/^is a Secret: secret material never goes into the output/)]]);
  });

  test('library users add constructs to a layer in code, and they are checked like own objects', () => {
    const { synthesizeFleet } = require('../clusters/fleet') as typeof import('../clusters/fleet');
    const { ApiObject } = require('cdk8s') as typeof import('cdk8s');
    const topology = parseTopology(MINIMAL_TOPOLOGY, 'mesh.yaml');
    const tree = synthesizeFleet(topology, {
      customize: (stack) => new ApiObject(stack.layer('platform'), 'quota', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'istio', namespace: 'istio-system' }, spec: { hard: { pods: '50' } } }),
    });
    expect(tree.get('cluster1/platform/kustomization.yaml')).toContain('resourcequota.istio-system.istio.yaml');
  });
});

test('meshfleet validate reads the files a topology names and reports a patch that targets nothing, at the topology entry', () => {
  const { cpSync, mkdtempSync, readFileSync, writeFileSync } = require('node:fs') as typeof import('node:fs');
  const dir = mkdtempSync(path.join(require('node:os').tmpdir(), 'meshfleet-hatches-'));
  cpSync(path.join(ROOT, 'examples'), dir, { recursive: true });
  const patch = path.join(dir, 'production', 'patches', 'reviews-connection-pool.yaml');
  writeFileSync(patch, readFileSync(patch, 'utf8').replace('name: reviews', 'name: reviewz'));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const { run } = require('../src/cli') as typeof import('../src/cli');
    expect(run(['validate', '--topology', path.join(dir, 'production.yaml')], {})).toBe(1);
    const text = stderr.mock.calls.map((c) => String(c[0])).join('');
    expect(text).toContain(`${path.join(dir, 'production.yaml')}:20:13: mesh.patches[0].file: targets DestinationRule bookinfo/reviewz, which no cluster has`);
  } finally {
    stderr.mockRestore();
    stdout.mockRestore();
  }
});

test('the generated chart data matches the pinned charts (node scripts/chart-data.js --check)', () => {
  expect(() => execFileSync('node', [path.join(ROOT, 'scripts', 'chart-data.js'), '--check'], { encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
});
