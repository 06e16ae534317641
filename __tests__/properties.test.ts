/**
 * Property tests (fast-check): generated valid topologies always synthesize, pass the strict
 * schema validator, are deterministic and invariant under reordering; generated mutations of
 * valid topologies are valid (and then synthesize) or rejected with located problems, never
 * another exception.
 *
 * Fixed seed and a small budget in CI; `MESHFLEET_PROPERTY_RUNS=<n>` multiplies the runs and
 * `MESHFLEET_PROPERTY_SEED=<n>` changes the seed for a longer local exploration.
 */
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { synthesizeFleet } from '../clusters/fleet';
import { parseTopology, TopologyError } from '../topology';
import { validateManifests } from './support/crd-schema';
import { Synthesized } from './support/synth';

const SCALE = Number(process.env.MESHFLEET_PROPERTY_RUNS ?? 1);
const SEED = Number(process.env.MESHFLEET_PROPERTY_SEED ?? 20261129);
const settings = (runs: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(runs * SCALE)), endOnFailure: true });

const CLUSTER_NAMES = ['east', 'west', 'aa', 'z', 'eu-1', 'us-2', 't'];
const NAMESPACES = ['apps', 'team-a', 'zz', 'aa'];
const REGIONS = ['r1', 'r2', 'r3'];

/** A topology document (plain data) that the generator means to be valid. */
const topologyArb = fc
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

/** The same document with every list whose order has no meaning reversed. */
function reordered(doc: any): any {
  const copy = JSON.parse(JSON.stringify(doc));
  copy.clusters.reverse();
  for (const c of copy.clusters) c.namespaces.reverse();
  copy.services.reverse();
  for (const s of copy.services) {
    s.runsIn.reverse();
    s.consumers.reverse();
    if (s.weights) s.weights = Object.fromEntries(Object.entries(s.weights).reverse());
  }
  return copy;
}

function treeOf(text: string): ReadonlyMap<string, string> {
  return synthesizeFleet(parseTopology(text, 'generated.yaml'));
}

/** Every problem of a rejected topology has a path and a position; anything else is rethrown. */
function expectLocated(e: unknown): void {
  if (!(e instanceof TopologyError)) throw e;
  expect(e.problems.length).toBeGreaterThan(0);
  for (const p of e.problems) expect({ problem: p, located: p.position !== undefined && p.message.length > 0 }).toEqual({ problem: p, located: true });
}

const counts = { generated: 0, valid: 0, mutated: 0, mutatedValid: 0 };

afterAll(() => {
  process.stdout.write(`meshfleet property tests (seed ${SEED}): ${counts.generated} generated topologies, ${counts.valid} valid; ` +
    `${counts.mutated} mutations, ${counts.mutatedValid} still valid\n`);
});

describe('generated valid topologies', () => {
  test('synthesize, pass the schemas, and are deterministic and invariant under reordering', () => {
    fc.assert(
      fc.property(topologyArb, (doc) => {
        counts.generated++;
        const text = dump(doc);
        let tree: ReadonlyMap<string, string>;
        try {
          tree = treeOf(text);
        } catch (e) {
          expectLocated(e);
          // The generator means every document to be valid: a rejection is a finding.
          throw new Error(`generated topology rejected:\n${(e as Error).message}\n${text}`);
        }
        counts.valid++;
        const out = new Synthesized(parseTopology(text, 'generated.yaml'), tree);
        const problems = validateManifests(out.manifests().filter((m) => m.kind !== 'IstioOperator'));
        expect(problems).toEqual([]);
        expect(treeOf(text)).toEqual(tree);
        expect(treeOf(dump(reordered(doc)))).toEqual(tree);
      }),
      settings(25),
    );
  });
});

/** A path into a document and a value to put there (or `undefined`: delete). */
const mutationArb = fc.record({
  pick: fc.nat(),
  value: fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.string({ maxLength: 70 }),
    fc.constantFrom('', 'istio-system', 'argocd', 'a'.repeat(64), 'https://x\ny', '{{ .token }}', '0ms', '1.5ms', '99999999999h', 'primary', 'remote', 'east', 'r1', 'HTTP'),
    fc.integer({ min: -5, max: 70000 }),
    fc.boolean(),
    fc.constant([]),
    fc.constant({}),
    fc.array(fc.constantFrom('east', 'west', 'zz', 'r2'), { maxLength: 3 }),
  ),
});

/** Every (container, key) pair of a document, depth first. */
function slots(doc: any): Array<[any, string | number]> {
  const out: Array<[any, string | number]> = [];
  const pending = [doc];
  while (pending.length) {
    const node = pending.pop();
    if (node === null || typeof node !== 'object') continue;
    for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) {
      out.push([node, key]);
      pending.push(node[key]);
    }
  }
  return out;
}

describe('mutations of valid topologies', () => {
  test('are valid and synthesize, or are rejected with located problems', () => {
    fc.assert(
      fc.property(topologyArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (doc, mutations) => {
        const copy = JSON.parse(JSON.stringify(doc));
        for (const { pick, value } of mutations) {
          const all = slots(copy);
          const [node, key] = all[pick % all.length];
          if (value === undefined) {
            if (Array.isArray(node)) node.splice(key as number, 1);
            else delete node[key];
          } else node[key] = value;
        }
        counts.mutated++;
        let tree: ReadonlyMap<string, string> | undefined;
        try {
          tree = treeOf(dump(copy));
        } catch (e) {
          expectLocated(e);
        }
        if (tree) counts.mutatedValid++;
      }),
      settings(150),
    );
  });
});
