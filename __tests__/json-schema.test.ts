import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { dump, load } from 'js-yaml';
import { checkFormat, Reader, StringFormat } from '../topology/reader';
import { DEFAULTS, DERIVED_DEFAULTS, FORMAT_SCHEMAS, JSON_SCHEMA_FILE, topologyJsonSchema, topologyJsonSchemaText } from '../topology/json-schema';
import { readInputs } from '../topology/load';
import { readTopology } from '../topology/schema';
import { loadTopology, parseTopology, TopologyError } from '../topology';
import { TopologyInputs } from '../topology/inputs';

const ROOT = path.join(__dirname, '..');
const committed = JSON.parse(readFileSync(path.join(ROOT, JSON_SCHEMA_FILE), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(committed);

/** Every topology the project ships or tests with. */
const TOPOLOGIES = [
  ...readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => `examples/${f}`),
  ...readdirSync(path.join(ROOT, '__tests__/fixtures')).filter((f) => f.endsWith('.yaml')).map((f) => `__tests__/fixtures/${f}`),
];

function schemaErrors(doc: unknown): ErrorObject[] {
  return validate(doc) ? [] : [...(validate.errors ?? [])];
}

/** The loader's shape step alone (no cross-field rules), on parsed data. */
function shapeProblems(doc: unknown, inputs: TopologyInputs, file: string): string[] {
  const reader = new Reader({ data: doc, valueAt: new Map(), keyAt: new Map(), syntaxProblems: [] });
  readTopology(reader, doc, inputs, file);
  return reader.problems.map((p) => `${p.path}: ${p.message}`);
}

const MINIMAL = `apiVersion: meshfleet.dev/v1alpha1
kind: MeshTopology
mesh:
  id: mesh1
clusters:
  - name: east
    role: primary
    network: net1
    region: r1
`;

describe('the committed JSON Schema', () => {
  test('equals the one generated from the loader (run `npm run schema` after changing the loader)', () => {
    expect(readFileSync(path.join(ROOT, JSON_SCHEMA_FILE), 'utf8')).toBe(topologyJsonSchemaText());
  });

  test('is a valid draft-07 schema and describes the document', () => {
    expect(committed.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(committed.required).toEqual(['apiVersion', 'kind', 'mesh', 'clusters']);
    expect(committed.properties.apiVersion).toMatchObject({ type: 'string', enum: ['meshfleet.dev/v1alpha1'] });
    expect(committed.properties.kind).toMatchObject({ type: 'string', enum: ['MeshTopology'] });
    // Worked out from schema.ts by hand: a port is three required fields, number 1-65535.
    const port = committed.properties.services.items.properties.ports.items;
    expect(port.required).toEqual(['protocol', 'name', 'number']);
    expect(port.properties.number).toEqual({ type: 'integer', minimum: 1, maximum: 65535 });
    expect(port.additionalProperties).toBe(false);
    expect(committed.properties.clusters.items.properties.role).toMatchObject({ type: 'string', enum: ['primary', 'remote'] });
    expect(committed.properties.clusters.minItems).toBe(1);
  });
});

describe('every example and test topology', () => {
  test.each(TOPOLOGIES)('%s loads and validates against the schema', (file) => {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    expect(text.startsWith(`# yaml-language-server: $schema=${path.relative(path.dirname(path.join(ROOT, file)), path.join(ROOT, JSON_SCHEMA_FILE))}\n`)).toBe(true);
    expect(() => loadTopology(path.join(ROOT, file))).not.toThrow();
    expect(schemaErrors(load(text))).toEqual([]);
  });

  test("the README's topology reference validates against the schema", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = readme.split('## Topology reference')[1].split('```yaml\n')[1].split('```')[0];
    expect(block.startsWith(`# yaml-language-server: $schema=${JSON_SCHEMA_FILE}\n`)).toBe(true);
    expect(schemaErrors(load(block))).toEqual([]);
  });
});

describe('broken topologies fail the schema', () => {
  const broken = (edit: string, replace: string) => load(MINIMAL.replace(edit, replace));

  test('the minimal topology passes', () => {
    expect(schemaErrors(load(MINIMAL))).toEqual([]);
  });

  test.each([
    ['an unknown key', broken('  id: mesh1\n', '  id: mesh1\n  trustdomain: x\n'), '/mesh', 'additionalProperties'],
    ['a misspelt cluster key', broken('    region: r1\n', '    regoin: r1\n'), '/clusters/0', 'additionalProperties'],
    ['a wrong type', broken('  id: mesh1\n', '  id: 12\n'), '/mesh/id', 'type'],
    ['a list where a mapping goes', broken('mesh:\n  id: mesh1\n', 'mesh: [mesh1]\n'), '/mesh', 'type'],
    ['a bad enum', broken('role: primary', 'role: main'), '/clusters/0/role', 'enum'],
    ['a wrong apiVersion', broken('meshfleet.dev/v1alpha1', 'meshfleet.dev/v1'), '/apiVersion', 'enum'],
    ['a missing required key', broken('    network: net1\n', ''), '/clusters/0', 'required'],
    ['a missing mesh', broken('mesh:\n  id: mesh1\n', ''), '', 'required'],
    ['an empty cluster list', load(MINIMAL.split('clusters:')[0] + 'clusters: []\n'), '/clusters', 'minItems'],
    ['a name that is not a DNS label', broken('name: east', 'name: East_1'), '/clusters/0/name', 'pattern'],
    ['a port out of range', load(`${MINIMAL}services:\n  - { name: a, namespace: b, runsIn: [east], ports: [{ name: http, number: 70000, protocol: HTTP }] }\n`), '/services/0/ports/0/number', 'maximum'],
    ['a patch with both file and patch', load(`${MINIMAL.replace('  id: mesh1\n', '  id: mesh1\n  patches: [{ file: p.yaml, patch: {} }]\n')}`), '/mesh/patches/0', 'oneOf'],
    ['flux without git', load(`${MINIMAL}delivery:\n  flux: {}\n`), '/delivery', 'required'],
  ])('%s', (_what, doc, instancePath, keyword) => {
    const errors = schemaErrors(doc);
    expect(errors.map((e) => [e.instancePath, e.keyword])).toContainEqual([instancePath, keyword]);
    // The loader refuses it too.
    expect(() => parseTopology(dump(doc), 't.yaml')).toThrow(TopologyError);
  });
});

/**
 * Drift: the schema and the loader's shape step must agree on every document. Each shipped
 * topology is mutated at every path (an unknown key added to each mapping; each value deleted,
 * nulled, or replaced by a value of every other type and by an out-of-enum string) and both
 * must accept or both refuse.
 */
describe('the schema and the loader agree', () => {
  // The loader checks these beyond what JSON Schema says here (the schema only accepts more).
  const LOADER_ONLY = [
    /\.istio\.values\.[a-z]+(\.|$)/, // chart values are checked against the pinned chart
    /\.patches\[\d+\]\.(patch|file)(\.|\[|$)/, // patch content, and files read beside the topology
    /\.objects\[\d+\]\.directory$/,
    /\.valuesFiles\.[a-z]+(\[|$)/,
    /\.eastWestGateway\.(loadBalancerIP|loadBalancerSourceRanges|serviceAnnotations\.)/, // IP, CIDR, annotation names
    /\.eastWestGateway\.autoscaling\.(minReplicas|maxReplicas)$/, // minReplicas <= maxReplicas
    /\.versions\[\d+\]\.labels\./, // label keys and values
  ];

  type Mutation = { readonly at: string; readonly doc: unknown };

  function* mutations(doc: unknown): Generator<Mutation> {
    const clone = () => structuredClone(doc) as Record<string, unknown>;
    const paths: { at: string; trail: (string | number)[]; value: unknown }[] = [];
    const walk = (value: unknown, trail: (string | number)[]) => {
      paths.push({ at: trail.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join(''), trail, value });
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...trail, i]));
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...trail, k]);
    };
    walk(doc, []);
    const set = (trail: (string | number)[], to: unknown | typeof DELETE) => {
      const copy = clone();
      let node = copy as Record<string | number, unknown>;
      for (const s of trail.slice(0, -1)) node = node[s] as Record<string | number, unknown>;
      const last = trail[trail.length - 1];
      if (to === DELETE) {
        if (Array.isArray(node)) node.splice(last as number, 1);
        else delete node[last];
      } else node[last] = to;
      return copy;
    };
    for (const { at, trail, value } of paths) {
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const copy = set(trail, { ...value, zzUnknownKey: 'x' });
        yield { at: `${at}.zzUnknownKey`, doc: trail.length ? copy : { ...(doc as object), zzUnknownKey: 'x' } };
      }
      if (!trail.length) continue;
      yield { at: `${at} (deleted)`, doc: set(trail, DELETE) };
      yield { at: `${at} (null)`, doc: set(trail, null) };
      for (const other of ['zz-not-in-any-enum', 0, 7, 7.5, -1, 101, 1001, 70000, true, {}, [], ['a'], { k: 'v' }]) {
        if (JSON.stringify(other) !== JSON.stringify(value)) yield { at: `${at} = ${JSON.stringify(other)}`, doc: set(trail, other) };
      }
    }
  }
  const DELETE = Symbol('delete');

  test.each(TOPOLOGIES)('on every mutation of %s', (file) => {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    const inputs = readInputs(text, path.dirname(path.join(ROOT, file)));
    const doc = load(text);
    expect(shapeProblems(doc, inputs, file)).toEqual([]);
    const disagreements: string[] = [];
    let refused = 0;
    let total = 0;
    for (const m of mutations(doc)) {
      if (LOADER_ONLY.some((r) => r.test(m.at.split(' ')[0]))) continue;
      total++;
      const schema = schemaErrors(m.doc);
      const loader = shapeProblems(m.doc, inputs, file);
      if (loader.length) refused++;
      if (!schema.length !== !loader.length) {
        disagreements.push(`${m.at}: schema ${schema.length ? `refuses (${schema[0].instancePath} ${schema[0].message})` : 'accepts'}, loader ${loader.length ? `refuses (${loader[0]})` : 'accepts'}`);
      }
    }
    expect(disagreements).toEqual([]);
    // The mutations exercise both sides: most are refused, some are not.
    expect(total).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(total / 2);
    expect(refused).toBeLessThan(total);
  });

  test.each(Object.keys(FORMAT_SCHEMAS) as StringFormat[])('the %s pattern accepts every value the loader accepts', (format) => {
    const samples = [
      'a', 'east-1', 'East', '-a', 'a-', 'a'.repeat(63), 'a'.repeat(64), '1s', '10m', '1h30m', '1.5s', '0s', '100ms', '10', 's',
      'https://a.example', 'https://a.example:6443', 'https://', 'http://a.example', 'ssh://git@a.example/r.git', 'oci://a.example/charts',
      'git@github.com:o/r.git', 'https://a b', '203.0.113.10', 'a.example.com', 'fe80::1', 'a..b', '', ' ',
    ];
    const pattern = new RegExp(FORMAT_SCHEMAS[format].pattern as string, 'u');
    const maxLength = (FORMAT_SCHEMAS[format].maxLength as number | undefined) ?? Infinity;
    for (const s of samples) {
      const loader = checkFormat(s, format) === undefined;
      const schema = pattern.test(s) && s.length <= maxLength;
      if (loader) expect([s, schema]).toEqual([s, true]);
    }
  });

  test('generation refuses a loader field without a schema', () => {
    // The generator itself checks HAND_READ_FIELDS both ways; it runs clean on the real loader.
    expect(() => topologyJsonSchema()).not.toThrow();
  });
});

describe('defaults in the schema', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const full = load(readme.split('## Topology reference')[1].split('```yaml\n')[1].split('```')[0]);

  /** Every optional scalar field of the schema, as [schema path, document trail] pairs found in `doc`. */
  function optionalScalars(node: any, doc: any, at: string, trail: (string | number)[]): [string, (string | number)[]][] {
    const out: [string, (string | number)[]][] = [];
    if (node.items && Array.isArray(doc) && doc.length) out.push(...optionalScalars(node.items, doc[0], `${at}[0]`, [...trail, 0]));
    for (const [key, child] of Object.entries<any>(node.properties ?? {})) {
      if (!doc || typeof doc !== 'object' || !(key in doc)) continue;
      const p = at ? `${at}.${key}` : key;
      const types = [child.type].flat();
      if (!(node.required ?? []).includes(key) && types.some((t: string) => ['string', 'integer', 'boolean'].includes(t))) out.push([p, [...trail, key]]);
      out.push(...optionalScalars(child, doc[key], p, [...trail, key]));
    }
    return out;
  }

  const fields = optionalScalars(committed, full, '', []);

  test("the README's topology holds most optional fields", () => {
    expect(fields.length).toBeGreaterThan(40);
  });

  test.each(fields.map(([p, trail]) => [p, trail] as const))('%s: what the loader fills in is the schema default', (p, trail) => {
    const doc = structuredClone(full) as any;
    let parent = doc;
    for (const s of trail.slice(0, -1)) parent = parent[s];
    delete parent[trail[trail.length - 1]];
    // The own-object directories it names hold one object each, so each entry reads as one object.
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, namespace: b }\n';
    const inputs: TopologyInputs = {
      directories: new Map([['objects/all', ['a.yaml']], ['objects/cluster1', ['a.yaml']]]),
      files: new Map([['objects/all/a.yaml', cm], ['objects/cluster1/a.yaml', cm]]),
    };
    const draft: any = readTopology(new Reader({ data: doc, valueAt: new Map(), keyAt: new Map(), syntaxProblems: [] }), doc, inputs);
    const filled = trail.reduce((v, s) => (v === undefined ? undefined : v[s]), draft);
    if (p in DERIVED_DEFAULTS) {
      const from = DERIVED_DEFAULTS[p].split('.').reduce((v: any, s: string) => v[s], draft);
      expect(filled).toEqual(from);
    } else if (filled === undefined) {
      expect([p, p in DEFAULTS]).toEqual([p, false]);
    } else {
      expect([p, DEFAULTS[p]]).toEqual([p, filled]);
    }
  });
});
