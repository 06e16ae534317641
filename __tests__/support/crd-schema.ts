/**
 * Strict schema validation of synthesized Kubernetes objects against the pinned
 * upstream CRDs (../shared/upstream, override with MESHFLEET_UPSTREAM) plus a few
 * built-in core/v1 kinds.
 *
 * The OpenAPI v3 (structural) schemas of the CRDs are converted to JSON Schema and
 * checked with ajv, approximating `kubectl apply --validate=strict` / API-server
 * pruning: a field that the schema does not declare is an error unless the node has
 * `x-kubernetes-preserve-unknown-fields: true` or an `additionalProperties` schema.
 *
 * Checked: unknown fields, `type`, `nullable`, `x-kubernetes-int-or-string`, `enum`,
 * `required`, `pattern`, min/max (length, items, properties, value), `oneOf` /
 * `anyOf` / `allOf` / `not`, `x-kubernetes-list-type: set` (as uniqueItems), the
 * formats int32, int64, double, byte and date-time, and ObjectMeta (including name,
 * namespace, label and annotation-key syntax and namespace presence by scope).
 *
 * NOT evaluated (deliberately):
 * - `x-kubernetes-validations` (CEL rules), e.g. Istio's "only one of credentialName
 *   or credentialNames can be set", cert-manager's and Flux's cross-field rules;
 * - `x-kubernetes-list-type: map` key uniqueness, `x-kubernetes-map-type`;
 * - formats other than the five above (ignored, as the API server ignores most);
 * - `default` (no defaulting), admission webhooks, immutability on update;
 * - fields of ObjectMeta other than name, generateName, namespace, labels,
 *   annotations and finalizers are rejected (ownerReferences, uid, ... do not belong
 *   in synthesized GitOps manifests).
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { loadAll } from 'js-yaml';

/** A JSON-ish schema node (OpenAPI v3 from a CRD, or JSON Schema for ajv). */
type SchemaNode = { [keyword: string]: unknown };

type Scope = 'Namespaced' | 'Cluster';

/** How metadata.name is validated, as the API server does per kind. */
type NameRule = 'dns1123Subdomain' | 'dns1123Label' | 'dns1035Label';

interface KindEntry {
  readonly apiVersion: string;
  readonly kind: string;
  readonly scope: Scope;
  readonly nameRule: NameRule;
  /** The version's openAPIV3Schema, unmodified. */
  readonly schema: SchemaNode;
  /** Where the schema came from (for messages). */
  readonly source: string;
}

interface Registry {
  /** `${apiVersion} ${kind}` → entry; CRDs (served versions) and built-ins. */
  readonly byKey: Map<string, KindEntry>;
  /** kind → apiVersions it is served under (for "did you mean" hints). */
  readonly versionsByKind: Map<string, string[]>;
  /** Sorted `${apiVersion} ${kind}` of the CRD versions only. */
  readonly crdKeys: string[];
}

/** The pinned upstream folder: $MESHFLEET_UPSTREAM, or ../shared/upstream beside the repository. */
export function upstreamDir(): string {
  const dir = process.env.MESHFLEET_UPSTREAM
    ? path.resolve(process.env.MESHFLEET_UPSTREAM)
    : path.resolve(__dirname, '..', '..', '..', 'shared', 'upstream');
  if (!fs.existsSync(dir)) {
    throw new Error(`pinned upstream files not found at ${dir} (set MESHFLEET_UPSTREAM)`);
  }
  return dir;
}

function isRecord(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return yamlFiles(full);
      return /\.ya?ml$/.test(e.name) ? [full] : [];
    });
}

// ---------------------------------------------------------------------------
// Built-in schemas (OpenAPI v3, structural, converted like the CRDs' schemas)
// ---------------------------------------------------------------------------

const STRING: SchemaNode = { type: 'string' };
const STRING_MAP: SchemaNode = { type: 'object', additionalProperties: STRING };
const STRING_LIST: SchemaNode = { type: 'array', items: STRING };
/** Keys of ConfigMap/Secret data: the API server's IsConfigMapKey. */
const CONFIG_KEYS: SchemaNode = { type: 'string', pattern: '^[-._a-zA-Z0-9]+$', maxLength: 253 };
const INT32: SchemaNode = { type: 'integer', format: 'int32' };

/** The subset of ObjectMeta a synthesized manifest may carry. */
const OBJECT_META: SchemaNode = {
  type: 'object',
  properties: {
    name: STRING,
    generateName: STRING,
    namespace: STRING,
    labels: STRING_MAP,
    annotations: STRING_MAP,
    finalizers: { type: 'array', items: STRING, 'x-kubernetes-list-type': 'set' },
  },
};

const CORE_V1: ReadonlyArray<{ kind: string; scope: Scope; nameRule: NameRule; schema: SchemaNode }> = [
  {
    kind: 'Namespace',
    scope: 'Cluster',
    nameRule: 'dns1123Label',
    schema: {
      type: 'object',
      properties: { spec: { type: 'object', properties: { finalizers: STRING_LIST } } },
    },
  },
  {
    kind: 'Secret',
    scope: 'Namespaced',
    nameRule: 'dns1123Subdomain',
    schema: {
      type: 'object',
      properties: {
        type: STRING,
        data: { type: 'object', propertyNames: CONFIG_KEYS, additionalProperties: { type: 'string', format: 'byte' } },
        stringData: { type: 'object', propertyNames: CONFIG_KEYS, additionalProperties: STRING },
        immutable: { type: 'boolean' },
      },
    },
  },
  {
    kind: 'ConfigMap',
    scope: 'Namespaced',
    nameRule: 'dns1123Subdomain',
    schema: {
      type: 'object',
      properties: {
        data: { type: 'object', propertyNames: CONFIG_KEYS, additionalProperties: STRING },
        binaryData: { type: 'object', propertyNames: CONFIG_KEYS, additionalProperties: { type: 'string', format: 'byte' } },
        immutable: { type: 'boolean' },
      },
    },
  },
  {
    kind: 'ServiceAccount',
    scope: 'Namespaced',
    nameRule: 'dns1123Subdomain',
    schema: {
      type: 'object',
      properties: {
        automountServiceAccountToken: { type: 'boolean' },
        imagePullSecrets: { type: 'array', items: { type: 'object', properties: { name: STRING } } },
        secrets: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              apiVersion: STRING, kind: STRING, name: STRING, namespace: STRING,
              uid: STRING, resourceVersion: STRING, fieldPath: STRING,
            },
          },
        },
      },
    },
  },
  {
    kind: 'Service',
    scope: 'Namespaced',
    nameRule: 'dns1035Label',
    schema: {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            type: { type: 'string', enum: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] },
            selector: STRING_MAP,
            ports: {
              type: 'array',
              items: {
                type: 'object',
                required: ['port'],
                properties: {
                  name: STRING,
                  protocol: { type: 'string', enum: ['TCP', 'UDP', 'SCTP'] },
                  appProtocol: STRING,
                  port: { ...INT32, minimum: 1, maximum: 65535 },
                  targetPort: { 'x-kubernetes-int-or-string': true },
                  nodePort: INT32,
                },
              },
            },
            clusterIP: STRING,
            clusterIPs: STRING_LIST,
            externalIPs: STRING_LIST,
            externalName: STRING,
            externalTrafficPolicy: { type: 'string', enum: ['Cluster', 'Local'] },
            internalTrafficPolicy: { type: 'string', enum: ['Cluster', 'Local'] },
            healthCheckNodePort: INT32,
            loadBalancerIP: STRING,
            loadBalancerClass: STRING,
            loadBalancerSourceRanges: STRING_LIST,
            allocateLoadBalancerNodePorts: { type: 'boolean' },
            publishNotReadyAddresses: { type: 'boolean' },
            sessionAffinity: { type: 'string', enum: ['ClientIP', 'None'] },
            sessionAffinityConfig: {
              type: 'object',
              properties: { clientIP: { type: 'object', properties: { timeoutSeconds: INT32 } } },
            },
            ipFamilies: { type: 'array', items: { type: 'string', enum: ['IPv4', 'IPv6'] } },
            ipFamilyPolicy: { type: 'string', enum: ['SingleStack', 'PreferDualStack', 'RequireDualStack'] },
            trafficDistribution: STRING,
          },
        },
      },
    },
  },
];

// ---------------------------------------------------------------------------
// Registry (lazy, cached)
// ---------------------------------------------------------------------------

let registry: Registry | undefined;

function loadRegistry(): Registry {
  if (registry) return registry;
  const root = upstreamDir();
  const byKey = new Map<string, KindEntry>();
  const crdKeys: string[] = [];
  for (const file of yamlFiles(root)) {
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes('CustomResourceDefinition')) continue;
    for (const doc of loadAll(text)) {
      if (!isRecord(doc) || doc.kind !== 'CustomResourceDefinition' || !isRecord(doc.spec)) continue;
      const { group, names, scope, versions } = doc.spec;
      if (typeof group !== 'string' || !isRecord(names) || typeof names.kind !== 'string' || !Array.isArray(versions)) {
        continue;
      }
      for (const version of versions) {
        if (!isRecord(version) || version.served !== true || typeof version.name !== 'string') continue;
        const schema = isRecord(version.schema) ? version.schema.openAPIV3Schema : undefined;
        const apiVersion = `${group}/${version.name}`;
        const key = `${apiVersion} ${names.kind}`;
        byKey.set(key, {
          apiVersion,
          kind: names.kind,
          scope: scope === 'Cluster' ? 'Cluster' : 'Namespaced',
          nameRule: 'dns1123Subdomain',
          // A served version without a schema accepts anything (pre-structural CRDs).
          schema: isRecord(schema) ? schema : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          source: path.relative(root, file),
        });
        crdKeys.push(key);
      }
    }
  }
  for (const core of CORE_V1) {
    byKey.set(`v1 ${core.kind}`, { apiVersion: 'v1', source: '(built-in core/v1 schema)', ...core });
  }
  const versionsByKind = new Map<string, string[]>();
  for (const entry of byKey.values()) {
    versionsByKind.set(entry.kind, [...(versionsByKind.get(entry.kind) ?? []), entry.apiVersion]);
  }
  registry = { byKey, versionsByKind, crdKeys: [...new Set(crdKeys)].sort() };
  return registry;
}

// ---------------------------------------------------------------------------
// OpenAPI v3 (structural) → JSON Schema (draft-07, for ajv)
// ---------------------------------------------------------------------------

const KNOWN_FORMATS = new Set(['int32', 'int64', 'double', 'byte', 'date-time']);

/** Keywords whose values are copied unchanged. */
const COPIED = [
  'required', 'minLength', 'maxLength', 'minimum', 'maximum', 'multipleOf',
  'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties',
] as const;

/**
 * Convert one OpenAPI schema node. `inJunctor` is true inside allOf/anyOf/oneOf/not,
 * where structural schemas only carry value validations: those branches must not
 * close the object (ajv's additionalProperties only sees sibling `properties`).
 */
function toJsonSchema(node: unknown, inJunctor: boolean): SchemaNode {
  if (!isRecord(node)) return {};
  const out: SchemaNode = {};
  const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const nullable = node.nullable === true;

  const types: string[] = intOrString ? ['integer', 'string'] : typeof node.type === 'string' ? [node.type] : [];
  if (types.length > 0) {
    if (nullable) types.push('null');
    out.type = types.length === 1 ? types[0] : types;
  }
  if (Array.isArray(node.enum)) {
    out.enum = nullable && !node.enum.includes(null) ? [...node.enum, null] : node.enum;
  }
  if (typeof node.format === 'string' && KNOWN_FORMATS.has(node.format)) out.format = node.format;
  if (typeof node.pattern === 'string' && compiles(node.pattern)) out.pattern = node.pattern;
  for (const keyword of COPIED) {
    if (node[keyword] !== undefined) out[keyword] = node[keyword];
  }
  // OpenAPI 3.0 boolean exclusiveMinimum/Maximum → draft-07 numeric form.
  if (node.exclusiveMinimum === true && typeof node.minimum === 'number') {
    out.exclusiveMinimum = node.minimum;
    delete out.minimum;
  }
  if (node.exclusiveMaximum === true && typeof node.maximum === 'number') {
    out.exclusiveMaximum = node.maximum;
    delete out.maximum;
  }
  if (node['x-kubernetes-list-type'] === 'set') out.uniqueItems = true;

  let properties = isRecord(node.properties) ? node.properties : undefined;
  if (node['x-kubernetes-embedded-resource'] === true) {
    properties = { apiVersion: STRING, kind: STRING, metadata: OBJECT_META, ...properties };
  }
  if (properties) {
    out.properties = Object.fromEntries(
      Object.entries(properties).map(([name, child]) => [name, toJsonSchema(child, inJunctor)]),
    );
  }
  if (node.items !== undefined) out.items = toJsonSchema(node.items, inJunctor);
  if (isRecord(node.propertyNames)) out.propertyNames = toJsonSchema(node.propertyNames, true);
  if (typeof node.additionalProperties === 'boolean') {
    out.additionalProperties = node.additionalProperties;
  } else if (isRecord(node.additionalProperties)) {
    out.additionalProperties = toJsonSchema(node.additionalProperties, inJunctor);
  }
  for (const junctor of ['allOf', 'anyOf', 'oneOf'] as const) {
    const branches = node[junctor];
    // int-or-string's anyOf [{type: integer}, {type: string}] is expressed by `type` above.
    if (!Array.isArray(branches) || (junctor === 'anyOf' && intOrString)) continue;
    out[junctor] = branches.map((branch) => toJsonSchema(branch, true));
  }
  if (node.not !== undefined) out.not = toJsonSchema(node.not, true);

  // Structural pruning: an object node keeps only declared fields unless it
  // preserves unknown fields or declares additionalProperties.
  const isObjectNode = node.type === 'object' || properties !== undefined;
  if (!inJunctor && isObjectNode && !preserveUnknown && node.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

const droppedPatterns = new Set<string>();

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    // Go RE2 syntax JS cannot compile: skipped (none in the pinned CRDs as of writing).
    droppedPatterns.add(pattern);
    return false;
  }
}

/**
 * The root schema for one kind: apiVersion/kind pinned, metadata = OBJECT_META, and
 * every other top-level field (spec, status, ...) left to its own validator (`{}`).
 */
function rootSchema(entry: KindEntry): SchemaNode {
  const base = entry.schema;
  const properties = isRecord(base.properties) ? base.properties : {};
  const root: SchemaNode = {
    ...base,
    type: 'object',
    properties: {
      ...Object.fromEntries(Object.keys(properties).map((name) => [name, {}])),
      apiVersion: { type: 'string', enum: [entry.apiVersion] },
      kind: { type: 'string', enum: [entry.kind] },
      metadata: OBJECT_META,
    },
    required: [...new Set([...(Array.isArray(base.required) ? base.required : []), 'apiVersion', 'kind', 'metadata'])],
  };
  return toJsonSchema(root, false);
}

// ---------------------------------------------------------------------------
// ajv (one instance; validators compiled once per apiVersion+kind and top-level field)
// ---------------------------------------------------------------------------

let ajvInstance: Ajv | undefined;

function ajv(): Ajv {
  if (ajvInstance) return ajvInstance;
  // code.optimize=false halves compile time of the big (Argo CD, ESO) schemas.
  const instance = new Ajv({ strict: false, allErrors: true, verbose: true, code: { optimize: false } });
  instance.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n <= 2 ** 31 - 1,
  });
  instance.addFormat('int64', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 63,
  });
  instance.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  instance.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  instance.addFormat(
    'date-time',
    /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/,
  );
  ajvInstance = instance;
  return instance;
}

/**
 * Validators of one kind. The root checks the envelope (apiVersion, kind, metadata,
 * unknown top-level fields); each top-level field (spec, status, operation, ...) has
 * its own validator, compiled the first time an object carries that field — Argo CD's
 * Application status alone is twice the size of its spec.
 */
interface KindValidators {
  readonly root: ValidateFunction;
  readonly fields: Map<string, ValidateFunction>;
}

const validators = new Map<string, KindValidators>();

function pointerSegment(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** ajv errors for one object, with instancePath/schemaPath relative to the object root. */
function schemaErrors(key: string, entry: KindEntry, object: Record<string, unknown>): ErrorObject[] {
  let kind = validators.get(key);
  if (!kind) {
    kind = { root: ajv().compile(rootSchema(entry)), fields: new Map() };
    validators.set(key, kind);
  }
  const errors: ErrorObject[] = [];
  if (!kind.root(object)) errors.push(...collapse(kind.root.errors ?? []));
  const properties = isRecord(entry.schema.properties) ? entry.schema.properties : {};
  for (const field of Object.keys(object)) {
    if (['apiVersion', 'kind', 'metadata'].includes(field) || !Object.prototype.hasOwnProperty.call(properties, field)) continue;
    let validate = kind.fields.get(field);
    if (!validate) {
      validate = ajv().compile(toJsonSchema(properties[field], false));
      kind.fields.set(field, validate);
    }
    if (validate(object[field])) continue;
    const prefix = `/${pointerSegment(field)}`;
    errors.push(
      ...collapse(validate.errors ?? []).map((e) => ({
        ...e,
        instancePath: prefix + e.instancePath,
        schemaPath: `#/properties${prefix}${e.schemaPath.slice(1)}`,
      })),
    );
  }
  return errors;
}

// ---------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------

function formatKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** JSON pointer (ajv instancePath) → `spec.servers[0].tls.mode`, using the data to tell arrays from maps. */
function pointerToPath(pointer: string, data: unknown, extra?: string): string {
  const segments = pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) segments.push(extra);
  let out = '';
  let cursor: unknown = data;
  for (const segment of segments) {
    if (Array.isArray(cursor) && /^\d+$/.test(segment)) {
      out += `[${segment}]`;
      cursor = cursor[Number(segment)];
    } else {
      out += formatKey(segment);
      cursor = isRecord(cursor) ? cursor[segment] : undefined;
    }
  }
  return out === '' ? '(root)' : out.replace(/^\./, '');
}

function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}

/** Names a branch of an Istio-style oneOf requires (`{required: [x]}` → x). */
function requiredNames(branch: unknown): string[] {
  return isRecord(branch) && Array.isArray(branch.required) ? branch.required.map(String) : [];
}

function describeOneOf(error: ErrorObject): string {
  const branches = Array.isArray(error.schema) ? error.schema : [];
  const fields = branches.flatMap(requiredNames);
  const hasNone = branches.some((b) => isRecord(b) && b.not !== undefined);
  const setFields = isRecord(error.data) ? fields.filter((f) => (error.data as Record<string, unknown>)[f] !== undefined) : [];
  if (fields.length === 0) return error.message ?? 'must match exactly one schema in oneOf';
  const which = hasNone ? 'at most one' : 'exactly one';
  const got = setFields.length > 0 ? `got ${setFields.join(', ')}` : 'got none';
  return `${which} of ${fields.join(', ')} may be set (${got})`;
}

function describe(error: ErrorObject, object: unknown): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${pointerToPath(error.instancePath, object, String(params.additionalProperty))}: unknown field`;
    case 'required':
      return `${pointerToPath(error.instancePath, object, String(params.missingProperty))}: required field is missing`;
    default:
      break;
  }
  const at = pointerToPath(error.instancePath, object);
  switch (error.keyword) {
    case 'enum':
      return `${at}: must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')} (got ${show(error.data)})`;
    case 'type':
      return `${at}: must be ${String(params.type).split(',').join(' or ')} (got ${show(error.data)})`;
    case 'format':
      return `${at}: must be a valid ${String(params.format)} (got ${show(error.data)})`;
    case 'pattern':
      return `${at}: must match /${String(params.pattern)}/ (got ${show(error.data)})`;
    case 'oneOf':
      return `${at}: ${describeOneOf(error)}`;
    default:
      return `${at}: ${error.message ?? error.keyword}${typeof error.data === 'object' ? '' : ` (got ${show(error.data)})`}`;
  }
}

/** Drop errors from inside oneOf/anyOf branches when the junctor itself is reported. */
function collapse(errors: readonly ErrorObject[]): ErrorObject[] {
  const junctors = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => `${e.schemaPath}/`);
  return errors.filter((e) => !junctors.some((prefix) => e.schemaPath.startsWith(prefix)));
}

// ---------------------------------------------------------------------------
// ObjectMeta checks the schema cannot express well
// ---------------------------------------------------------------------------

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function nameProblem(name: string, rule: NameRule): string | undefined {
  switch (rule) {
    case 'dns1123Label':
      return name.length <= 63 && DNS1123_LABEL.test(name) ? undefined : 'must be an RFC 1123 label (lowercase alphanumerics and "-", at most 63)';
    case 'dns1035Label':
      return name.length <= 63 && DNS1035_LABEL.test(name) ? undefined : 'must be an RFC 1035 label (lowercase alphanumerics and "-", starting with a letter, at most 63)';
    default:
      return name.length <= 253 && DNS1123_SUBDOMAIN.test(name) ? undefined : 'must be an RFC 1123 subdomain (lowercase alphanumerics, "-" and ".", at most 253)';
  }
}

function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return 'key prefix must be an RFC 1123 subdomain';
  }
  if (name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return 'key name must be at most 63 alphanumerics, "-", "_" or ".", starting and ending alphanumeric';
  }
  return undefined;
}

function metadataProblems(metadata: unknown, entry: KindEntry): string[] {
  if (!isRecord(metadata)) return []; // reported by the schema
  const problems: string[] = [];
  const { name, generateName, namespace, labels, annotations } = metadata;
  if (name === undefined && generateName === undefined) {
    problems.push('metadata.name: required field is missing (or metadata.generateName)');
  }
  if (typeof name === 'string') {
    const problem = nameProblem(name, entry.nameRule);
    if (problem) problems.push(`metadata.name: ${problem} (got ${JSON.stringify(name)})`);
  }
  if (entry.scope === 'Namespaced' && namespace === undefined) {
    problems.push(`metadata.namespace: required for namespaced kind ${entry.kind}`);
  }
  if (entry.scope === 'Cluster' && namespace !== undefined) {
    problems.push(`metadata.namespace: must not be set on cluster-scoped kind ${entry.kind}`);
  }
  if (typeof namespace === 'string' && nameProblem(namespace, 'dns1123Label')) {
    problems.push(`metadata.namespace: ${nameProblem(namespace, 'dns1123Label')} (got ${JSON.stringify(namespace)})`);
  }
  for (const [field, map] of [['labels', labels], ['annotations', annotations]] as const) {
    if (!isRecord(map)) continue;
    for (const [key, value] of Object.entries(map)) {
      const at = `metadata.${field}${formatKey(key)}`;
      const keyProblem = qualifiedNameProblem(key);
      if (keyProblem) problems.push(`${at}: ${keyProblem}`);
      if (field === 'labels' && typeof value === 'string' && (value.length > 63 || !LABEL_VALUE.test(value))) {
        problems.push(`${at}: label value must be at most 63 alphanumerics, "-", "_" or ".", starting and ending alphanumeric (got ${JSON.stringify(value)})`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/**
 * Validate Kubernetes objects strictly against the pinned CRD schemas and built-in core kinds.
 *
 * Returns human-readable problems, empty when every object is valid. Each problem is
 * `<kind>/<namespace>/<name>: <path>: <message>` (`-` for a missing namespace or
 * name; paths look like `spec.servers[0].tls.mode` or `metadata.labels["app.kubernetes.io/name"]`).
 *
 * Schemas come from every CustomResourceDefinition under the pinned upstream folder
 * (only `served: true` versions) and from small built-in core/v1 schemas (Namespace,
 * Secret, ConfigMap, ServiceAccount, Service with common spec fields). Any other
 * apiVersion/kind — notably `install.istio.io/v1alpha1 IstioOperator`, which has no
 * CRD since Istio 1.24 — is reported as `no schema for <apiVersion> <kind>`.
 * Namespaced kinds must set `metadata.namespace`; cluster-scoped kinds must not.
 * CEL rules (`x-kubernetes-validations`) are not evaluated; see the module comment.
 */
export function validateManifests(objects: readonly any[]): string[] {
  const { byKey, versionsByKind } = loadRegistry();
  const problems: string[] = [];
  for (const object of objects as readonly unknown[]) {
    const meta = isRecord(object) && isRecord(object.metadata) ? object.metadata : {};
    const kindText = isRecord(object) && typeof object.kind === 'string' ? object.kind : '-';
    const label = `${kindText}/${typeof meta.namespace === 'string' ? meta.namespace : '-'}/${typeof meta.name === 'string' ? meta.name : '-'}`;
    const report = (lines: Iterable<string>) => {
      for (const line of new Set(lines)) problems.push(`${label}: ${line}`);
    };
    if (!isRecord(object)) {
      report([`(root): must be an object (got ${show(object)})`]);
      continue;
    }
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
      report([
        ...(typeof object.apiVersion !== 'string' ? ['apiVersion: required string field is missing'] : []),
        ...(typeof object.kind !== 'string' ? ['kind: required string field is missing'] : []),
      ]);
      continue;
    }
    const key = `${object.apiVersion} ${object.kind}`;
    const entry = byKey.get(key);
    if (!entry) {
      const served = versionsByKind.get(object.kind);
      const hint = object.kind === 'IstioOperator'
        ? ' (IstioOperator has no CRD since Istio 1.24: it is istioctl input only)'
        : served
          ? ` (${object.kind} is served as ${served.join(', ')})`
          : ' (neither a pinned CRD nor a built-in core kind)';
      report([`${served ? 'apiVersion' : 'kind'}: no schema for ${key}${hint}`]);
      continue;
    }
    report([
      ...schemaErrors(key, entry, object).map((e) => describe(e, object)),
      ...metadataProblems(object.metadata, entry),
    ]);
  }
  return problems;
}

/**
 * List the served CRD kinds the validator knows, as `<group>/<version> <Kind>`.
 *
 * Sorted; one entry per served version (e.g. `networking.istio.io/v1 Gateway` and
 * `networking.istio.io/v1beta1 Gateway`). Built-in core/v1 kinds are not included.
 * Intended for diagnostics in test failures.
 */
export function crdKinds(): string[] {
  return [...loadRegistry().crdKeys];
}
