/**
 * `meshfleet check`, checks 3-5: Istio's analyzers offline, the cross-cluster checks and
 * staleness, each on a hand-edited or broken output, asserting code and message; and zero
 * findings on every bundled example.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { dump, load } from 'js-yaml';
import type { Finding } from '../src/check/finding';
import { runChecks } from '../src/check/run-checks';
import { ManifestValidator } from '../src/check/schema-validator';
import { upstreamBundle } from './support/crd-schema';
import { ROOT, synthFile, synthText, type Synthesized } from './support/synth';
import { editTopology, MINIMAL_TOPOLOGY } from './support/topology-edits';

const validator = new ManifestValidator(upstreamBundle());
const docs = synthFile('examples/docs-multi-primary.yaml');
const minimal = synthText(MINIMAL_TOPOLOGY);
const fleet = synthFile('examples/global-fleet.yaml');

type Tree = Map<string, string>;
type Fleet = Pick<Synthesized, 'topology' | 'tree'>;

function check(s: Fleet, tree: ReadonlyMap<string, string> = s.tree): Finding[] {
  return runChecks({ topology: s.topology, output: tree, validator });
}

const key = (f: Finding) => JSON.stringify([f.code, f.file, f.path, f.message]);

/** Findings of `tree` that the unedited output of `s` does not have. */
function added(s: Fleet, tree: ReadonlyMap<string, string>): Finding[] {
  const before = new Set(check(s).map(key));
  return check(s, tree).filter((f) => !before.has(key(f)));
}

/** The output with one object file edited (parsed, changed by `edit`, dumped again). */
function edit(s: Fleet, file: string, change: (doc: any) => void): Tree {
  const tree = new Map(s.tree);
  const doc = load(tree.get(file)!) as any;
  change(doc);
  tree.set(file, dump(doc));
  return tree;
}

function withFile(s: Fleet, file: string, doc: unknown, base: ReadonlyMap<string, string> = s.tree): Tree {
  return new Map([...base, [file, dump(doc)]]);
}

const summary = (fs: readonly Finding[]) => fs.map((f) => ({ code: f.code, severity: f.severity, file: f.file, path: f.path, message: f.message }));

const EXAMPLES = readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => `examples/${f}`);

describe('bundled examples', () => {
  test('every example is covered', () => {
    expect(EXAMPLES).toEqual(expect.arrayContaining(['examples/docs-multi-primary.yaml', 'examples/global-fleet.yaml', 'examples/production.yaml']));
  });

  test.each([...EXAMPLES, '__tests__/fixtures/minimal.yaml'])('%s: zero findings', (file) => {
    expect(summary(check(synthFile(file)))).toEqual([]);
  });
});

describe('Istio analyzers (offline)', () => {
  test('IST0109: a hand-written VirtualService for a host meshfleet already routes', () => {
    const tree = withFile(docs, 'cluster1/mesh/virtualservice.sample.mine.yaml', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'mine', namespace: 'sample' },
      spec: { hosts: ['helloworld.sample.global'], http: [{ route: [{ destination: { host: 'helloworld.sample.svc.cluster.local' } }] }] },
    });
    const found = added(docs, tree);
    expect(found.map((f) => [f.code, f.file])).toEqual([
      ['IST0109', 'cluster1/mesh/virtualservice.sample.helloworld.global.yaml'],
      ['IST0109', 'cluster1/mesh/virtualservice.sample.mine.yaml'],
    ]);
    expect(found[0].message).toBe('the VirtualServices sample/helloworld.global,sample/mine associated with mesh gateway define the same host helloworld.sample.global which can lead to undefined behavior');
    expect(found[0].link).toBe('https://istio.io/latest/docs/reference/config/analysis/ist0109/');
  });

  test('IST0101: a Gateway whose selector matches no gateway the HelmReleases install', () => {
    const tree = edit(docs, 'cluster1/mesh/gateway.istio-system.cross-network-gateway.yaml', (gw) => {
      gw.spec.selector = { istio: 'eastwest-gateway' };
    });
    expect(summary(added(docs, tree))).toEqual([{
      code: 'IST0101', severity: 'error', file: 'cluster1/mesh/gateway.istio-system.cross-network-gateway.yaml', path: 'spec.selector',
      message: 'referenced selector not found: "istio=eastwest-gateway"',
    }]);
  });

  test('IST0101: the gateway selector follows the chart values (labels.istio overrides the name)', () => {
    const tree = edit(docs, 'cluster1/control-plane/helmrelease.istio-system.istio-eastwestgateway.yaml', (hr) => {
      hr.spec.values.labels = { istio: 'ew' };
    });
    expect(added(docs, tree).map((f) => [f.code, f.file, f.message])).toEqual([
      ['IST0101', 'cluster1/mesh/gateway.istio-system.cross-network-gateway.yaml', 'referenced selector not found: "istio=eastwestgateway"'],
    ]);
  });

  test('IST0101 and MF104: with istioctl delivery, the gateways come from the IstioOperator', () => {
    const tree = new Map(minimal.tree);
    tree.delete('cluster2/istioctl/istiooperator.istio-system.eastwest.yaml');
    expect(added(minimal, tree).map((f) => [f.code, f.cluster, f.message])).toEqual([
      ['MF104', undefined, 'network network2 receives cross-network traffic but no cluster on it installs an east-west gateway (labelled topology.istio.io/network: network2)'],
      ['IST0101', 'cluster2', 'referenced selector not found: "istio=eastwestgateway"'],
    ]);
  });

  test('IST0127: an AuthorizationPolicy selecting no workload of its namespace', () => {
    const tree = edit(docs, 'cluster2/mesh/authorizationpolicy.sample.helloworld.yaml', (ap) => {
      ap.spec.selector.matchLabels = { app: 'hello-world' };
    });
    const found = added(docs, tree);
    expect(summary(found.filter((f) => f.code === 'IST0127'))).toEqual([{
      code: 'IST0127', severity: 'warning', file: 'cluster2/mesh/authorizationpolicy.sample.helloworld.yaml', path: 'spec.selector.matchLabels',
      message: 'no matching workloads for this resource with the following labels: app=hello-world',
    }]);
  });

  test('IST0127: a root-namespace policy sees every namespace, others only their own, and every selector label must match', () => {
    const policy = (namespace: string, name: string, matchLabels: Record<string, string>) => ({
      apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace },
      spec: { selector: { matchLabels }, action: 'ALLOW', rules: [{}] },
    });
    let tree = withFile(docs, 'cluster1/mesh/authorizationpolicy.istio-system.hello.yaml', policy('istio-system', 'hello', { app: 'helloworld' }));
    tree = withFile(docs, 'cluster1/mesh/authorizationpolicy.sample.pilot.yaml', policy('sample', 'pilot', { app: 'istiod' }), tree);
    tree = withFile(docs, 'cluster1/mesh/authorizationpolicy.sample.v1.yaml', policy('sample', 'v1', { app: 'helloworld', version: 'v1' }), tree);
    expect(added(docs, tree).filter((f) => f.code === 'IST0127').map((f) => [f.file, f.message])).toEqual([
      ['cluster1/mesh/authorizationpolicy.sample.pilot.yaml', 'no matching workloads for this resource with the following labels: app=istiod'],
      ['cluster1/mesh/authorizationpolicy.sample.v1.yaml', 'no matching workloads for this resource with the following labels: app=helloworld,version=v1'],
    ]);
  });

  test('IST0101: a route to a host nothing defines, and to a subset no DestinationRule defines', () => {
    const tree = edit(docs, 'cluster1/mesh/virtualservice.sample.helloworld.global.yaml', (vs) => {
      vs.spec.http[0].route = [
        { destination: { host: 'helloworld.sample.svc.cluster.local', subset: 'v9' }, weight: 50 },
        { destination: { host: 'hellowrld.sample.svc.cluster.local' }, weight: 50 },
      ];
    });
    expect(added(docs, tree).map((f) => [f.code, f.path, f.message])).toEqual([
      ['IST0101', 'spec.http[0].route[0].destination.subset', 'referenced host+subset in destinationrule not found: "helloworld.sample.svc.cluster.local+v9"'],
      ['IST0101', 'spec.http[0].route[1].destination.host', 'referenced host not found: "hellowrld.sample.svc.cluster.local"'],
    ]);
  });

  test('IST0173: a subset selecting a cluster the service does not run in (topology.istio.io/cluster)', () => {
    const tree = edit(docs, 'cluster1/mesh/destinationrule.sample.helloworld.yaml', (dr) => {
      dr.spec.subsets = [{ name: 'cluster3', labels: { 'topology.istio.io/cluster': 'cluster3' } }];
    });
    const found = added(docs, tree).filter((f) => f.code === 'IST0173');
    expect(summary(found)).toEqual([{
      code: 'IST0173', severity: 'error', file: 'cluster1/mesh/destinationrule.sample.helloworld.yaml', path: 'spec.subsets[0]',
      message: 'the subset cluster3 defined in the DestinationRule does not select any pods, which may lead to 503 UH (NoHealthyUpstream): helloworld does not run in cluster3',
    }]);
    expect(found[0].topology).toBe('services[helloworld]');
  });

  test('IST0174 and MF201: a DestinationRule for an unknown host; a subset no route uses', () => {
    const unknownHost = withFile(docs, 'cluster1/mesh/destinationrule.sample.ghost.yaml', {
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'ghost', namespace: 'sample' },
      spec: { host: 'ghost.sample.svc.cluster.local' },
    });
    expect(added(docs, unknownHost).map((f) => [f.code, f.severity, f.message])).toEqual([
      ['IST0174', 'warning', 'the host ghost.sample.svc.cluster.local defined in the DestinationRule does not match any services in the mesh'],
    ]);
    const unused = withFile(docs, 'cluster1/mesh/destinationrule.sample.extra.yaml', {
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'extra', namespace: 'sample' },
      spec: { host: 'helloworld.sample.svc.cluster.local', subsets: [{ name: 'v2', labels: { version: 'v2' } }] },
    });
    expect(added(docs, unused).map((f) => [f.code, f.severity, f.message])).toEqual([
      ['MF201', 'info', 'subset v2 of helloworld.sample.svc.cluster.local is used by no route in cluster1'],
    ]);
  });

  test('MF202: a Sidecar egress host that matches no service', () => {
    const tree = edit(docs, 'cluster1/mesh/sidecar.sample.default.yaml', (sc) => {
      sc.spec.egress[0].hosts.push('sample/helloword.sample.svc.cluster.local');
    });
    expect(summary(added(docs, tree))).toEqual([{
      code: 'MF202', severity: 'warning', file: 'cluster1/mesh/sidecar.sample.default.yaml', path: 'spec.egress[0].hosts[3]',
      message: 'egress host sample/helloword.sample.svc.cluster.local matches no service or ServiceEntry visible in namespace sample',
    }]);
  });

  test('MF203: two ServiceEntries defining one host', () => {
    const tree = withFile(docs, 'cluster1/mesh/serviceentry.sample.copy.yaml', {
      apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'copy', namespace: 'sample' },
      spec: { hosts: ['helloworld.sample.global'], ports: [{ name: 'http', number: 5000, protocol: 'HTTP' }], resolution: 'STATIC', location: 'MESH_INTERNAL' },
    });
    expect(added(docs, tree).map((f) => [f.code, f.file, f.message])).toEqual([
      ['MF203', 'cluster1/mesh/serviceentry.sample.copy.yaml', 'host helloworld.sample.global is also defined by ServiceEntry sample/helloworld.global'],
    ]);
  });

  test('MF203: ServiceEntries of one host clash only where their export scopes meet', () => {
    const entry = (namespace: string, name: string, host: string, exportTo: string[]) => ({
      apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name, namespace },
      spec: { hosts: [host], exportTo, ports: [{ name: 'tcp', number: 5432, protocol: 'TCP' }], resolution: 'DNS', location: 'MESH_EXTERNAL' },
    });
    let tree = withFile(docs, 'cluster1/mesh/serviceentry.sample.db.yaml', entry('sample', 'db', 'db.example.com', ['.']));
    tree = withFile(docs, 'cluster1/mesh/serviceentry.team.db.yaml', entry('team', 'db', 'db.example.com', ['sample']), tree);
    tree = withFile(docs, 'cluster1/mesh/serviceentry.sample.cache.yaml', entry('sample', 'cache', 'cache.example.com', ['.']), tree);
    tree = withFile(docs, 'cluster1/mesh/serviceentry.team.cache.yaml', entry('team', 'cache', 'cache.example.com', ['.']), tree);
    expect(added(docs, tree).filter((f) => f.code === 'MF203').map((f) => [f.file, f.message])).toEqual([
      ['cluster1/mesh/serviceentry.team.db.yaml', 'host db.example.com is also defined by ServiceEntry sample/db'],
    ]);
  });
});

describe('across clusters', () => {
  test('MF101 and MF102: a hand-edited mesh ID and trust domain', () => {
    const tree = edit(docs, 'cluster2/control-plane/helmrelease.istio-system.istiod.yaml', (hr) => {
      hr.spec.values.global.meshID = 'mesh2';
      hr.spec.values.meshConfig.trustDomain = 'example.org';
    });
    expect(added(docs, tree).map((f) => [f.code, f.path, f.message, f.topology])).toEqual([
      ['MF101', 'spec.values.global.meshID', 'global.meshID is "mesh2", but the mesh is "mesh1" in every other cluster', 'mesh.id'],
      ['MF102', 'spec.values.meshConfig.trustDomain', 'meshConfig.trustDomain is "example.org", but the mesh trust domain is "cluster.local": mTLS and AuthorizationPolicies across clusters fail', 'mesh.trustDomain'],
    ]);
  });

  test('MF103: cluster names in istiod values, remote-secret keys and the injection path', () => {
    let tree = edit(docs, 'cluster1/control-plane/helmrelease.istio-system.istiod.yaml', (hr) => {
      hr.spec.values.global.multiCluster.clusterName = 'cluster-1';
    });
    expect(added(docs, tree).map((f) => f.message)).toEqual(['global.multiCluster.clusterName is "cluster-1" in the output of cluster cluster1']);
    tree = edit(docs, 'cluster1/platform/externalsecret.istio-system.istio-remote-secret-cluster2.yaml', (es) => {
      es.spec.target.template.metadata.annotations['networking.istio.io/cluster'] = 'cluster3';
    });
    expect(added(docs, tree).map((f) => [f.code, f.message])).toEqual([
      ['MF103', 'remote secret key "cluster2" and its networking.istio.io/cluster annotation "cluster3" disagree'],
    ]);
    const file = [...fleet.tree.keys()].find((f) => /^west-edge\/control-plane\/helmrelease\..*istiod\.yaml$/.test(f))!;
    tree = edit(fleet, file, (hr) => {
      hr.spec.values.istiodRemote.injectionPath = '/inject/cluster/west/net/net-west';
    });
    expect(added(fleet, tree).map((f) => [f.code, f.message])).toEqual([
      ['MF103', 'istiodRemote.injectionPath is "/inject/cluster/west/net/net-west", but cluster west-edge on network net-west needs "/inject/cluster/west-edge/net/net-west"'],
    ]);
  });

  test('MF104: a network receiving cross-network traffic without its east-west gateway', () => {
    const tree = new Map(docs.tree);
    tree.delete('cluster2/control-plane/helmrelease.istio-system.istio-eastwestgateway.yaml');
    const found = added(docs, tree).filter((f) => f.code === 'MF104');
    expect(found.map((f) => [f.message, f.topology])).toEqual([
      ['network network2 receives cross-network traffic but no cluster on it installs an east-west gateway (labelled topology.istio.io/network: network2)', 'services[helloworld]'],
    ]);
    const noGateway = new Map(docs.tree);
    noGateway.delete('cluster1/mesh/gateway.istio-system.cross-network-gateway.yaml');
    expect(added(docs, noGateway).map((f) => f.message)).toEqual([
      'network network1 receives cross-network traffic but no Gateway exposes port 15443 with tls.mode AUTO_PASSTHROUGH (cross-network-gateway)',
    ]);
  });

  test('MF105: a remote whose primary no longer exposes istiod', () => {
    const tree = new Map(fleet.tree);
    tree.delete('west/mesh/gateway.istio-system.istiod-gateway.yaml');
    expect(added(fleet, tree).map((f) => [f.code, f.cluster, f.message, f.topology])).toEqual([
      ['MF105', 'west', 'remote west-edge reaches istiod through west, but west exposes no Gateway port 15012, 15017', 'clusters[west-edge].controlPlane'],
    ]);
  });

  test('MF106: a caller the Sidecar, the exportTo or the AuthorizationPolicy leaves out', () => {
    const sidecar = edit(docs, 'cluster2/mesh/sidecar.sample.default.yaml', (sc) => {
      sc.spec.egress[0].hosts = ['istio-system/*'];
    });
    expect(added(docs, sidecar).filter((f) => f.code === 'MF106').map((f) => [f.file, f.message, f.topology])).toEqual([
      ['cluster2/mesh/sidecar.sample.default.yaml', 'cluster.local/ns/sample/sa/curl in cluster2 calls helloworld.sample.svc.cluster.local, but the Sidecar of namespace sample does not list it in spec.egress hosts', 'services[helloworld].consumers[0]'],
    ]);
    const policy = edit(docs, 'cluster1/mesh/authorizationpolicy.sample.helloworld.yaml', (ap) => {
      ap.spec.rules[0].from[0].source.principals = ['cluster.local/ns/sample/sa/curl2'];
    });
    expect(added(docs, policy).map((f) => [f.code, f.message])).toEqual([
      ['MF106', 'cluster.local/ns/sample/sa/curl calls helloworld in cluster1, but no ALLOW AuthorizationPolicy of the service admits it'],
    ]);
    const exported = edit(docs, 'cluster1/mesh/destinationrule.sample.helloworld.yaml', (dr) => {
      dr.spec.exportTo = ['istio-system'];
    });
    expect(added(docs, exported).map((f) => [f.code, f.message])).toEqual([
      ['MF106', 'cluster.local/ns/sample/sa/curl in cluster1 calls helloworld.sample.svc.cluster.local, but this DestinationRule is not exported to namespace sample'],
    ]);
  });

  test('MF106: a caller in a cluster where a cluster-local service does not run (broken topology)', () => {
    const text = editTopology(MINIMAL_TOPOLOGY, (doc) => {
      doc.services[0].clusterLocal = true;
      doc.services[0].runsIn = ['cluster1'];
      doc.services[0].consumers[0].clusters = ['cluster1'];
    });
    const s = synthText(text);
    const broken: Fleet = { tree: s.tree, topology: { ...s.topology, services: s.topology.services.map((x) => ({ ...x, consumers: x.consumers.map((c) => ({ ...c, clusters: ['cluster1', 'cluster2'] })) })) } };
    expect(check(broken).filter((f) => f.code === 'MF106').map((f) => f.message)).toContain(
      'cluster.local/ns/sample/sa/curl in cluster2 calls helloworld.sample.svc.cluster.local, which is cluster-local and does not run in cluster2');
  });

  test('MF107: a failover target region where the service does not run', () => {
    const tree = edit(docs, 'cluster1/mesh/destinationrule.sample.helloworld.yaml', (dr) => {
      dr.spec.trafficPolicy.loadBalancer = { localityLbSetting: { enabled: true, failover: [{ from: 'region1', to: 'region3' }] } };
    });
    expect(added(docs, tree).map((f) => [f.code, f.path, f.message])).toEqual([
      ['MF107', 'spec.trafficPolicy.loadBalancer.localityLbSetting.failover[0].to', 'failover from region1 to region3, but helloworld runs in no cluster of region region3'],
    ]);
  });

  test('MF108 and MF109: ports that differ across clusters; a host claimed by two namespaces', () => {
    const ports = edit(docs, 'cluster2/mesh/serviceentry.sample.helloworld.global.yaml', (se) => {
      se.spec.ports[0].protocol = 'TCP';
    });
    expect(added(docs, ports).map((f) => [f.code, f.cluster, f.message])).toEqual([
      ['MF108', 'cluster2', 'host helloworld.sample.global has ports ["5000/TCP"] here but ["5000/HTTP"] in ServiceEntry sample/helloworld.global of cluster1'],
    ]);
    const claimed = withFile(docs, 'cluster2/mesh/serviceentry.other.helloworld.yaml', {
      apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'helloworld', namespace: 'other' },
      spec: { hosts: ['helloworld.sample.global'], exportTo: ['other'], ports: [{ name: 'http', number: 5000, protocol: 'HTTP' }], resolution: 'STATIC', location: 'MESH_INTERNAL' },
    });
    expect(added(docs, claimed).map((f) => [f.code, f.message])).toEqual([
      ['MF109', 'host helloworld.sample.global is claimed by namespace other here and by namespace sample in cluster1'],
    ]);
  });
});

describe('staleness', () => {
  test('MF010: a hand edit shows as a line diff against what the topology synthesizes', () => {
    const file = 'cluster1/mesh/peerauthentication.istio-system.default.yaml';
    const output = new Map(docs.tree);
    output.set(file, docs.tree.get(file)!.replace('mode: STRICT', 'mode: PERMISSIVE'));
    const found = runChecks({ topology: docs.topology, output, expected: docs.tree, validator }).filter((f) => f.code === 'MF010');
    expect(found.map((f) => [f.file, f.message])).toEqual([[file,
      'differs from what the topology synthesizes (- synthesized, + found):\n@@ line 9 @@\n-     mode: STRICT\n+     mode: PERMISSIVE']]);
  });
});
