/**
 * The check's validators precompiled at build time (scripts/build-validators.js, ajv
 * standalone code in lib/src/check/validators/) report exactly what the validators compiled
 * at run time report, and sharing repeated subschemas (`$ref`) changes no message: three
 * validators over the same objects, the bundled example's output and systematic breakages
 * of it (every field deleted, retyped, given an unknown sibling, ...).
 *
 * Reads lib/ (`npm test` builds it first; after editing src/ run `npm run build`).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadAll } from 'js-yaml';
import { shippedBuiltinBundle } from '../src/check/builtin-bundle';
import { HelmValuesChecker, shippedChartBundle } from '../src/check/helm-values';
import type { PrecompiledValidators } from '../src/check/precompiled';
import { fieldJsonSchema, fullFieldJsonSchema, kindEntries, topLevelFields } from '../src/check/kind-json-schemas';
import { shippedSchemaBundle, type SchemaNode } from '../src/check/schema-bundle';
import { ManifestValidator } from '../src/check/schema-validator';
import { filesUnder } from './support/files';
import { ROOT } from './support/synth';

const LIB_CHECK = path.join(ROOT, 'lib', 'src', 'check');

/** The lookup lib/ ships (the one `meshfleet` uses), from the build of this checkout. */
function libPrecompiled(): PrecompiledValidators {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lookup = (require(path.join(LIB_CHECK, 'precompiled.js')) as typeof import('../src/check/precompiled')).shippedPrecompiledValidators();
  if (!lookup) throw new Error('lib/src/check/validators/ is missing: run `npm run build`');
  return lookup;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

function isObj(value: Json | undefined): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The bundled example's output (dist/), every document. */
function distObjects(): Obj[] {
  const dist = path.join(ROOT, 'dist');
  return filesUnder(dist)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => loadAll(readFileSync(path.join(dist, f), 'utf8')) as Json[])
    .filter(isObj);
}

/** A deep copy with `edit` applied to the node at `at` (a path of keys and indexes). */
function edited(object: Obj, at: readonly (string | number)[], edit: (parent: Obj | Json[], key: string | number) => void): Obj {
  const copy = structuredClone(object);
  let node: Json = copy;
  for (const step of at.slice(0, -1)) node = (node as Record<string | number, Json>)[step];
  edit(node as Obj | Json[], at[at.length - 1]);
  return copy;
}

/**
 * Breakages of an object, one change each: every field deleted; every value replaced by one
 * of another type and, for scalars, by values that break enums, patterns and formats (a
 * non-integer, a number beyond int32, a string that is no quantity, date or base64); every
 * object given an unknown field; every array given a duplicate of its first item.
 */
function breakages(object: Obj): Obj[] {
  const out: Obj[] = [];
  const set = (at: (string | number)[], value: Json) => out.push(edited(object, at, (p, k) => { (p as Record<string | number, Json>)[k] = value; }));
  const walk = (node: Json, at: (string | number)[]): void => {
    if (at.length > 0 && at[0] === 'apiVersion') return; // another kind: not what is compared
    if (at.length > 0 && !(at.length === 1 && at[0] === 'kind')) {
      const parentIsObject = typeof at[at.length - 1] === 'string';
      if (parentIsObject) out.push(edited(object, at, (p, k) => { delete (p as Obj)[k as string]; }));
    }
    if (Array.isArray(node)) {
      if (at.length > 0) set(at, { not: 'a list' });
      if (node.length > 0) out.push(edited(object, [...at, node.length], (p, k) => { (p as Json[])[k as number] = structuredClone(node[0]); }));
      node.forEach((item, i) => walk(item, [...at, i]));
    } else if (isObj(node)) {
      if (at.length > 0) set(at, 'not an object');
      out.push(edited(object, [...at, 'zzUnknownField'], (p, k) => { (p as Obj)[k as string] = 1; }));
      for (const [key, value] of Object.entries(node)) walk(value, [...at, key]);
    } else if (typeof node === 'string') {
      set(at, 42);
      set(at, 'Not A-Valid value!');
    } else if (typeof node === 'number') {
      set(at, 1.5);
      set(at, 2 ** 40);
      set(at, 'eleven');
    } else if (typeof node === 'boolean') {
      set(at, 'yes');
    }
  };
  walk(object, []);
  return out;
}

/** Hand-made objects for what the example's output lacks: formats, oneOf, list maps, nulls. */
const EXTRA: Obj[] = [
  {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'n' },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: {
        metadata: { labels: { app: 'd' }, creationTimestamp: null },
        spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 8080 }], resources: { limits: { cpu: '500m', memory: '1Gi' } } }] },
      },
    },
  },
  {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'n' },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: {
        metadata: { labels: { app: 'd' } },
        spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: 'lots' } } }] },
      },
    },
  },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' }, data: { key: 'not base64!' } },
  { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'r', namespace: 'n' }, spec: { host: 'h', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN', consistentHash: { httpHeaderName: 'x' } } } } },
  { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'v', namespace: 'n' }, spec: { hosts: ['h'], http: [{ match: [{ uri: { exact: 'a', prefix: 'b' } }], route: [{ destination: { host: 'h' }, weight: 1.5 }] }] } },
  { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a', namespace: 'argocd' }, spec: { project: 'p', destination: {}, source: { repoURL: 'r' } }, status: { sync: { status: 'Nope' } } },
];

/** Every shipped kind with an empty spec, and with a spec of the wrong type and an unknown field. */
function minimalObjects(): Obj[] {
  const kinds = [
    ...shippedSchemaBundle().kinds.map((k) => [k.apiVersion, k.kind, k.scope] as const),
    ...shippedBuiltinBundle().kinds.map((k) => [k.apiVersion, k.kind, k.scope] as const),
  ];
  return kinds.flatMap(([apiVersion, kind, scope]): Obj[] => {
    const metadata: Obj = scope === 'Namespaced' ? { name: 'x', namespace: 'n' } : { name: 'x' };
    return [
      { apiVersion, kind, metadata, spec: {} },
      { apiVersion, kind, metadata, spec: 'text', zzUnknownField: 1 },
    ];
  });
}

/** A schema with every `$ref` to its `definitions` written out again (sharing undone). */
function inlined(schema: SchemaNode): SchemaNode {
  const definitions = (schema.definitions ?? {}) as Record<string, SchemaNode>;
  const undo = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(undo);
    if (typeof node !== 'object' || node === null) return node;
    const record = node as Record<string, unknown>;
    if (typeof record.$ref === 'string') {
      const name = record.$ref.replace(/^#\/definitions\//, '');
      if (!(name in definitions)) throw new Error(`dangling ${record.$ref}`);
      return undo(definitions[name]);
    }
    return Object.fromEntries(Object.entries(record).filter(([k]) => k !== 'definitions').map(([k, v]) => [k, undo(v)]));
  };
  return undo(schema) as SchemaNode;
}

/** Whether a `$ref` sits in an allOf/anyOf/oneOf/not branch (where it would break collapsing). */
function refInJunctor(node: unknown, inJunctor = false): boolean {
  if (Array.isArray(node)) return node.some((n) => refInJunctor(n, inJunctor));
  if (typeof node !== 'object' || node === null) return false;
  return Object.entries(node).some(([k, v]) => (k === '$ref' && inJunctor) || refInJunctor(v, inJunctor || ['allOf', 'anyOf', 'oneOf', 'not'].includes(k)));
}

/** A ManifestValidator whose run-time field schemas do not share subschemas (as before sharing). */
function unsharedValidator(): ManifestValidator {
  let validator: ManifestValidator | undefined;
  jest.isolateModules(() => {
    const actual = jest.requireActual<typeof import('../src/check/kind-json-schemas')>('../src/check/kind-json-schemas');
    jest.doMock('../src/check/kind-json-schemas', () => ({
      ...actual,
      fieldJsonSchema: actual.fullFieldJsonSchema,
    }));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const isolated = require('../src/check/schema-validator') as typeof import('../src/check/schema-validator');
    validator = new isolated.ManifestValidator(shippedSchemaBundle(), shippedBuiltinBundle(), () => undefined);
  });
  return validator!;
}

function problemsOf(validator: ManifestValidator, objects: readonly Obj[]): string[][] {
  return objects.map((o) => validator.validate(o).map((p) => `${p.type} ${p.text}`));
}

describe('precompiled validators', () => {
  const example = distObjects();
  const broken = example.flatMap(breakages);
  const used = new Set<string>();
  const lookup = libPrecompiled();
  const precompiled = new ManifestValidator(shippedSchemaBundle(), shippedBuiltinBundle(), (key) => {
    const kind = lookup(key);
    if (kind) used.add(key);
    return kind;
  });
  const runTime = new ManifestValidator(shippedSchemaBundle(), shippedBuiltinBundle(), () => undefined);

  test('lib/ was built from the schema bundles in src/ (else run `npm run build`)', () => {
    for (const file of ['crd-bundle.json', 'builtin-bundle.json']) {
      expect(readFileSync(path.join(LIB_CHECK, 'schemas', file), 'utf8')).toBe(readFileSync(path.join(ROOT, 'src', 'check', 'schemas', file), 'utf8'));
    }
  });

  test('the example output and its breakages: same problems as run-time compiled validators', () => {
    const objects = [...example, ...EXTRA, ...broken];
    const expected = problemsOf(runTime, objects);
    expect(problemsOf(precompiled, objects)).toEqual(expected);
    // Not vacuous: the breakages are found, and the example's kinds were all precompiled.
    expect(expected.slice(0, example.length).flat().filter((p) => !p.startsWith('no-schema'))).toEqual([]);
    expect(expected.slice(example.length + EXTRA.length).filter((p) => p.length > 0).length).toBeGreaterThan(broken.length / 2);
    expect(expected.flat()).toEqual(expect.arrayContaining([
      'schema spec.template.spec.containers[0].resources.limits.cpu: must be a valid quantity (got string "lots")',
      'schema data.key: must be a valid byte (got string "not base64!")',
      'schema spec.http[0].route[0].weight: must be a valid int32 (got number 1.5)',
      'schema spec.http[0].match[0].uri: at most one of exact, prefix, regex may be set (got exact, prefix)',
      'schema spec.trafficPolicy.loadBalancer: at most one of simple, consistentHash may be set (got simple, consistentHash)',
    ]));
    const kinds = new Set(example.filter((o) => o.kind !== 'IstioOperator' && o.apiVersion !== 'kustomize.config.k8s.io/v1beta1').map((o) => `${String(o.apiVersion)} ${String(o.kind)}`));
    expect([...kinds].filter((k) => !used.has(k))).toEqual([]);
  });

  test('every shipped kind: same problems as run-time compiled validators', () => {
    const objects = minimalObjects();
    expect(problemsOf(precompiled, objects)).toEqual(problemsOf(runTime, objects));
    expect(used.size).toBe(shippedSchemaBundle().kinds.length + shippedBuiltinBundle().kinds.length);
  });

  test('shared subschemas, written out again, are the full schemas, and no reference sits in a junctor', () => {
    const differ: string[] = [];
    let shared = 0;
    for (const [key, entry] of kindEntries(shippedSchemaBundle(), shippedBuiltinBundle())) {
      for (const field of topLevelFields(entry)) {
        const schema = fieldJsonSchema(entry, field);
        if (schema.definitions) shared += 1;
        if (JSON.stringify(inlined(schema)) !== JSON.stringify(fullFieldJsonSchema(entry, field)) || refInJunctor(schema)) differ.push(`${key} ${field}`);
      }
    }
    expect(differ).toEqual([]);
    expect(shared).toBeGreaterThan(10);
    // Argo CD's ApplicationSet repeats the Application template in every generator.
    const appSet = kindEntries(shippedSchemaBundle(), shippedBuiltinBundle()).get('argoproj.io/v1alpha1 ApplicationSet')!;
    expect(JSON.stringify(fieldJsonSchema(appSet, 'spec')).length).toBeLessThan(JSON.stringify(fullFieldJsonSchema(appSet, 'spec')).length / 10);
  });

  test('shared subschemas change no message: same problems as schemas written out in full', () => {
    const objects = [...example, ...EXTRA, ...broken];
    expect(problemsOf(unsharedValidator(), objects)).toEqual(problemsOf(runTime, objects));
  });

  test("the gateway chart's values.schema.json: same problems as the run-time compiled schema", () => {
    const charts: string[] = [];
    const precompiledChecker = new HelmValuesChecker(shippedChartBundle(), (key) => {
      const module = lookup(key);
      if (module) charts.push(key);
      return module;
    });
    const runTimeChecker = new HelmValuesChecker(shippedChartBundle(), () => undefined);
    const release = example.find((o) => o.kind === 'HelmRelease' && isObj(o.spec) && isObj(o.spec.chart) && JSON.stringify(o.spec.chart).includes('"gateway"'));
    const values = (release!.spec as Obj).values as Obj;
    const defaults = shippedChartBundle().charts.gateway.defaults as Obj;
    const cases = [values, defaults, ...breakages(values), ...breakages(defaults), { service: { type: 'Nope', ports: 'x' }, replicaCount: 'two', autoscaling: { enabled: 'yes' } }];
    const found = cases.map((v) => runTimeChecker.unknownValuePaths('gateway', v));
    expect(cases.map((v) => precompiledChecker.unknownValuePaths('gateway', v))).toEqual(found);
    expect(charts).toEqual(['istio-chart:gateway']);
    expect(found.slice(0, 2)).toEqual([[], []]);
    expect(found.filter((f) => f.length > 0).length).toBeGreaterThan(cases.length / 3);
    expect(found[found.length - 1]).toEqual([
      'autoscaling.enabled: must be boolean (values.schema.json)',
      'replicaCount: must be integer or null (values.schema.json)',
      'service.ports: must be array (values.schema.json)',
    ]);
  });
});
