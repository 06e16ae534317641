/**
 * Skipping unchanged clusters (src/cluster-fingerprint.ts, the partial build of
 * clusters/fleet.ts): for a topology change, the clusters whose fingerprint did not change keep
 * their old files, the others are built alone, and together they must be byte for byte what a
 * full synth of the new topology gives. A fast-check property over generated topologies and a
 * table of changes (the CLI on disk is covered in synth-skip-cli.test.ts).
 */
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { synthesizeFleet, synthesizeFleetWithLayers } from '../clusters/fleet';
import { planFleet } from '../plan/model';
import { BuildIdentity, canonicalJson, clusterFingerprints } from '../src/cluster-fingerprint';
import { clusterOfFile } from '../src/cluster-selection';
import { MeshFacts, parseTopology, Topology, TopologyError } from '../topology';
import { NAMESPACES, topologyArb } from './support/topology-arb';

const SCALE = Number(process.env.MESHFLEET_PROPERTY_RUNS ?? 1);
const SEED = Number(process.env.MESHFLEET_PROPERTY_SEED ?? 20261129);
const BUILD: BuildIdentity = { version: '0.0.0-test', code: 'test' };

/** Named changes of a generated topology document; `pick` chooses the entry changed. Undefined: not applicable. */
const CHANGES: Record<string, (doc: any, pick: number) => boolean> = {
  'service added': (doc, pick) => {
    const c = doc.clusters[pick % doc.clusters.length].name;
    doc.services.push({ name: 'added', namespace: 'zz', ports: [{ name: 'http', number: 8080, protocol: 'HTTP' }], runsIn: [c], consumers: [{ namespace: doc.clusters[0].namespaces[0], serviceAccount: 'newcaller' }] });
    return true;
  },
  'service removed': (doc, pick) => doc.services.length > 0 && doc.services.splice(pick % doc.services.length, 1).length === 1,
  'service renamed': (doc, pick) => {
    if (!doc.services.length) return false;
    doc.services[pick % doc.services.length].name = 'renamed';
    return true;
  },
  'caller service account changed': (doc, pick) => {
    const withCallers = doc.services.filter((s: any) => s.consumers.length);
    if (!withCallers.length) return false;
    const s = withCallers[pick % withCallers.length];
    s.consumers[pick % s.consumers.length].serviceAccount = 'changed';
    return true;
  },
  'caller added': (doc, pick) => {
    if (!doc.services.length) return false;
    doc.services[pick % doc.services.length].consumers.push({ namespace: NAMESPACES[pick % NAMESPACES.length], serviceAccount: 'another' });
    return true;
  },
  'caller moved to one cluster': (doc, pick) => {
    const withCallers = doc.services.filter((s: any) => s.consumers.length);
    if (!withCallers.length) return false;
    const s = withCallers[pick % withCallers.length];
    s.consumers[0].clusters = [doc.clusters[pick % doc.clusters.length].name];
    return true;
  },
  'service runs in one more cluster': (doc, pick) => {
    if (!doc.services.length) return false;
    const s = doc.services[pick % doc.services.length];
    const more = doc.clusters.map((c: any) => c.name).find((n: string) => !s.runsIn.includes(n));
    if (!more || s.weights) return false;
    s.runsIn.push(more);
    return true;
  },
  'port changed': (doc, pick) => {
    if (!doc.services.length) return false;
    const s = doc.services[pick % doc.services.length];
    s.ports[0].number = s.ports[0].number === 1 ? 2 : s.ports[0].number - 1;
    if (s.ports.filter((p: any) => p.number === s.ports[0].number).length > 1) return false;
    return true;
  },
  'global alias toggled': (doc, pick) => {
    const s = doc.services[pick % Math.max(1, doc.services.length)];
    if (!s || s.clusterLocal) return false;
    s.globalAlias = !s.globalAlias;
    return true;
  },
  'outlier detection set': (doc, pick) => {
    if (!doc.services.length) return false;
    doc.services[pick % doc.services.length].outlierDetection = { consecutive5xxErrors: 7 };
    return true;
  },
  'cluster added': (doc) => {
    doc.clusters.push({ name: 'added', role: 'primary', network: 'n1', region: 'r1', apiServer: 'https://added.k8s.example.com:6443', namespaces: ['apps'], eastWestGateway: { address: '10.0.9.9' } });
    return true;
  },
  'remote removed': (doc, pick) => {
    const remotes = doc.clusters.filter((c: any) => c.role === 'remote');
    if (!remotes.length) return false;
    const gone = remotes[pick % remotes.length].name;
    doc.clusters = doc.clusters.filter((c: any) => c.name !== gone);
    doc.services = doc.services
      .map((s: any) => ({ ...s, runsIn: s.runsIn.filter((n: string) => n !== gone), consumers: s.consumers.map((k: any) => (k.clusters ? { ...k, clusters: k.clusters.filter((n: string) => n !== gone) } : k)) }))
      .filter((s: any) => s.runsIn.length && !s.weights);
    return true;
  },
  'delivery toggled': (doc, pick) => {
    const git = { url: 'https://git.example.com/fleet.git' };
    const modes = [undefined, { git, flux: {} }, { git, argocd: {} }, { git, flux: {}, argocd: {} }, { git, flux: { mode: 'management', managementCluster: doc.clusters[0].name } }];
    const next = modes[pick % modes.length];
    if (canonicalJson(next ?? null) === canonicalJson(doc.delivery ?? null)) return false;
    if (next) doc.delivery = next;
    else delete doc.delivery;
    return true;
  },
  'cluster hatch value changed': (doc, pick) => {
    doc.clusters[pick % doc.clusters.length].istio = { values: { istiod: { autoscaleMax: 3 + (pick % 5) } } };
    return true;
  },
  'mesh hatch value changed': (doc) => {
    doc.mesh.istio = { ...(doc.mesh.istio ?? {}), values: { istiod: { meshConfig: { accessLogFile: '/dev/stdout' } } } };
    return true;
  },
  'east-west address changed': (doc, pick) => {
    doc.clusters[pick % doc.clusters.length].eastWestGateway.address = '10.1.2.3';
    return true;
  },
  'trust domain changed': (doc) => {
    doc.mesh.trustDomain = 'other.example.com';
    return true;
  },
};

function load(doc: unknown): Topology | undefined {
  try {
    return parseTopology(dump(doc), 'generated.yaml');
  } catch (e) {
    if (e instanceof TopologyError) return undefined;
    throw e;
  }
}

/**
 * Re-synthesizes `after` the way `synth` does over the output of `before`: unchanged
 * fingerprints keep their files, the other clusters are built alone. Returns the merged tree
 * and the clusters skipped.
 */
function resynth(before: Topology, after: Topology, fingerprints = clusterFingerprints) {
  const old = synthesizeFleetWithLayers(before);
  const oldPrints = fingerprints(before, planFleet(before), BUILD);
  const facts = new MeshFacts(after);
  const plan = planFleet(after, facts);
  const prints = fingerprints(after, plan, BUILD);
  const skipped = new Set([...prints].filter(([c, p]) => oldPrints.get(c) === p && old.layers.has(c)).map(([c]) => c));
  const rebuilt = new Set(after.clusters.map((c) => c.name).filter((c) => !skipped.has(c)));
  const names = new Set(after.clusters.map((c) => c.name));
  const partial = synthesizeFleetWithLayers(after, { facts, plan, clusters: rebuilt, layersOf: new Map([...skipped].map((c) => [c, old.layers.get(c)!])) });
  const kept = [...old.tree].filter(([file]) => skipped.has(clusterOfFile(file, names) ?? ''));
  const merged = new Map([...partial.tree, ...kept].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { merged, skipped };
}

/** Paths whose content differs between two trees (or that only one has). */
function differing(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((f) => a.get(f) !== b.get(f)).sort();
}

const counts: Record<string, { tried: number; skipped: number }> = {};

afterAll(() => {
  const text = Object.entries(counts).map(([k, v]) => `${k} ${v.tried} (${v.skipped} clusters skipped)`).join(', ');
  process.stdout.write(`meshfleet skip property (seed ${SEED}): ${text}\n`);
});

describe('re-synth with skipped clusters', () => {
  test('gives exactly the output of a full synth, for every kind of change', () => {
    fc.assert(
      fc.property(topologyArb, fc.constantFrom(...Object.keys(CHANGES)), fc.nat(), (doc, change, pick) => {
        const before = load(doc);
        fc.pre(before !== undefined);
        const edited = JSON.parse(JSON.stringify(doc));
        fc.pre(CHANGES[change](edited, pick));
        const after = load(edited);
        fc.pre(after !== undefined);
        const { merged, skipped } = resynth(before!, after!);
        counts[change] = { tried: (counts[change]?.tried ?? 0) + 1, skipped: (counts[change]?.skipped ?? 0) + skipped.size };
        const full = synthesizeFleet(after!);
        expect(differing(merged, full)).toEqual([]);
        // A full synth builds one app per cluster; the same fleet in one app gives the same files.
        expect(differing(full, synthesizeFleet(after!, { customize: () => undefined }))).toEqual([]);
      }),
      { seed: SEED, numRuns: Math.max(1, Math.round(120 * SCALE)), endOnFailure: true },
    );
  });

  test('skips the clusters a one-caller change does not touch (and only those)', () => {
    // GIVEN three primaries; reviews runs in east, its caller in west only
    const doc = {
      apiVersion: 'meshfleet.dev/v1alpha1',
      kind: 'MeshTopology',
      mesh: { id: 'mesh1' },
      clusters: ['east', 'west', 'north'].map((name, i) => ({ name, role: 'primary', network: `n${i}`, region: `r${i}`, apiServer: `https://${name}.k8s.example.com:6443`, namespaces: ['apps'], eastWestGateway: { address: `10.0.0.${i + 1}` } })),
      services: [{ name: 'reviews', namespace: 'apps', ports: [{ name: 'http', number: 9080, protocol: 'HTTP' }], runsIn: ['east'], consumers: [{ namespace: 'apps', serviceAccount: 'productpage', clusters: ['west'] }] }],
    };
    const edited = JSON.parse(JSON.stringify(doc));
    edited.services[0].consumers[0].serviceAccount = 'frontend';
    // WHEN the caller's service account changes
    const { merged, skipped } = resynth(load(doc)!, load(edited)!);
    // THEN only east (its AuthorizationPolicy names the caller) is rebuilt; west and north are
    // skipped (west's model lists the caller, but nothing west renders names the account)
    expect([...skipped].sort()).toEqual(['north', 'west']);
    expect(differing(merged, synthesizeFleet(load(edited)!))).toEqual([]);
  });

  test('a new meshfleet build (version or code) changes every fingerprint', () => {
    const topology = load({ apiVersion: 'meshfleet.dev/v1alpha1', kind: 'MeshTopology', mesh: { id: 'm' }, clusters: [{ name: 'a', role: 'primary', network: 'n', region: 'r' }] })!;
    const plan = planFleet(topology);
    const base = clusterFingerprints(topology, plan, BUILD).get('a');
    expect(clusterFingerprints(topology, plan, { ...BUILD, code: 'other' }).get('a')).not.toBe(base);
    expect(clusterFingerprints(topology, plan, { ...BUILD, version: '0.0.1' }).get('a')).not.toBe(base);
    expect(clusterFingerprints(topology, plan, BUILD).get('a')).toBe(base);
  });

  test('canonicalJson sorts keys at every level and refuses what JSON cannot hold exactly', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: undefined }], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,{"f":2}]},"b":1}');
    expect(() => canonicalJson(new Map())).toThrow('canonicalJson: a Map instance has no canonical JSON form');
    expect(() => canonicalJson(NaN)).toThrow('canonicalJson: NaN has no exact JSON form');
  });
});
