/**
 * Global services: which primary carries which service's config, and what that config says.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { controlPlaneValues } from '../constructs/helm-values';
import { serviceMeshConfig } from '../constructs/service-mesh-config';
import { MeshFacts, parseTopology } from '../topology';
import { validateManifests } from './support/crd-schema';
import { Manifest, ROOT, synthFile, synthText, Synthesized } from './support/synth';
import { editTopology } from './support/topology-edits';

/** The kinds the global-services work emits. */
const KINDS = ['DestinationRule', 'VirtualService', 'ServiceEntry', 'Sidecar', 'AuthorizationPolicy'];

/** A small fleet: primaries c1 (n1, r1) and c2 (n2, r2), c3 a remote of c2 on n2 in r2. */
function fleet(services: string, extra: { readonly c1?: string; readonly c2?: string } = {}): string {
  return `
apiVersion: meshfleet.dev/v1alpha1
kind: MeshTopology
mesh: { id: m, trustDomain: example.org }
clusters:
  - { name: c1, role: primary, network: n1, region: r1, apiServer: "https://c1.example.com:6443"${extra.c1 ?? ''} }
  - { name: c2, role: primary, network: n2, region: r2, apiServer: "https://c2.example.com:6443", eastWestGateway: { address: 203.0.113.2 }${extra.c2 ?? ''} }
  - { name: c3, role: remote, controlPlane: c2, network: n2, region: r2, apiServer: "https://c3.example.com:6443" }
services:
${services}
`;
}

/** Objects of the global-services kinds in a cluster's mesh directory, as `Kind ns/name`. */
function meshObjects(out: Synthesized, cluster: string): string[] {
  return out
    .manifests(`${cluster}/mesh/`)
    .filter((m) => KINDS.includes(m.kind) && m.metadata.namespace !== 'istio-system')
    .map((m) => `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`)
    .sort();
}

function has(out: Synthesized, cluster: string, kind: string, name: string, namespace: string): boolean {
  return out.ofKind(`${cluster}/mesh/`, kind).some((m) => m.metadata.name === name && m.metadata.namespace === namespace);
}

function istiodMeshConfig(out: Synthesized, cluster: string): any {
  const facts = new MeshFacts(out.topology);
  return (controlPlaneValues(facts, facts.cluster(cluster)).istiod as any).meshConfig;
}

describe('global services in examples/global-fleet.yaml', () => {
  const out = synthFile('examples/global-fleet.yaml');
  const primaries = ['east', 'eu', 'west'];

  test('a service appears exactly in the primaries where a replica or a declared caller lives', () => {
    const withDestinationRule = (service: string, namespace: string) => primaries.filter((p) => has(out, p, 'DestinationRule', service, namespace));
    // productpage runs in east and west; frontend callers run in east and eu-edge (a remote of eu).
    expect(withDestinationRule('productpage', 'bookinfo')).toEqual(['east', 'eu', 'west']);
    // details runs in east and west and is called only there: nothing in eu.
    expect(withDestinationRule('details', 'bookinfo')).toEqual(['east', 'west']);
    // ratings runs in eu and west-edge (a remote of west), called by reviews wherever bookinfo exists.
    expect(withDestinationRule('ratings', 'bookinfo')).toEqual(['east', 'eu', 'west']);
    // ledger runs only in eu-edge (a remote of eu) and is called from east: eu and east, not west.
    expect(withDestinationRule('ledger', 'payments')).toEqual(['east', 'eu']);
    expect(meshObjects(out, 'west').filter((o) => o.includes('payments/'))).toEqual([]);
  });

  test('placement follows the rule "runs or is called in the primary or one of its remotes" for every service', () => {
    const facts = new MeshFacts(out.topology);
    for (const service of out.topology.services.filter((s) => !s.clusterLocal)) {
      const clusters = [...service.runsIn, ...service.consumers.flatMap((c) => c.clusters)];
      const expected = [...new Set(clusters.map((c) => facts.controlPlaneOf(facts.cluster(c)).name))].sort();
      const actual = primaries.filter((p) => has(out, p, 'DestinationRule', service.name, service.namespace));
      expect({ service: service.name, primaries: actual }).toEqual({ service: service.name, primaries: expected });
    }
  });

  test('remotes get no Istio config: their primary serves them', () => {
    for (const remote of ['eu-edge', 'west-edge']) expect(meshObjects(out, remote)).toEqual([]);
  });

  test('the DestinationRule has mTLS, a subset per routed cluster keyed by topology.istio.io/cluster, and failover with outlier detection', () => {
    const dr = out.get('east/mesh/', 'DestinationRule', 'reviews', 'bookinfo');
    expect(dr.apiVersion).toBe('networking.istio.io/v1');
    expect(dr.spec.host).toBe('reviews.bookinfo.svc.cluster.local');
    expect(dr.spec.subsets).toEqual([
      { name: 'east', labels: { 'topology.istio.io/cluster': 'east' } },
      { name: 'eu', labels: { 'topology.istio.io/cluster': 'eu' } },
      { name: 'west', labels: { 'topology.istio.io/cluster': 'west' } },
    ]);
    // mesh.outlierDetection of the example, plus the built-in maxEjectionPercent
    const outlierDetection = { consecutive5xxErrors: 3, interval: '5s', baseEjectionTime: '1m', maxEjectionPercent: 100 };
    expect(dr.spec.trafficPolicy).toEqual({ tls: { mode: 'ISTIO_MUTUAL' }, outlierDetection });
    // callers' namespaces, plus istio-system: the east-west gateway builds per-subset SNI clusters from it
    expect(dr.spec.exportTo).toEqual(['bookinfo', 'istio-system']);
    const productpage = out.get('eu/mesh/', 'DestinationRule', 'productpage', 'bookinfo');
    expect(productpage.spec.trafficPolicy).toEqual({
      tls: { mode: 'ISTIO_MUTUAL' },
      loadBalancer: {
        localityLbSetting: {
          enabled: true,
          failover: [
            { from: 'us-east1', to: 'us-west1' },
            { from: 'us-west1', to: 'us-east1' },
          ],
        },
      },
      outlierDetection,
    });
    expect(productpage.spec.exportTo).toEqual(['bookinfo', 'frontend', 'istio-system']);
    const ratings = out.get('west/mesh/', 'DestinationRule', 'ratings', 'bookinfo');
    expect(ratings.spec.trafficPolicy.loadBalancer.localityLbSetting).toEqual({
      enabled: true,
      failoverPriority: ['topology.istio.io/network', 'topology.kubernetes.io/region'],
    });
    // No route uses per-cluster subsets of an unweighted service: none (istioctl analyze would report each as IST0173).
    expect(ratings.spec.subsets).toBeUndefined();
    expect(productpage.spec.subsets).toBeUndefined();
  });

  test('subsets exist exactly where a VirtualService routes to them; a 0 weight gets no subset', () => {
    const zero = synthText(editTopology(readFileSync(path.join(ROOT, 'examples/global-fleet.yaml'), 'utf8'), (d) => {
      d.services.find((x: any) => x.name === 'reviews').weights = { east: 70, west: 30, eu: 0 };
    }));
    for (const p of ['east', 'west', 'eu']) {
      const dr = zero.get(`${p}/mesh/`, 'DestinationRule', 'reviews', 'bookinfo');
      expect(dr.spec.subsets).toEqual([
        { name: 'east', labels: { 'topology.istio.io/cluster': 'east' } },
        { name: 'west', labels: { 'topology.istio.io/cluster': 'west' } },
      ]);
      const routed = zero.get(`${p}/mesh/`, 'VirtualService', 'reviews', 'bookinfo').spec.http[0].route.map((r: any) => r.destination.subset);
      expect(routed).toEqual(['east', 'west']);
    }
    for (const dr of zero.ofKind('', 'DestinationRule').filter((d) => d.metadata.name !== 'reviews')) expect(dr.spec.subsets).toBeUndefined();
  });

  test('every DestinationRule carries the mesh\'s outlier detection, so Istio applies its failover', () => {
    const rules = out.ofKind('', 'DestinationRule').filter((m) => m.metadata.namespace !== 'istio-system');
    expect(rules.length).toBeGreaterThan(0);
    for (const dr of rules) {
      expect({ rule: `${dr.metadata.namespace}/${dr.metadata.name}`, outlierDetection: dr.spec.trafficPolicy.outlierDetection }).toEqual({
        rule: `${dr.metadata.namespace}/${dr.metadata.name}`,
        // the example's mesh.outlierDetection, and the built-in maxEjectionPercent
        outlierDetection: { consecutive5xxErrors: 3, interval: '5s', baseEjectionTime: '1m', maxEjectionPercent: 100 },
      });
    }
  });

  test('a weighted service gets a VirtualService splitting traffic across its cluster subsets', () => {
    const vs = out.get('eu/mesh/', 'VirtualService', 'reviews', 'bookinfo');
    expect(vs.spec.hosts).toEqual(['reviews.bookinfo.svc.cluster.local']);
    expect(vs.spec.exportTo).toEqual(['bookinfo']);
    expect(vs.spec.http).toEqual([
      {
        name: 'http',
        match: [{ port: 9080 }],
        route: [
          { destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'east', port: { number: 9080 } }, weight: 50 },
          { destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'eu', port: { number: 9080 } }, weight: 20 },
          { destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'west', port: { number: 9080 } }, weight: 30 },
        ],
      },
    ]);
    expect(vs.spec.tcp).toBeUndefined();
  });

  test('a service without weights gets no VirtualService on its host (it would only shadow user routes)', () => {
    for (const p of primaries) {
      const hosts = out.ofKind(`${p}/mesh/`, 'VirtualService').flatMap((m) => m.spec.hosts);
      expect(hosts).not.toContain('productpage.bookinfo.svc.cluster.local');
      expect(hosts).not.toContain('details.bookinfo.svc.cluster.local');
    }
  });

  test('the .global alias is a ports-only ServiceEntry plus a VirtualService to the real host', () => {
    for (const p of primaries) {
      const se = out.get(`${p}/mesh/`, 'ServiceEntry', 'ratings.global', 'bookinfo');
      expect(se.spec).toEqual({
        hosts: ['ratings.bookinfo.global'],
        exportTo: ['bookinfo'],
        location: 'MESH_INTERNAL',
        resolution: 'STATIC',
        ports: [{ name: 'http', number: 9080, protocol: 'HTTP' }],
      });
      const vs = out.get(`${p}/mesh/`, 'VirtualService', 'ratings.global', 'bookinfo');
      expect(vs.spec).toEqual({
        hosts: ['ratings.bookinfo.global'],
        exportTo: ['bookinfo'],
        http: [{ name: 'http', match: [{ port: 9080 }], route: [{ destination: { host: 'ratings.bookinfo.svc.cluster.local', port: { number: 9080 } } }] }],
      });
    }
  });

  test('no ServiceEntry points at a gateway port 15443 (the removed 1.x .global mechanism)', () => {
    for (const se of out.ofKind('', 'ServiceEntry')) {
      expect(se.spec.endpoints).toBeUndefined();
      expect(se.spec.addresses).toBeUndefined();
      expect(JSON.stringify(se.spec)).not.toContain('15443');
    }
  });

  test('AuthorizationPolicies allow exactly the declared callers, in every primary where the service runs', () => {
    const ap = out.get('eu/mesh/', 'AuthorizationPolicy', 'ledger', 'payments');
    expect(ap.apiVersion).toBe('security.istio.io/v1');
    expect(ap.spec).toEqual({
      selector: { matchLabels: { app: 'ledger' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['fleet.example.com/ns/frontend/sa/gateway'] } }] }],
    });
    const withPolicy = (service: string, namespace: string) => primaries.filter((p) => has(out, p, 'AuthorizationPolicy', service, namespace));
    expect(withPolicy('ledger', 'payments')).toEqual(['eu']); // runs in eu-edge: its primary
    expect(withPolicy('ratings', 'bookinfo')).toEqual(['eu', 'west']); // eu, and west-edge's primary
    expect(withPolicy('inventory-db', 'inventory')).toEqual(['east', 'eu']); // cluster-local services are guarded too
    expect(out.get('west/mesh/', 'AuthorizationPolicy', 'ratings', 'bookinfo').spec.rules[0].from[0].source.principals).toEqual([
      'fleet.example.com/ns/bookinfo/sa/reviews',
    ]);
  });

  test('each consumer namespace gets a Sidecar listing only what it calls, per primary', () => {
    const egress = (p: string, ns: string) => out.get(`${p}/mesh/`, 'Sidecar', 'default', ns).spec.egress;
    expect(egress('east', 'frontend')).toEqual([
      { hosts: ['istio-system/*', 'bookinfo/productpage.bookinfo.svc.cluster.local', 'payments/ledger.payments.svc.cluster.local'] },
    ]);
    expect(egress('east', 'bookinfo')).toEqual([
      {
        hosts: [
          'istio-system/*',
          'bookinfo/details.bookinfo.svc.cluster.local',
          'bookinfo/ratings.bookinfo.global',
          'bookinfo/ratings.bookinfo.svc.cluster.local',
          'bookinfo/reviews.bookinfo.svc.cluster.local',
        ],
      },
    ]);
    expect(egress('east', 'inventory')).toEqual([{ hosts: ['istio-system/*', 'inventory/inventory-db.inventory.svc.cluster.local'] }]);
    // frontend callers run in east and eu-edge only
    expect(has(out, 'west', 'Sidecar', 'default', 'frontend')).toBe(false);
    expect(egress('eu', 'frontend')[0].hosts).toContain('payments/ledger.payments.svc.cluster.local');
    for (const sidecar of out.ofKind('', 'Sidecar')) expect(sidecar.spec.workloadSelector).toBeUndefined();
  });

  test('the cluster-local service gets serviceSettings in every primary and no DR/VS/alias anywhere', () => {
    for (const cluster of out.topology.clusters) {
      const objects = out.manifests(`${cluster.name}/`).filter((m) => ['DestinationRule', 'VirtualService', 'ServiceEntry'].includes(m.kind));
      expect(objects.filter((m) => m.metadata.namespace === 'inventory')).toEqual([]);
      expect(JSON.stringify(objects)).not.toContain('inventory-db');
    }
    for (const p of primaries) {
      expect(istiodMeshConfig(out, p).serviceSettings).toEqual([{ settings: { clusterLocal: true }, hosts: ['inventory-db.inventory.svc.cluster.local'] }]);
    }
  });

  test('DNS capture is on in every primary whose callers use a .global name or a service not running in their cluster', () => {
    for (const p of primaries) expect(istiodMeshConfig(out, p).defaultConfig).toEqual({ proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true' } });
  });

  test('remotes contribute nothing to mesh config (their primary\'s istiod injects and configures them)', () => {
    const facts = new MeshFacts(out.topology);
    for (const remote of ['eu-edge', 'west-edge']) expect(serviceMeshConfig(facts, facts.cluster(remote))).toEqual({});
  });

  test('every generated object passes the pinned CRD schemas', () => {
    const objects = out.manifests().filter((m) => KINDS.includes(m.kind));
    expect(objects.length).toBeGreaterThan(20);
    expect(validateManifests(objects)).toEqual([]);
  });

  test('every namespace a primary\'s service config is written to exists in that primary', () => {
    for (const p of primaries) {
      const namespaces = out.ofKind(`${p}/platform/`, 'Namespace').map((m) => m.metadata.name);
      const used = [...new Set(out.manifests(`${p}/mesh/`).filter((m) => KINDS.includes(m.kind)).map((m) => m.metadata.namespace!))];
      for (const ns of used) expect({ cluster: p, namespace: ns, exists: namespaces.includes(ns) }).toEqual({ cluster: p, namespace: ns, exists: true });
    }
    // ledger's config in east lives in payments, though nothing of east runs there
    expect(out.get('east/platform/', 'Namespace', 'payments').metadata.labels).toEqual({ 'istio-injection': 'enabled' });
  });

  test('the placement is built once per fleet and shared', () => {
    const facts = new MeshFacts(out.topology);
    expect(facts.servicePlacement).toBe(facts.servicePlacement);
    expect(facts.servicePlacement.appNamespacesIn('eu')).toEqual(['bookinfo', 'frontend', 'inventory', 'payments']);
  });
});

describe('global services in examples/docs-multi-primary.yaml', () => {
  const out = synthFile('examples/docs-multi-primary.yaml');

  test('helloworld answers to helloworld.sample.global in both clusters, with DNS capture on', () => {
    for (const cluster of ['cluster1', 'cluster2']) {
      expect(out.get(`${cluster}/mesh/`, 'ServiceEntry', 'helloworld.global', 'sample').spec.hosts).toEqual(['helloworld.sample.global']);
      expect(out.get(`${cluster}/mesh/`, 'VirtualService', 'helloworld.global', 'sample').spec.http[0].route).toEqual([
        { destination: { host: 'helloworld.sample.svc.cluster.local', port: { number: 5000 } } },
      ]);
      expect(istiodMeshConfig(out, cluster).defaultConfig.proxyMetadata).toEqual({ ISTIO_META_DNS_CAPTURE: 'true' });
      expect(istiodMeshConfig(out, cluster).serviceSettings).toBeUndefined();
      expect(out.get(`${cluster}/mesh/`, 'AuthorizationPolicy', 'helloworld', 'sample').spec.rules[0].from[0].source.principals).toEqual([
        'cluster.local/ns/sample/sa/curl',
      ]);
    }
    expect(validateManifests(out.manifests().filter((m) => KINDS.includes(m.kind)))).toEqual([]);
  });
});

describe('global services in small fleets', () => {
  test('a TCP service is routed with tcp routes, weights included, and a per-service outlier override wins', () => {
    const out = synthText(
      fleet(`
  - name: db
    namespace: data
    ports: [{ name: tcp-pg, number: 5432, protocol: TCP }, { name: https, number: 8443, protocol: HTTPS }, { name: grpc, number: 9090, protocol: GRPC }]
    runsIn: [c1, c2]
    consumers: [{ namespace: data, serviceAccount: api }]
    weights: { c1: 100, c2: 0 }
    globalAlias: true
    outlierDetection: { consecutive5xxErrors: 7 }
`),
    );
    const vs = out.get('c1/mesh/', 'VirtualService', 'db', 'data');
    const to = (port: number) => [{ destination: { host: 'db.data.svc.cluster.local', subset: 'c1', port: { number: port } }, weight: 100 }];
    expect(vs.spec.tcp).toEqual([
      { match: [{ port: 5432 }], route: to(5432) },
      { match: [{ port: 8443 }], route: to(8443) },
    ]);
    expect(vs.spec.http).toEqual([{ name: 'grpc', match: [{ port: 9090 }], route: to(9090) }]);
    // the alias cannot delegate to the weighted VirtualService, so it repeats the weights
    const alias = out.get('c1/mesh/', 'VirtualService', 'db.global', 'data');
    expect(alias.spec.tcp).toEqual(vs.spec.tcp);
    expect(alias.spec.http).toEqual(vs.spec.http);
    expect(out.get('c2/mesh/', 'DestinationRule', 'db', 'data').spec.trafficPolicy.outlierDetection).toEqual({
      consecutive5xxErrors: 7,
      interval: '10s',
      baseEjectionTime: '30s',
      maxEjectionPercent: 100,
    });
    expect(out.get('c1/mesh/', 'DestinationRule', 'db', 'data').spec.trafficPolicy.loadBalancer).toBeUndefined();
    expect(validateManifests(out.manifests().filter((m) => KINDS.includes(m.kind)))).toEqual([]);
  });

  test('DNS capture goes only where a caller needs it', () => {
    // runs in c1 and c3 (c2's remote); called from c1 and c2, where it has no replica
    const out = synthText(
      fleet(`
  - name: api
    namespace: shop
    ports: [{ name: http, number: 8080, protocol: HTTP }]
    runsIn: [c1, c3]
    consumers: [{ namespace: web, serviceAccount: web, clusters: [c1, c2] }]
`, { c1: ', namespaces: [web]', c2: ', namespaces: [web]' }),
    );
    expect(istiodMeshConfig(out, 'c1').defaultConfig).toBeUndefined();
    expect(istiodMeshConfig(out, 'c2').defaultConfig).toEqual({ proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true' } });
    expect(meshObjects(out, 'c2')).toEqual(['AuthorizationPolicy shop/api', 'DestinationRule shop/api', 'Sidecar web/default']);
    expect(meshObjects(out, 'c3')).toEqual([]);
  });

  test('a gateway in istio-system may call a service, without a Sidecar or an application namespace there', () => {
    const out = synthText(
      fleet(`
  - name: web
    namespace: shop
    ports: [{ name: http, number: 8080, protocol: HTTP }]
    runsIn: [c1, c2]
    consumers: [{ namespace: istio-system, serviceAccount: istio-ingressgateway, clusters: [c1] }]
`),
    );
    expect(out.get('c1/mesh/', 'AuthorizationPolicy', 'web', 'shop').spec.rules[0].from[0].source.principals).toEqual([
      'example.org/ns/istio-system/sa/istio-ingressgateway',
    ]);
    expect(out.ofKind('', 'Sidecar')).toEqual([]);
    expect(out.ofKind('c1/platform/', 'Namespace').filter((m) => m.metadata.name === 'istio-system')).toHaveLength(1);
  });

  test('a service nobody is declared to call denies every request', () => {
    const out = synthText(
      fleet(`
  - name: vault
    namespace: sec
    ports: [{ name: http, number: 8200, protocol: HTTP }]
    runsIn: [c1]
`),
    );
    const ap: Manifest = out.get('c1/mesh/', 'AuthorizationPolicy', 'vault', 'sec');
    expect(ap.spec).toEqual({ selector: { matchLabels: { app: 'vault' } }, action: 'ALLOW' });
    expect(meshObjects(out, 'c2')).toEqual([]);
  });
});

describe('placement scales linearly', () => {
  test('100 clusters x 1,000 services: each service is placed in exactly its primaries', () => {
    const namespaces = `namespaces: [${Array.from({ length: 20 }, (_, n) => `ns${n}`).join(', ')}]`;
    const clusters = Array.from({ length: 100 }, (_, i) => {
      const primary = i % 4 === 0;
      const apiServer = `"https://k${i}.example.com:6443", ${namespaces}`;
      return primary
        ? `  - { name: k${i}, role: primary, network: n${i}, region: r${i % 10}, apiServer: ${apiServer}, eastWestGateway: { address: 203.0.113.${i} } }`
        : `  - { name: k${i}, role: remote, controlPlane: k${i - (i % 4)}, network: n${i - (i % 4)}, region: r${i % 10}, apiServer: ${apiServer} }`;
    });
    const services = Array.from(
      { length: 1000 },
      (_, i) => `  - { name: s${i}, namespace: ns${i % 20}, ports: [{ name: http, number: 80, protocol: HTTP }], runsIn: [k${i % 100}], consumers: [{ namespace: ns${i % 20}, serviceAccount: c, clusters: [k${(i * 7) % 100}] }] }`,
    );
    const topology = parseTopology(
      `apiVersion: meshfleet.dev/v1alpha1\nkind: MeshTopology\nmesh: { id: m }\nclusters:\n${clusters.join('\n')}\nservices:\n${services.join('\n')}\n`,
      'scale.yaml',
    );
    const facts = new MeshFacts(topology);
    const placement = facts.servicePlacement;
    const primaryOf = (k: number) => `k${k - (k % 4)}`;
    const routedBy = new Map<string, string[]>();
    for (const p of facts.primaries) for (const s of placement.routedIn(p.name)) routedBy.set(s.name, [...(routedBy.get(s.name) ?? []), p.name]);
    for (const service of topology.services) {
      const i = Number(service.name.slice(1));
      expect(routedBy.get(service.name)!.sort()).toEqual([...new Set([primaryOf(i % 100), primaryOf((i * 7) % 100)])].sort());
    }

    // East-west gateways: every primary (it serves remotes), and every cluster running a service
    // called from another network (clusters k, k+1, k+2, k+3 share the network of primary k).
    const gateways = new Set(facts.primaries.map((p) => p.name));
    for (let i = 0; i < 1000; i++) if (primaryOf(i % 100) !== primaryOf((i * 7) % 100)) gateways.add(`k${i % 100}`);
    expect(facts.eastWestPlacement.clusters).toEqual([...gateways].sort());
    expect(gateways.size).toBeLessThan(100);
  });
});
