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
import { topologyArb } from './support/topology-arb';

const SCALE = Number(process.env.MESHFLEET_PROPERTY_RUNS ?? 1);
const SEED = Number(process.env.MESHFLEET_PROPERTY_SEED ?? 20261129);
const settings = (runs: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(runs * SCALE)), endOnFailure: true });

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
