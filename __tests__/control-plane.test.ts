/**
 * The Istio control plane of every cluster: Helm values per role, Flux releases, the
 * east-west gateway, the multicluster Gateways, IstioOperator files, revisions and canaries,
 * and the topology rules that guard them.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { dump, load, loadAll } from 'js-yaml';
import { upstreamDir, validateManifests } from './support/crd-schema';
import { unknownValuePaths } from './support/helm-values';
import { Manifest, ROOT, Synthesized, synthFile, synthText } from './support/synth';
import { appNamespaces } from '../constructs/app-namespaces';
import { controlPlaneReleases } from '../constructs/control-plane-releases';
import { hasCrossNetworkGateway } from '../constructs/cross-network-gateway';
import { fluxHostCluster } from '../constructs/flux-kubeconfig';
import { controlPlaneValues, hasEastWestGateway, HelmValues } from '../constructs/helm-values';
import { MeshFacts, parseTopology, Topology } from '../topology';
import { expectOnlyProblem, expectProblem, problemsOf } from './support/topology-edits';

const UPSTREAM = path.join(upstreamDir(), 'istio-1.30.3');
const DOCS_EXAMPLE = 'examples/docs-multi-primary.yaml';
const FLEET_EXAMPLE = 'examples/global-fleet.yaml';

/** A pinned Istio sample, as parsed YAML documents. */
function sample(name: string): any[] {
  return loadAll(readFileSync(path.join(UPSTREAM, 'samples-multicluster', name), 'utf8')).filter(Boolean);
}

/** The docs example with `edit` applied to its parsed form. */
function docsEdited(edit: (doc: any) => void): string {
  const doc = load(readFileSync(path.join(ROOT, DOCS_EXAMPLE), 'utf8')) as any;
  edit(doc);
  return dump(doc);
}

/** A primary-remote mesh on two networks (Istio's "Primary-Remote on different networks"). */
const PRIMARY_REMOTE = docsEdited((d) => {
  d.clusters[0].eastWestGateway = { address: '192.0.2.10' };
  d.clusters[1] = { ...d.clusters[1], role: 'remote', controlPlane: 'cluster1' };
});

/** The docs example with a revisioned control plane and a canary beside it. */
const CANARY = docsEdited((d) => {
  d.mesh.istio = { version: '1.29.2', revision: '1-29-2', canary: { version: '1.30.3', revision: '1-30-3', namespaces: ['sample'] } };
  d.clusters[0].eastWestGateway = { address: '192.0.2.10' };
  d.clusters.push({ name: 'cluster3', role: 'remote', controlPlane: 'cluster1', network: 'network3', region: 'region1', apiServer: 'https://cluster3.example.com:6443', namespaces: ['other'] });
});

function facts(topology: Topology): MeshFacts {
  return new MeshFacts(topology);
}

/** Helm values as istioctl would hand them to `base` and `istiod`, read back from an IstioOperator spec. */
function helmFromIstioOperator(spec: any): { base: HelmValues; istiod: HelmValues } {
  const { profile: iopProfile, revision, meshConfig, values = {} } = spec;
  // istioctl's `minimal` is what Helm installs without a profile (base + istiod, no gateway).
  const profile = iopProfile === 'minimal' ? undefined : iopProfile;
  const { pilot = {}, defaultRevision, ...root } = values;
  return {
    base: { ...(profile ? { profile } : {}), ...(defaultRevision ? { defaultRevision } : {}) },
    istiod: { ...(profile ? { profile } : {}), ...root, ...pilot, ...(meshConfig ? { meshConfig } : {}), ...(revision ? { revision } : {}) },
  };
}

/** `gateway` chart values equivalent to a gen-eastwest-gateway IstioOperator. */
function gatewayHelmFromIstioOperator(spec: any): HelmValues {
  const [gateway] = spec.components.ingressGateways;
  const network = gateway.label['topology.istio.io/network'];
  expect(gateway.k8s.env).toEqual([{ name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: network }]);
  expect(spec.values.global.network).toBe(network);
  const { ports: _ports, ...service } = gateway.k8s.service;
  return {
    name: gateway.name,
    networkGateway: network,
    ...(spec.revision ? { revision: spec.revision } : {}),
    ...(Object.keys(service).length ? { service } : {}),
  };
}

const OWN_MESH_OBJECTS = /^(cross-network-gateway|istiod-gateway|istiod-vs(-.+)?)$/;

/** The objects this feature emits into the layers GitOps applies (namespaces, releases, multicluster Gateways). */
function ownAppliedManifests(out: Synthesized): Manifest[] {
  return out.topology.clusters.flatMap((c) => [
    ...out.ofKind(`${c.name}/platform/`, 'Namespace'),
    ...out.manifests(`${c.name}/base/`),
    ...out.manifests(`${c.name}/control-plane/`),
    ...out.manifests(`${c.name}/mesh/`).filter((m) => /^(Gateway|VirtualService)$/.test(m.kind) && OWN_MESH_OBJECTS.test(m.metadata.name)),
  ]);
}

const docs = synthFile(DOCS_EXAMPLE);
const fleet = synthFile(FLEET_EXAMPLE);
const primaryRemote = synthText(PRIMARY_REMOTE);
const canary = synthText(CANARY);
const clusterIp = synthText(docsEdited((d) => {
  d.clusters[0].eastWestGateway = { serviceType: 'ClusterIP', address: '192.0.2.10' };
}));
const ALL: ReadonlyArray<[string, Synthesized]> = [
  ['docs', docs],
  ['global-fleet', fleet],
  ['primary-remote', primaryRemote],
  ['canary', canary],
  ['ClusterIP gateway', clusterIp],
];

describe('the docs example: what Istio\'s multi-primary, multi-network guide installs', () => {
  const clusters = [
    { name: 'cluster1', network: 'network1' },
    { name: 'cluster2', network: 'network2' },
  ];

  test.each(clusters)('$name: istiod gets the values of `helm install istiod … --set global.meshID=mesh1 …`', ({ name, network }) => {
    const release = docs.get(`${name}/control-plane/`, 'HelmRelease', 'istiod', 'istio-system');
    expect(release.spec.values.global).toEqual({ meshID: 'mesh1', multiCluster: { clusterName: name }, network });
    expect(release.spec.values.revision).toBeUndefined();
    expect(release.spec.values.profile).toBeUndefined();
    // trustDomain, plus DNS capture: helloworld has `globalAlias: true` and is called from both
    // clusters, so their sidecars must answer helloworld.sample.global (no cluster-local services).
    expect(release.spec.values.meshConfig).toEqual({
      trustDomain: 'cluster.local',
      defaultConfig: { proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true' } },
    });
  });

  test.each(clusters)('$name: base has no values, the east-west gateway those of `--set name=istio-eastwestgateway --set networkGateway`', ({ name, network }) => {
    expect(docs.get(`${name}/base/`, 'HelmRelease', 'istio-base', 'istio-system').spec.values).toBeUndefined();
    expect(docs.get(`${name}/control-plane/`, 'HelmRelease', 'istio-eastwestgateway', 'istio-system').spec.values).toEqual({
      name: 'istio-eastwestgateway',
      networkGateway: network,
    });
  });

  test.each(clusters)('$name: HelmReleases chain base → istiod → east-west gateway from the Istio chart repository', ({ name }) => {
    expect(docs.get(`${name}/base/`, 'HelmRepository', 'istio', 'flux-system').spec).toEqual({
      interval: '10m',
      url: 'https://istio-release.storage.googleapis.com/charts',
    });
    // istio-base in the base layer, istiod and the gateway in control-plane.
    expect(docs.ofKind(`${name}/base/`, 'HelmRelease').map((r) => r.metadata.name)).toEqual(['istio-base']);
    const releases = docs.ofKind(`${name}/`, 'HelmRelease');
    expect(releases.map((r) => [r.metadata.name, r.spec.chart.spec.chart, r.spec.dependsOn]).sort()).toEqual([
      ['istio-base', 'base', undefined],
      ['istio-eastwestgateway', 'gateway', [{ name: 'istiod' }]],
      ['istiod', 'istiod', [{ name: 'istio-base' }]],
    ]);
    for (const r of releases) {
      expect(r.metadata.namespace).toBe('istio-system');
      expect(r.spec.releaseName).toBe(r.metadata.name);
      expect(r.spec.chart.spec.version).toBe('1.30.3');
      expect(r.spec.chart.spec.sourceRef).toEqual({ kind: 'HelmRepository', name: 'istio', namespace: 'flux-system' });
      expect(r.spec.kubeConfig).toBeUndefined();
    }
  });

  test.each(clusters)('$name: the same Gateway as samples/multicluster/expose-services.yaml, in istio-system', ({ name }) => {
    const [expected] = sample('expose-services.yaml');
    const gateway = docs.get(`${name}/mesh/`, 'Gateway', 'cross-network-gateway');
    expect(gateway).toEqual({ ...expected, metadata: { ...expected.metadata, namespace: 'istio-system' } });
    expect(gateway.spec.servers[0].tls).toEqual({ mode: 'AUTO_PASSTHROUGH' });
    expect(docs.ofKind(`${name}/`, 'VirtualService').filter((v) => v.metadata.name.startsWith('istiod-vs'))).toEqual([]);
    expect(() => docs.get(`${name}/`, 'Gateway', 'istiod-gateway')).toThrow();
  });

  test.each(clusters)('$name: the east-west gateway IstioOperator is gen-eastwest-gateway.sh --network output', ({ name, network }) => {
    const iop = docs.get(`${name}/istioctl/`, 'IstioOperator', 'eastwest');
    expect(iop).toEqual({
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      metadata: { name: 'eastwest', namespace: 'istio-system' },
      spec: {
        revision: '',
        profile: 'empty',
        components: {
          ingressGateways: [
            {
              name: 'istio-eastwestgateway',
              label: { 'istio': 'eastwestgateway', 'app': 'istio-eastwestgateway', 'topology.istio.io/network': network },
              enabled: true,
              k8s: {
                env: [{ name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: network }],
                service: {
                  ports: [
                    { name: 'status-port', port: 15021, targetPort: 15021 },
                    { name: 'tls', port: 15443, targetPort: 15443 },
                    { name: 'tls-istiod', port: 15012, targetPort: 15012 },
                    { name: 'tls-webhook', port: 15017, targetPort: 15017 },
                  ],
                },
              },
            },
          ],
        },
        values: { gateways: { 'istio-ingressgateway': { injectionTemplate: 'gateway' } }, global: { network } },
      },
    });
  });

  test.each(clusters)('$name: istio-system carries the network; app namespaces are labelled for injection', ({ name, network }) => {
    expect(docs.get(`${name}/platform/`, 'Namespace', 'istio-system').metadata.labels).toEqual({ 'topology.istio.io/network': network });
    expect(docs.get(`${name}/platform/`, 'Namespace', 'sample').metadata.labels).toEqual({ 'istio-injection': 'enabled' });
  });

  test('the control-plane layer is applied in each cluster itself (per-cluster Flux)', () => {
    for (const cluster of docs.topology.clusters) expect(fluxHostCluster(docs.topology.delivery, cluster.name)).toBe(cluster.name);
  });
});

describe('global-fleet: primaries serving remotes, Flux in a management cluster', () => {
  const f = facts(fleet.topology);

  test.each([
    ['west-edge', 'net-west', '203.0.113.20'],
    ['eu-edge', 'net-eu-edge', '198.51.100.30'],
  ])('remote %s gets the remote profile, its injection path and its primary\'s gateway address', (name, network, address) => {
    const values = controlPlaneValues(f, f.cluster(name));
    expect(values.base).toEqual({ profile: 'remote' });
    expect(values.istiod).toEqual({
      profile: 'remote',
      global: { multiCluster: { clusterName: name }, network, remotePilotAddress: address, configCluster: true },
      istiodRemote: { injectionPath: `/inject/cluster/${name}/net/${network}` },
    });
    expect(values.eastWestGateway).toEqual({ name: 'istio-eastwestgateway', networkGateway: network });
    expect(fleet.get(`${name}/control-plane/`, 'HelmRelease', `${name}-istiod`).spec.values).toEqual(values.istiod);
    expect(fleet.get(`${name}/istioctl/`, 'IstioOperator', 'control-plane').spec).toEqual({
      profile: 'remote',
      values: { global: values.istiod.global, istiodRemote: values.istiod.istiodRemote },
    });
  });

  test.each(['west', 'eu'])('primary %s acts as external istiod and exposes it as samples/multicluster/expose-istiod.yaml', (name) => {
    expect((controlPlaneValues(f, f.cluster(name)).istiod.global as any).externalIstiod).toBe(true);
    const [gateway, virtualService] = sample('expose-istiod.yaml');
    expect(fleet.get(`${name}/mesh/`, 'Gateway', 'istiod-gateway')).toEqual({ ...gateway, metadata: { ...gateway.metadata, namespace: 'istio-system' } });
    expect(fleet.get(`${name}/mesh/`, 'VirtualService', 'istiod-vs')).toEqual({
      ...virtualService,
      metadata: { ...virtualService.metadata, namespace: 'istio-system' },
    });
  });

  test('a primary without remotes is not an external istiod and exposes nothing', () => {
    expect((controlPlaneValues(f, f.cluster('east')).istiod.global as any).externalIstiod).toBeUndefined();
    expect(() => fleet.get('east/', 'Gateway', 'istiod-gateway')).toThrow();
  });

  test('every cluster serves another network or a remote, so every cluster runs the east-west gateway', () => {
    const placement = f.eastWestPlacement;
    // east, west: productpage/details/reviews called from other networks; eu: reviews/ratings and
    // its remote; west-edge: ratings, called from east; eu-edge: ledger, called from east.
    expect(placement.clusters).toEqual(['east', 'eu', 'eu-edge', 'west', 'west-edge']);
    expect(Object.fromEntries(['east', 'eu', 'eu-edge', 'west', 'west-edge'].map((name) => {
      const call = placement.crossNetworkCallTo(name)!;
      return [name, `${call.service.namespace}/${call.service.name} <- ${call.caller.name}`];
    }))).toEqual({
      'east': 'bookinfo/details <- west',
      'eu': 'bookinfo/ratings <- east',
      'eu-edge': 'payments/ledger <- east',
      'west': 'bookinfo/details <- east',
      'west-edge': 'bookinfo/ratings <- east',
    });
    for (const c of fleet.topology.clusters) {
      // west's and eu's addresses are IPs (a primary serving remotes must have one): their load
      // balancers are asked for them (service.loadBalancerIP); east has no address
      const ADDRESSES: Record<string, string> = { west: '203.0.113.20', eu: '198.51.100.30' };
      const service = ADDRESSES[c.name] ? { service: { loadBalancerIP: ADDRESSES[c.name] } } : {};
      expect(controlPlaneValues(f, c).eastWestGateway).toEqual({ name: 'istio-eastwestgateway', networkGateway: c.network, ...service });
    }
  });

  test('every primary, and no remote, holds the cross-network Gateway (a primary configures its remotes\' gateways)', () => {
    const holders = fleet.topology.clusters.filter((c) => fleet.ofKind(`${c.name}/`, 'Gateway').some((g) => g.metadata.name === 'cross-network-gateway'));
    expect(holders.map((c) => c.name)).toEqual(['east', 'eu', 'west']);
    expect(fleet.topology.clusters.filter((c) => hasCrossNetworkGateway(f, c)).map((c) => c.name)).toEqual(['east', 'eu', 'west']);
  });

  test('management mode: other clusters\' releases live in the Flux namespace, named by cluster, with a kubeconfig', () => {
    for (const c of fleet.topology.clusters) expect(fluxHostCluster(fleet.topology.delivery, c.name)).toBe('east');
    // One HelmRepository for the fleet, in the management cluster (see delivery.test.ts).
    expect(fleet.ofKind('west-edge/', 'HelmRepository')).toEqual([]);
    const releases = fleet.ofKind('west-edge/', 'HelmRelease');
    expect(releases.map((r) => [r.metadata.name, r.spec.releaseName, r.spec.dependsOn]).sort()).toEqual([
      ['west-edge-istio-base', 'istio-base', undefined],
      ['west-edge-istio-eastwestgateway', 'istio-eastwestgateway', [{ name: 'west-edge-istiod' }]],
      ['west-edge-istiod', 'istiod', [{ name: 'west-edge-istio-base' }]],
    ]);
    for (const r of releases) {
      expect(r.metadata.namespace).toBe('flux-system');
      expect(r.spec).toMatchObject({
        targetNamespace: 'istio-system',
        storageNamespace: 'istio-system',
        kubeConfig: { secretRef: { name: 'west-edge-kubeconfig', key: 'value' } },
      });
      expect(r.spec.chart.spec.sourceRef).toEqual({ kind: 'HelmRepository', name: 'istio', namespace: 'flux-system' });
    }
  });

  test('management mode: the management cluster\'s own releases are local', () => {
    const istiod = fleet.get('east/control-plane/', 'HelmRelease', 'istiod', 'istio-system');
    expect(istiod.spec.kubeConfig).toBeUndefined();
    expect(istiod.spec.targetNamespace).toBeUndefined();
    expect(fleet.get('east/', 'HelmRepository', 'istio', 'flux-system').spec).toEqual({
      interval: '10m',
      url: 'https://istio-release.storage.googleapis.com/charts',
    });
  });

  test('app namespaces: declared, of services running there, of consumers running there, of mesh config there', () => {
    const names = (c: string) => fleet.ofKind(`${c}/platform/`, 'Namespace').map((n) => n.metadata.name).filter((n) => n !== 'istio-system').sort();
    // east: payments holds the config for ledger, which a caller in east (frontend/gateway) reaches.
    expect(names('east')).toEqual(['bookinfo', 'frontend', 'inventory', 'payments']);
    expect(names('west')).toEqual(['bookinfo']);
    expect(names('west-edge')).toEqual(['bookinfo']);
    // eu: the primary of eu-edge also holds the config of eu-edge's namespaces.
    expect(names('eu')).toEqual(['bookinfo', 'frontend', 'inventory', 'payments']);
    expect(names('eu-edge')).toEqual(['frontend', 'payments']);
    for (const c of fleet.topology.clusters) expect(names(c.name)).toEqual([...appNamespaces(f, c)]);
    for (const n of fleet.ofKind('', 'Namespace').filter((n) => n.metadata.name !== 'istio-system')) {
      expect(n.metadata.labels).toEqual({ 'istio-injection': 'enabled' });
    }
  });
});

describe('primary-remote on two networks', () => {
  const f = facts(primaryRemote.topology);

  test('the remote reaches istiod through the primary\'s east-west gateway; the primary exposes it', () => {
    expect(controlPlaneValues(f, f.cluster('cluster2')).istiod).toMatchObject({
      profile: 'remote',
      global: { remotePilotAddress: '192.0.2.10' },
      istiodRemote: { injectionPath: '/inject/cluster/cluster2/net/network2' },
    });
    expect(primaryRemote.get('cluster1/mesh/', 'Gateway', 'istiod-gateway').metadata.namespace).toBe('istio-system');
    expect(primaryRemote.get('cluster1/mesh/', 'Gateway', 'cross-network-gateway').metadata.namespace).toBe('istio-system');
    expect(primaryRemote.files('cluster2/mesh/').filter((file) => /gateway|virtualservice/.test(file))).toEqual([]);
    expect(primaryRemote.get('cluster2/platform/', 'Namespace', 'istio-system').metadata.annotations).toMatchObject({
      'topology.istio.io/controlPlaneClusters': 'cluster1',
    });
  });

  test('both clusters run the east-west gateway (the remote\'s is configured by the primary)', () => {
    for (const [name, network] of [['cluster1', 'network1'], ['cluster2', 'network2']]) {
      expect(primaryRemote.get(`${name}/control-plane/`, 'HelmRelease', 'istio-eastwestgateway').spec.values).toEqual({
        name: 'istio-eastwestgateway',
        networkGateway: network,
        // the primary's address is an IP its remotes are told to use: its load balancer must get it
        ...(name === 'cluster1' ? { service: { loadBalancerIP: '192.0.2.10' } } : {}),
      });
    }
  });

  test('a remote without its primary\'s gateway address is a bug the loader rules out: building its values throws', () => {
    const topology: Topology = {
      ...primaryRemote.topology,
      clusters: primaryRemote.topology.clusters.map((c) => (c.name === 'cluster1' ? { ...c, eastWestGateway: { ...c.eastWestGateway, address: undefined } } : c)),
    };
    const broken = facts(topology);
    expect(() => controlPlaneValues(broken, broken.cluster('cluster2'))).toThrow(
      'remote cluster2: primary cluster1 has no eastWestGateway.address for global.remotePilotAddress',
    );
  });
});

describe('which clusters run the east-west gateway', () => {
  const CLUSTER3 = { name: 'cluster3', role: 'primary', network: 'network3', region: 'region3', apiServer: 'https://cluster3.example.com:6443', namespaces: ['sample'] };

  /** Clusters with the gateway release, the eastwest IstioOperator, and the cross-network Gateway. */
  function gateways(out: Synthesized) {
    const names = (has: (c: string) => boolean) => out.topology.clusters.map((c) => c.name).filter(has);
    const has = (prefix: string, kind: string, name: string) => out.manifests(prefix).some((m) => m.kind === kind && m.metadata.name === name);
    return {
      release: names((c) => has(`${c}/control-plane/`, 'HelmRelease', 'istio-eastwestgateway')),
      istioctl: names((c) => has(`${c}/istioctl/`, 'IstioOperator', 'eastwest')),
      crossNetworkGateway: names((c) => has(`${c}/mesh/`, 'Gateway', 'cross-network-gateway')),
    };
  }

  test('a cluster that only calls services on other networks runs none', () => {
    const out = synthText(docsEdited((d) => d.clusters.push(CLUSTER3)));
    // cluster3 has namespace sample, so the curl consumer runs there too and calls helloworld in network1 and network2.
    expect(out.topology.services[0].consumers[0].clusters).toEqual(['cluster1', 'cluster2', 'cluster3']);
    expect(gateways(out)).toEqual({ release: ['cluster1', 'cluster2'], istioctl: ['cluster1', 'cluster2'], crossNetworkGateway: ['cluster1', 'cluster2'] });
    const f = facts(out.topology);
    expect(controlPlaneValues(f, f.cluster('cluster3')).eastWestGateway).toBeUndefined();
    expect(hasEastWestGateway(f, f.cluster('cluster3'))).toBe(false);
  });

  test('a remote that only calls, on its primary\'s network, runs none; its primary runs one for istiod', () => {
    const out = synthText(docsEdited((d) => {
      d.clusters[0].eastWestGateway = { address: '192.0.2.10' };
      d.clusters.push({ ...CLUSTER3, role: 'remote', controlPlane: 'cluster1', network: 'network1' });
    }));
    expect(gateways(out)).toEqual({ release: ['cluster1', 'cluster2'], istioctl: ['cluster1', 'cluster2'], crossNetworkGateway: ['cluster1', 'cluster2'] });
  });

  test('a service called only from its own network, or cluster-local, opens no gateway', () => {
    const ownNetwork = synthText(docsEdited((d) => {
      d.services[0].runsIn = ['cluster1'];
      delete d.services[0].failover;
    }));
    expect(ownNetwork.topology.services[0].consumers[0].clusters).toEqual(['cluster1']);
    expect(gateways(ownNetwork)).toEqual({ release: [], istioctl: [], crossNetworkGateway: [] });

    const clusterLocal = synthText(docsEdited((d) => {
      d.services[0].clusterLocal = true;
      delete d.services[0].failover;
      delete d.services[0].globalAlias;
    }));
    expect(gateways(clusterLocal)).toEqual({ release: [], istioctl: [], crossNetworkGateway: [] });
  });

  test('on one network, a primary serving remotes runs one for istiod, and no cross-network Gateway', () => {
    const out = synthText(docsEdited((d) => {
      d.clusters[0].eastWestGateway = { address: '192.0.2.10' };
      d.clusters[1] = { ...d.clusters[1], role: 'remote', controlPlane: 'cluster1', network: 'network1' };
    }));
    expect(gateways(out)).toEqual({ release: ['cluster1'], istioctl: ['cluster1'], crossNetworkGateway: [] });
    expect(out.get('cluster1/mesh/', 'Gateway', 'istiod-gateway').spec.selector).toEqual({ istio: 'eastwestgateway' });
  });

  test('the placement is built once per fleet and shared', () => {
    const f = facts(fleet.topology);
    expect(f.eastWestPlacement).toBe(f.eastWestPlacement);
  });
});

describe('every value path exists in the pinned charts', () => {
  test.each(ALL)('%s', (_label, out) => {
    const f = facts(out.topology);
    for (const cluster of out.topology.clusters) {
      for (const release of controlPlaneReleases(out.topology.mesh.istio, controlPlaneValues(f, cluster))) {
        expect({ release: `${cluster.name}/${release.releaseName}`, unknown: unknownValuePaths(release.chart, release.values) }).toEqual({
          release: `${cluster.name}/${release.releaseName}`,
          unknown: [],
        });
      }
    }
  });

  test('a ClusterIP gateway publishes its address as externalIPs, in Helm and istioctl alike', () => {
    const service = { type: 'ClusterIP', externalIPs: ['192.0.2.10'] };
    expect(clusterIp.get('cluster1/control-plane/', 'HelmRelease', 'istio-eastwestgateway').spec.values).toEqual({
      name: 'istio-eastwestgateway',
      networkGateway: 'network1',
      service,
    });
    expect(clusterIp.get('cluster1/istioctl/', 'IstioOperator', 'eastwest').spec.components.ingressGateways[0].k8s.service).toMatchObject(service);
  });
});

describe('IstioOperator files say what the Helm values say', () => {
  test.each(ALL)('%s: control plane and east-west gateway', (_label, out) => {
    const f = facts(out.topology);
    for (const cluster of out.topology.clusters) {
      const values = controlPlaneValues(f, cluster);
      const iop = out.get(`${cluster.name}/istioctl/`, 'IstioOperator', 'control-plane');
      expect(helmFromIstioOperator(iop.spec)).toEqual({ base: values.base, istiod: values.istiod });
      if (values.canaryIstiod) {
        const canaryIop = out.get(`${cluster.name}/istioctl/`, 'IstioOperator', `control-plane-${out.topology.mesh.istio.canary!.revision}`);
        expect(helmFromIstioOperator(canaryIop.spec)).toEqual({ base: values.base, istiod: values.canaryIstiod });
      }
      const eastwest = out.manifests(`${cluster.name}/istioctl/`).filter((m) => m.metadata.name === 'eastwest');
      expect(eastwest.map((m) => gatewayHelmFromIstioOperator(m.spec))).toEqual(values.eastWestGateway ? [values.eastWestGateway] : []);
    }
  });

  test.each(ALL)('%s: primaries use istioctl\'s minimal profile (no extra ingress gateway), remotes the remote profile', (_label, out) => {
    for (const cluster of out.topology.clusters) {
      const files = out.manifests(`${cluster.name}/istioctl/`).filter((m) => m.metadata.name.startsWith('control-plane'));
      expect(files.length).toBeGreaterThan(0);
      for (const iop of files) expect({ cluster: cluster.name, profile: iop.spec.profile }).toEqual({ cluster: cluster.name, profile: cluster.role === 'primary' ? 'minimal' : 'remote' });
    }
  });

  test('the gateway IstioOperator opens the ports the gateway chart gives a network gateway', () => {
    const chart = load(readFileSync(path.join(UPSTREAM, 'charts', 'gateway', 'values.yaml'), 'utf8')) as any;
    const chartPorts = Object.entries(chart._internal_defaults_do_not_set.networkGatewayPorts).map(([name, p]: [string, any]) => ({ name, ...p }));
    const iop = docs.get('cluster1/istioctl/', 'IstioOperator', 'eastwest');
    expect(iop.spec.components.ingressGateways[0].k8s.service.ports).toEqual(chartPorts);
  });

  test('IstioOperators are only in the istioctl layer, which no kustomization lists (no CRD exists since 1.24)', () => {
    for (const [, out] of ALL) {
      const iops = out.ofKind('', 'IstioOperator');
      expect(iops.length).toBeGreaterThan(0);
      expect(out.files().filter((file) => file.includes('istiooperator')).every((file) => /^[^/]+\/istioctl\//.test(file))).toBe(true);
      for (const file of out.files().filter((x) => x.endsWith('kustomization.yaml'))) {
        const k = load(out.tree.get(file)!) as any;
        expect((k.resources ?? []).filter((r: string) => r.includes('istioctl') || r.includes('istiooperator'))).toEqual([]);
      }
      expect(validateManifests(iops).every((p) => p.includes('no schema for install.istio.io/v1alpha1 IstioOperator'))).toBe(true);
    }
  });
});

describe('every applied object validates against the pinned schemas', () => {
  test.each(ALL)('%s', (_label, out) => {
    const own = ownAppliedManifests(out);
    // base and istiod in every cluster, plus a canary istiod and an east-west gateway where there is one.
    const releases = out.topology.clusters.reduce((n, c) => n + 2 + (out.topology.mesh.istio.canary ? 1 : 0) + out.files(`${c.name}/istioctl/istiooperator.istio-system.eastwest.yaml`).length, 0);
    expect(own.filter((m) => m.kind === 'HelmRelease').length).toBe(releases);
    expect(validateManifests(own)).toEqual([]);
  });
});

describe('revisions and canary upgrades', () => {
  const revisioned = synthText(docsEdited((d) => {
    d.mesh.istio = { version: '1.30.3', revision: '1-30-3' };
    d.clusters[0].eastWestGateway = { address: '192.0.2.10' };
    d.clusters[1] = { ...d.clusters[1], role: 'remote', controlPlane: 'cluster1' };
  }));

  test('the revision flows to istiod, base\'s default revision, the gateway and the injection labels', () => {
    const f = facts(revisioned.topology);
    for (const cluster of revisioned.topology.clusters) {
      const values = controlPlaneValues(f, cluster);
      expect(values.istiod.revision).toBe('1-30-3');
      expect(values.base.defaultRevision).toBe('1-30-3');
      expect(values.eastWestGateway?.revision).toBe('1-30-3');
      const prefix = `${cluster.name}/`;
      expect(revisioned.get(prefix, 'HelmRelease', 'istiod-1-30-3').spec.releaseName).toBe('istiod-1-30-3');
      expect(revisioned.get(prefix, 'HelmRelease', 'istio-eastwestgateway').spec.dependsOn).toEqual([{ name: 'istiod-1-30-3' }]);
      expect(revisioned.get(prefix, 'Namespace', 'sample').metadata.labels).toEqual({ 'istio.io/rev': '1-30-3' });
      expect(revisioned.get(`${prefix}istioctl/`, 'IstioOperator', 'control-plane').spec.revision).toBe('1-30-3');
      expect(revisioned.get(`${prefix}istioctl/`, 'IstioOperator', 'eastwest').spec.revision).toBe('1-30-3');
    }
  });

  test('a revisioned primary exposes istiod-<rev> as expose-istiod-rev.yaml.tmpl', () => {
    expect(revisioned.get('cluster1/mesh/', 'Gateway', 'istiod-gateway').spec.servers.map((s: any) => s.port.name)).toEqual(['tls-istiod', 'tls-webhook']);
    const sni = ['istiod-1-30-3.istio-system.svc', 'istiod-1-30-3.istio-system.svc.cluster.local'];
    expect(revisioned.get('cluster1/mesh/', 'VirtualService', 'istiod-vs-1-30-3').spec).toEqual({
      hosts: ['*'],
      gateways: ['istiod-gateway'],
      tls: [
        { match: [{ port: 15012, sniHosts: sni }], route: [{ destination: { host: 'istiod-1-30-3.istio-system.svc.cluster.local', port: { number: 15012 } } }] },
        { match: [{ port: 15017, sniHosts: sni }], route: [{ destination: { host: 'istiod-1-30-3.istio-system.svc.cluster.local', port: { number: 443 } } }] },
      ],
    });
  });

  test('a canary installs a second istiod beside the stable one; base takes the canary version first', () => {
    // cluster3, a remote that serves nobody on another network, runs no east-west gateway.
    for (const [name, gateway] of [['cluster1', true], ['cluster2', true], ['cluster3', false]] as const) {
      const releases = canary.ofKind(`${name}/`, 'HelmRelease');
      expect(releases.map((r) => [r.metadata.name, r.spec.chart.spec.chart, r.spec.chart.spec.version, r.spec.values?.revision, r.spec.dependsOn]).sort()).toEqual([
        ['istio-base', 'base', '1.30.3', undefined, undefined],
        ...(gateway ? [['istio-eastwestgateway', 'gateway', '1.29.2', '1-29-2', [{ name: 'istiod-1-29-2' }]]] : []),
        ['istiod-1-29-2', 'istiod', '1.29.2', '1-29-2', [{ name: 'istio-base' }]],
        ['istiod-1-30-3', 'istiod', '1.30.3', '1-30-3', [{ name: 'istio-base' }]],
      ]);
      const stable = releases.find((r) => r.metadata.name === 'istiod-1-29-2')!.spec.values;
      const next = releases.find((r) => r.metadata.name === 'istiod-1-30-3')!.spec.values;
      expect({ ...next, revision: '1-29-2' }).toEqual(stable);
    }
  });

  test('canary namespaces move to the canary revision; the others stay', () => {
    expect(canary.get('cluster1/platform/', 'Namespace', 'sample').metadata.labels).toEqual({ 'istio.io/rev': '1-30-3' });
    expect(canary.get('cluster3/platform/', 'Namespace', 'other').metadata.labels).toEqual({ 'istio.io/rev': '1-29-2' });
  });

  test('the primary exposes both revisions to its remotes', () => {
    expect(canary.ofKind('cluster1/mesh/', 'VirtualService').map((v) => v.metadata.name).filter((n) => n.startsWith('istiod-vs')).sort()).toEqual([
      'istiod-vs-1-29-2',
      'istiod-vs-1-30-3',
    ]);
  });
});

describe('topology rules for the control plane', () => {
  test('fails if a remote\'s primary has no east-west gateway address', () => {
    const text = docsEdited((d) => {
      d.clusters[1] = { ...d.clusters[1], role: 'remote', controlPlane: 'cluster1' };
    });
    expectProblem(text, 'clusters[1].controlPlane',
      /^primary "cluster1" has no east-west gateway address: remote "cluster2" reaches istiod through it \(global\.remotePilotAddress\), so set clusters\[0\]\.eastWestGateway\.address/);
  });

  test('fails if a remote on the primary\'s own network has no address to reach istiod either', () => {
    const text = docsEdited((d) => {
      d.clusters[1] = { ...d.clusters[1], role: 'remote', controlPlane: 'cluster1', network: 'network1' };
    });
    expectProblem(text, 'clusters[1].controlPlane', /global\.remotePilotAddress/);
  });

  test('fails if a network serving other networks has no gateway address source', () => {
    const text = docsEdited((d) => {
      d.clusters[1].eastWestGateway = { serviceType: 'ClusterIP' };
    });
    expectOnlyProblem(text, 'clusters[1].eastWestGateway.serviceType',
      'network "network2" has no east-west gateway address other networks can reach, but sample/helloworld runs there (in "cluster2") ' +
        'and is called from cluster "cluster1" on network "network1": give one of the clusters running its gateway (cluster2) ' +
        'serviceType LoadBalancer, or an eastWestGateway.address IP with serviceType ClusterIP');
  });

  test('fails if the network\'s only LoadBalancer is on a cluster that runs no gateway', () => {
    const text = docsEdited((d) => {
      d.clusters[1].eastWestGateway = { serviceType: 'ClusterIP' };
      // cluster3 is on network2 with the default LoadBalancer, but serves nobody: it runs no gateway.
      d.clusters.push({ name: 'cluster3', role: 'primary', network: 'network2', region: 'region2', apiServer: 'https://cluster3.example.com:6443' });
    });
    expectOnlyProblem(text, 'clusters[1].eastWestGateway.serviceType', /^network "network2" has no east-west gateway address .*\(cluster2\) serviceType LoadBalancer/);
  });

  test('accepts a ClusterIP gateway without address when another gateway of its network has one', () => {
    const text = docsEdited((d) => {
      d.clusters[1].eastWestGateway = { serviceType: 'ClusterIP' };
      d.clusters.push({ name: 'cluster3', role: 'primary', network: 'network2', region: 'region2', apiServer: 'https://cluster3.example.com:6443' });
      d.services[0].runsIn.push('cluster3');
    });
    expect(problemsOf(text)).toEqual([]);
    const f = facts(parseTopology(text, 'mesh.yaml'));
    expect(f.eastWestPlacement.clusters).toEqual(['cluster1', 'cluster2', 'cluster3']);
  });

  test('fails once if a remote\'s controlPlane is malformed (no "required" on top)', () => {
    const text = docsEdited((d) => {
      d.clusters[1] = { ...d.clusters[1], role: 'remote', controlPlane: 'Cluster_1' };
    });
    expectOnlyProblem(text, 'clusters[1].controlPlane', /^must be a DNS-1123 label/);
  });

  test('fails once if the primary\'s gateway address is malformed (no "has no address" for its remotes)', () => {
    const text = docsEdited((d) => {
      d.clusters[0].eastWestGateway = { address: 'gw_1.example.com' };
      d.clusters[1] = { ...d.clusters[1], role: 'remote', controlPlane: 'cluster1' };
    });
    expectOnlyProblem(text, 'clusters[0].eastWestGateway.address', /^must be an IP address or DNS name/);
  });

  test('fails once if a cluster\'s role is malformed (no "controlPlane is only for remotes" on top)', () => {
    const text = docsEdited((d) => {
      d.clusters[0].eastWestGateway = { address: '192.0.2.10' };
      d.clusters[1] = { ...d.clusters[1], role: 'edge', controlPlane: 'cluster1' };
    });
    expectOnlyProblem(text, 'clusters[1].role', /^must be one of primary, remote \(got "edge"\)/);
  });

  test('accepts a ClusterIP gateway with an external IP, or one whose network serves nobody elsewhere', () => {
    expect(() => parseTopology(docsEdited((d) => {
      d.clusters[1].eastWestGateway = { serviceType: 'ClusterIP', address: '198.51.100.7' };
    }), 'mesh.yaml')).not.toThrow();
    expect(() => parseTopology(docsEdited((d) => {
      d.clusters[1].eastWestGateway = { serviceType: 'ClusterIP' };
      d.services[0].runsIn = ['cluster1'];
      delete d.services[0].failover;
    }), 'mesh.yaml')).not.toThrow();
  });

  test('fails if a ClusterIP gateway\'s address is a DNS name', () => {
    const text = docsEdited((d) => {
      d.clusters[1].eastWestGateway = { serviceType: 'ClusterIP', address: 'gw.example.com' };
    });
    expectProblem(text, 'clusters[1].eastWestGateway.address', /^must be an IP address with serviceType ClusterIP.*\(got "gw\.example\.com"\)/);
  });

  test('fails if serviceType is not one meshfleet supports', () => {
    const text = docsEdited((d) => {
      d.clusters[1].eastWestGateway = { serviceType: 'ExternalName' };
    });
    expectProblem(text, 'clusters[1].eastWestGateway.serviceType', /^must be one of LoadBalancer, ClusterIP, NodePort \(got "ExternalName"\)/);
  });

  test('fails if the east-west gateway asks for the seed tutorial\'s MUTUAL mode', () => {
    const text = docsEdited((d) => {
      d.clusters[0].eastWestGateway = { tlsMode: 'MUTUAL' };
    });
    expectProblem(text, 'clusters[0].eastWestGateway.tlsMode', /^tlsMode MUTUAL is not supported: a MUTUAL gateway on 15443 terminates the sidecars' end-to-end mTLS/);
  });

  test('fails if two clusters claim the same name', () => {
    const text = docsEdited((d) => {
      d.clusters[1].name = 'cluster1';
    });
    expectProblem(text, 'clusters[1].name', /^duplicate cluster name "cluster1" \(also clusters\[0\]\.name\)/);
  });

  test('fails if the Istio version is unsupported, naming the supported range', () => {
    const text = docsEdited((d) => {
      d.mesh.istio.version = '1.22.0';
    });
    expectProblem(text, 'mesh.istio.version', /^unsupported Istio version "1\.22\.0": meshfleet supports 1\.26\.0 to 1\.30\.x/);
  });

  test('fails if the canary revision is the stable one', () => {
    const text = docsEdited((d) => {
      d.mesh.istio = { version: '1.30.3', revision: 'stable', canary: { revision: 'stable' } };
    });
    expectProblem(text, 'mesh.istio.canary.revision', /^must differ from mesh\.istio\.revision "stable"/);
  });

  test('fails if the canary revision is "default" beside an unrevisioned control plane', () => {
    const text = docsEdited((d) => {
      d.mesh.istio.canary = { revision: 'default' };
    });
    expectProblem(text, 'mesh.istio.canary.revision', /^"default" names the unrevisioned control plane/);
  });

  test('fails if the canary version is unsupported', () => {
    const text = docsEdited((d) => {
      d.mesh.istio.canary = { revision: 'next', version: '2.0.0' };
    });
    expectProblem(text, 'mesh.istio.canary.version', /^unsupported Istio version "2\.0\.0"/);
  });

  test('fails if a canary namespace exists in no cluster', () => {
    const text = docsEdited((d) => {
      d.mesh.istio.canary = { revision: 'next', namespaces: ['sample', 'nowhere'] };
    });
    expectProblem(text, 'mesh.istio.canary.namespaces[1]', /^names namespace "nowhere", which no cluster has/);
  });

  test('defaults the canary version to the stable one and sorts its namespaces', () => {
    const t = parseTopology(docsEdited((d) => {
      d.clusters[0].namespaces = ['zeta'];
      d.mesh.istio.canary = { revision: 'next', namespaces: ['zeta', 'sample'] };
    }), 'mesh.yaml');
    expect(t.mesh.istio.canary).toEqual({ version: '1.30.3', revision: 'next', namespaces: ['sample', 'zeta'] });
    expect(t.clusters[0].eastWestGateway).toEqual({ address: undefined, serviceType: 'LoadBalancer', serviceAnnotations: {}, loadBalancerSourceRanges: [] });
  });
});
