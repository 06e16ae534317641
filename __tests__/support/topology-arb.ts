/**
 * fast-check generator of valid topology documents (plain data, dumped to YAML by the tests):
 * 1-5 clusters (primaries and remotes, two networks, three regions), up to five services with
 * ports, callers and traffic policies, and each delivery mode.
 */
import fc from 'fast-check';

const CLUSTER_NAMES = ['east', 'west', 'aa', 'z', 'eu-1', 'us-2', 't'];
export const NAMESPACES = ['apps', 'team-a', 'zz', 'aa'];
const REGIONS = ['r1', 'r2', 'r3'];

/** A topology document (plain data) that the generator means to be valid. */
export const topologyArb = fc
  .record({
    clusterCount: fc.integer({ min: 1, max: 5 }),
    names: fc.shuffledSubarray(CLUSTER_NAMES, { minLength: 5, maxLength: 5 }),
    remotes: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    networks: fc.array(fc.constantFrom('n1', 'n2'), { minLength: 5, maxLength: 5 }),
    regions: fc.array(fc.constantFrom(...REGIONS), { minLength: 5, maxLength: 5 }),
    lbGateway: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    revision: fc.option(fc.constantFrom('stable', '1-30'), { nil: undefined }),
    delivery: fc.constantFrom('none', 'flux', 'flux-management', 'argocd', 'both'),
    services: fc.array(
      fc.record({
        name: fc.constantFrom('api', 'web', 'db', 'zeta', 'a1'),
        namespace: fc.constantFrom(...NAMESPACES),
        ports: fc.uniqueArray(fc.record({ name: fc.constantFrom('http', 'grpc', 'tcp-x', 'h2'), number: fc.integer({ min: 1, max: 65535 }) }), {
          minLength: 1, maxLength: 3, selector: (p) => p.name,
        }),
        runsIn: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }),
        consumers: fc.array(fc.record({ namespace: fc.constantFrom(...NAMESPACES), serviceAccount: fc.constantFrom('sa', 'caller', 'b') }), { maxLength: 3 }),
        traffic: fc.constantFrom('none', 'failover', 'weights', 'priority', 'local'),
        globalAlias: fc.boolean(),
      }),
      { maxLength: 5 },
    ),
  })
  .map((g) => {
    const clusters: any[] = [];
    for (let i = 0; i < g.clusterCount; i++) {
      const primaries = clusters.filter((c) => c.role === 'primary');
      const remote = i > 0 && g.remotes[i] && primaries.length > 0;
      const cluster: any = {
        name: g.names[i],
        role: remote ? 'remote' : 'primary',
        network: g.networks[i],
        region: g.regions[i],
        apiServer: `https://${g.names[i]}.k8s.example.com:6443`,
        namespaces: [NAMESPACES[i % NAMESPACES.length]],
        eastWestGateway: g.lbGateway[i] ? { address: `10.0.0.${i + 1}` } : { address: `10.0.0.${i + 1}`, serviceType: 'ClusterIP' },
      };
      if (remote) cluster.controlPlane = primaries[i % primaries.length].name;
      clusters.push(cluster);
    }
    const seen = new Set<string>();
    const services = g.services.flatMap((s) => {
      const key = `${s.namespace}/${s.name}`;
      if (seen.has(key)) return [];
      seen.add(key);
      const runsIn = [...new Set(s.runsIn.map((i) => clusters[i % clusters.length].name))];
      const regions = [...new Set(runsIn.map((n) => clusters.find((c) => c.name === n).region))].sort();
      const namespacesPresent = new Set([...clusters.flatMap((c) => c.namespaces), s.namespace]);
      const service: any = {
        name: s.name,
        namespace: s.namespace,
        ports: s.ports.filter((p, i, all) => all.findIndex((q) => q.number === p.number) === i)
          .map((p) => ({ name: p.name, number: p.number, protocol: p.name === 'grpc' ? 'GRPC' : p.name === 'tcp-x' ? 'TCP' : p.name === 'h2' ? 'HTTP2' : 'HTTP' })),
        runsIn,
        consumers: s.consumers.filter((c) => namespacesPresent.has(c.namespace)),
        globalAlias: s.globalAlias && s.traffic !== 'local',
      };
      if (s.traffic === 'failover' && regions.length > 1) service.failover = [{ from: regions[1], to: regions[0] }];
      if (s.traffic === 'weights' && runsIn.length > 1) {
        service.weights = Object.fromEntries(runsIn.map((n, i) => [n, i === 0 ? 100 - 10 * (runsIn.length - 1) : 10]));
      }
      if (s.traffic === 'priority') service.failoverPriority = ['topology.istio.io/network', 'topology.kubernetes.io/region'];
      if (s.traffic === 'local') service.clusterLocal = true;
      return [service];
    });
    const git = { url: 'https://git.example.com/fleet.git' };
    const delivery = {
      none: undefined,
      flux: { git, flux: {} },
      'flux-management': { git, flux: { mode: 'management', managementCluster: clusters[0].name } },
      argocd: { git, argocd: {} },
      both: { git, flux: {}, argocd: {} },
    }[g.delivery];
    return {
      apiVersion: 'meshfleet.dev/v1alpha1',
      kind: 'MeshTopology',
      mesh: { id: 'mesh1', ...(g.revision ? { istio: { revision: g.revision } } : {}) },
      clusters,
      services,
      ...(delivery ? { delivery } : {}),
    };
  });

