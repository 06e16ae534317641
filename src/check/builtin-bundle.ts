/**
 * The compact bundle of built-in Kubernetes kinds `meshfleet check` ships: the schemas of
 * the kinds a meshfleet output or a user's own objects plausibly hold, and of every type
 * they reference, derived from the Kubernetes OpenAPI of a pinned release.
 *
 * Source: the models of `@kubernetes/client-node` (an exact-pinned devDependency), which
 * OpenAPI Generator generates from the Kubernetes OpenAPI of one release branch: each
 * `dist/gen/models/<Model>.js` carries `attributeTypeMap` (JSON name, type, format) and
 * each `<Model>.d.ts` marks optional fields with `?`. `scripts/builtin-bundle.ts` derives
 * the bundle and writes `src/check/schemas/builtin-bundle.json`; a test derives it again
 * and asserts the committed file is identical. At run time only the committed file is read.
 *
 * The generated models lose two facts of the OpenAPI, restored by {@link BUILTIN_OVERRIDES}
 * (each recorded in the bundle): `resource.Quantity` fields become plain strings (the API
 * server also accepts JSON numbers) and the `byte` format of map values (Secret data).
 * They carry no `enum`s, so enumerated strings (Service type, protocol, ...) are checked
 * as strings only.
 */
import type { SchemaNode } from './schema-bundle';

/** How metadata.name is validated, as the API server does per kind. */
export type NameRule = 'dns1123Subdomain' | 'dns1123Label' | 'dns1035Label';

/** One built-in kind of the bundle. */
export interface BuiltinBundleKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly nameRule: NameRule;
  /** The model (definition) of the kind, e.g. `V1Service`. */
  readonly definition: string;
}

/** A correction of one field the generated models lose, applied on derivation. */
export interface BuiltinOverride {
  readonly definition: string;
  readonly field: string;
  /** The field's schema in the bundle. */
  readonly schema: SchemaNode;
  /** Why the generated model is corrected. */
  readonly reason: string;
}

/** Where the bundle came from. */
export interface BuiltinSource {
  /** npm package the models were read from. */
  readonly package: string;
  readonly version: string;
  /** The Kubernetes release branch of the OpenAPI the package was generated from. */
  readonly kubernetes: string;
}

/** The bundle as committed in src/check/schemas/builtin-bundle.json. */
export interface BuiltinBundle {
  readonly source: BuiltinSource;
  readonly kinds: readonly BuiltinBundleKind[];
  readonly overrides: readonly BuiltinOverride[];
  /** OpenAPI v3 schema per model; `{ $ref: Model }` refers to another definition. */
  readonly definitions: { readonly [model: string]: SchemaNode };
}

/** The pinned source package (package.json pins the same version exactly). */
export const BUILTIN_PACKAGE = '@kubernetes/client-node';

function k(apiVersion: string, kind: string, definition: string, scope: 'Namespaced' | 'Cluster' = 'Namespaced', nameRule: NameRule = 'dns1123Subdomain'): BuiltinBundleKind {
  return { apiVersion, kind, scope, nameRule, definition };
}

/**
 * The bundled kinds: what meshfleet writes (Namespace, Secret, ServiceAccount, Service, the
 * gateway Deployment) and the workload, policy and RBAC kinds users add as their own objects.
 * Scope and name rule are the API server's (`kubectl api-resources`; ValidateObjectMeta).
 */
export const BUILTIN_KINDS: readonly BuiltinBundleKind[] = [
  k('v1', 'ConfigMap', 'V1ConfigMap'),
  k('v1', 'LimitRange', 'V1LimitRange'),
  k('v1', 'Namespace', 'V1Namespace', 'Cluster', 'dns1123Label'),
  k('v1', 'PersistentVolumeClaim', 'V1PersistentVolumeClaim'),
  k('v1', 'ResourceQuota', 'V1ResourceQuota'),
  k('v1', 'Secret', 'V1Secret'),
  k('v1', 'Service', 'V1Service', 'Namespaced', 'dns1035Label'),
  k('v1', 'ServiceAccount', 'V1ServiceAccount'),
  k('apps/v1', 'DaemonSet', 'V1DaemonSet'),
  k('apps/v1', 'Deployment', 'V1Deployment'),
  k('apps/v1', 'StatefulSet', 'V1StatefulSet'),
  k('autoscaling/v2', 'HorizontalPodAutoscaler', 'V2HorizontalPodAutoscaler'),
  k('batch/v1', 'CronJob', 'V1CronJob'),
  k('batch/v1', 'Job', 'V1Job'),
  k('networking.k8s.io/v1', 'Ingress', 'V1Ingress'),
  k('networking.k8s.io/v1', 'NetworkPolicy', 'V1NetworkPolicy'),
  k('policy/v1', 'PodDisruptionBudget', 'V1PodDisruptionBudget'),
  k('rbac.authorization.k8s.io/v1', 'ClusterRole', 'V1ClusterRole', 'Cluster'),
  k('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'V1ClusterRoleBinding', 'Cluster'),
  k('rbac.authorization.k8s.io/v1', 'Role', 'V1Role'),
  k('rbac.authorization.k8s.io/v1', 'RoleBinding', 'V1RoleBinding'),
];

/**
 * resource.Quantity: a string in Kubernetes' quantity syntax or a JSON number
 * (Quantity.UnmarshalJSON parses both); `format: quantity` is checked by the validator.
 */
const QUANTITY: SchemaNode = { format: 'quantity' };
const QUANTITY_MAP: SchemaNode = { type: 'object', additionalProperties: QUANTITY };
/** Keys of ConfigMap/Secret data: the API server's IsConfigMapKey. */
const CONFIG_KEYS: SchemaNode = { type: 'string', pattern: '^[-._a-zA-Z0-9]+$', maxLength: 253 };
const QUANTITY_REASON = 'resource.Quantity (a quantity string or a number), generated as string';

function quantity(definition: string, ...fields: string[]): BuiltinOverride[] {
  return fields.map((field) => ({ definition, field, schema: QUANTITY, reason: QUANTITY_REASON }));
}

function quantityMap(definition: string, ...fields: string[]): BuiltinOverride[] {
  return fields.map((field) => ({ definition, field, schema: QUANTITY_MAP, reason: `map of ${QUANTITY_REASON}` }));
}

/** Fields whose generated model is corrected (the override must match a field of the model). */
export const BUILTIN_OVERRIDES: readonly BuiltinOverride[] = [
  ...quantity('V1EmptyDirVolumeSource', 'sizeLimit'),
  ...quantity('V2MetricTarget', 'averageValue', 'value'),
  ...quantity('V2MetricValueStatus', 'averageValue', 'value'),
  ...quantityMap('V1ResourceRequirements', 'limits', 'requests'),
  ...quantityMap('V1VolumeResourceRequirements', 'limits', 'requests'),
  ...quantityMap('V1PodSpec', 'overhead'),
  ...quantityMap('V1LimitRangeItem', 'default', 'defaultRequest', 'max', 'maxLimitRequestRatio', 'min'),
  ...quantityMap('V1ResourceQuotaSpec', 'hard'),
  ...quantityMap('V1ResourceQuotaStatus', 'hard', 'used'),
  ...quantityMap('V1PersistentVolumeClaimStatus', 'allocatedResources', 'capacity'),
  ...quantityMap('V1ContainerStatus', 'allocatedResources'),
  {
    definition: 'V1Secret', field: 'data', reason: 'base64 values (format byte) and ConfigMap keys (IsConfigMapKey)',
    schema: { type: 'object', propertyNames: CONFIG_KEYS, additionalProperties: { type: 'string', format: 'byte' } },
  },
  {
    definition: 'V1Secret', field: 'stringData', reason: 'ConfigMap keys (IsConfigMapKey)',
    schema: { type: 'object', propertyNames: CONFIG_KEYS, additionalProperties: { type: 'string' } },
  },
  {
    definition: 'V1ConfigMap', field: 'data', reason: 'ConfigMap keys (IsConfigMapKey)',
    schema: { type: 'object', propertyNames: CONFIG_KEYS, additionalProperties: { type: 'string' } },
  },
  {
    definition: 'V1ConfigMap', field: 'binaryData', reason: 'base64 values (format byte) and ConfigMap keys (IsConfigMapKey)',
    schema: { type: 'object', propertyNames: CONFIG_KEYS, additionalProperties: { type: 'string', format: 'byte' } },
  },
];

/** One generated model's files, as read from the package. */
export interface ModelFiles {
  /** `dist/gen/models/<Model>.js`. */
  readonly js: string;
  /** `dist/gen/models/<Model>.d.ts`. */
  readonly dts: string;
}

interface Attribute {
  readonly baseName: string;
  readonly name: string;
  readonly type: string;
  readonly format: string;
}

function attributes(model: string, js: string): Attribute[] {
  const marker = `${model}.attributeTypeMap = `;
  const start = js.indexOf(marker);
  const end = js.indexOf('];', start);
  if (start < 0 || end < 0) throw new Error(`${model}.js: no attributeTypeMap`);
  return JSON.parse(js.slice(start + marker.length, end + 1)) as Attribute[];
}

/** Fields declared without `?` in the model's class declaration. */
function requiredFields(dts: string): Set<string> {
  const required = new Set<string>();
  for (const match of dts.matchAll(/^ {4}'([^']+)'(\??): /gm)) {
    if (match[2] === '') required.add(match[1]);
  }
  return required;
}

const SCALARS: { readonly [type: string]: (format: string) => SchemaNode } = {
  string: (format) => (format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' }),
  number: (format) => (format === 'int32' || format === 'int64' ? { type: 'integer', format } : { type: 'number' }),
  boolean: () => ({ type: 'boolean' }),
  Date: () => ({ type: 'string', format: 'date-time' }),
  IntOrString: () => ({ 'x-kubernetes-int-or-string': true }),
  any: () => ({ 'x-kubernetes-preserve-unknown-fields': true }),
};

/** The schema of a generated type expression; `refer(model)` records a referenced model. */
function typeSchema(type: string, format: string, refer: (model: string) => void, where: string): SchemaNode {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return { type: 'array', items: typeSchema(array[1], format, refer, where) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { type: 'object', additionalProperties: typeSchema(map[1], format, refer, where) };
  const scalar = SCALARS[type];
  if (scalar) return scalar(format);
  if (/^[A-Z][A-Za-z0-9]*$/.test(type)) {
    refer(type);
    return { $ref: type };
  }
  throw new Error(`${where}: unknown generated type ${JSON.stringify(type)}`);
}

/**
 * Derives the bundle: `read(model)` returns a model's files, `version` and `kubernetes`
 * are the package version and the release its header names. Throws on a model, type or
 * override it does not understand, so a new package version cannot be bundled silently wrong.
 */
export function deriveBuiltinBundle(read: (model: string) => ModelFiles, version: string, kubernetes: string): BuiltinBundle {
  const definitions: Record<string, SchemaNode> = {};
  const pending = BUILTIN_KINDS.map((kind) => kind.definition);
  const used = new Set<BuiltinOverride>();
  while (pending.length > 0) {
    const model = pending.pop() as string;
    if (definitions[model] !== undefined) continue;
    const files = read(model);
    const required = requiredFields(files.dts);
    const properties: Record<string, SchemaNode> = {};
    for (const attribute of attributes(model, files.js)) {
      const override = BUILTIN_OVERRIDES.find((o) => o.definition === model && o.field === attribute.baseName);
      if (override) {
        if (attribute.type !== 'string' && attribute.type !== '{ [key: string]: string; }') {
          throw new Error(`${model}.${attribute.baseName}: override expects a string field (got ${attribute.type})`);
        }
        used.add(override);
        properties[attribute.baseName] = override.schema;
      } else {
        properties[attribute.baseName] = typeSchema(attribute.type, attribute.format, (m) => pending.push(m), `${model}.${attribute.baseName}`);
      }
    }
    const names = attributes(model, files.js).filter((a) => required.has(a.name)).map((a) => a.baseName);
    definitions[model] = { type: 'object', properties, ...(names.length > 0 ? { required: names } : {}) };
  }
  const unused = BUILTIN_OVERRIDES.filter((o) => !used.has(o) && definitions[o.definition] !== undefined);
  if (unused.length > 0) throw new Error(`overrides of missing fields: ${unused.map((o) => `${o.definition}.${o.field}`).join(', ')}`);
  const sorted = Object.fromEntries(Object.keys(definitions).sort().map((m) => [m, definitions[m]]));
  return {
    source: { package: BUILTIN_PACKAGE, version, kubernetes },
    kinds: BUILTIN_KINDS,
    overrides: BUILTIN_OVERRIDES.filter((o) => used.has(o)),
    definitions: sorted,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The schema of one definition with every `$ref` inlined (the bundled kinds reference
 * no type recursively; a cycle throws).
 */
export function expandDefinition(bundle: BuiltinBundle, model: string): SchemaNode {
  const done = new Map<string, SchemaNode>();
  const expand = (node: unknown, stack: readonly string[]): unknown => {
    if (Array.isArray(node)) return node.map((n) => expand(n, stack));
    if (!isRecord(node)) return node;
    if (typeof node.$ref === 'string') {
      const ref = node.$ref;
      if (stack.includes(ref)) throw new Error(`recursive built-in definition ${[...stack, ref].join(' -> ')}`);
      const known = done.get(ref);
      if (known) return known;
      const target = bundle.definitions[ref];
      if (target === undefined) throw new Error(`built-in bundle: no definition ${ref}`);
      const expanded = expand(target, [...stack, ref]) as SchemaNode;
      done.set(ref, expanded);
      return expanded;
    }
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, expand(value, stack)]));
  };
  return expand({ $ref: model }, []) as SchemaNode;
}

/** The bundle shipped with the package (src/check/schemas/builtin-bundle.json). */
export function shippedBuiltinBundle(): BuiltinBundle {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./schemas/builtin-bundle.json') as BuiltinBundle;
}
