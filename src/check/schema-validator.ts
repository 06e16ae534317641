/**
 * Strict validation of Kubernetes objects as the API server would do it on create:
 * the structural schema of the pinned CRDs (shipped in the {@link SchemaBundle}) and
 * the built-in kinds of the pinned Kubernetes OpenAPI (shipped in the {@link BuiltinBundle}).
 *
 * The OpenAPI v3 (structural) schemas are converted to JSON Schema and checked with ajv,
 * approximating `kubectl apply --validate=strict` / API-server pruning: a field that the
 * schema does not declare is an error unless the node has
 * `x-kubernetes-preserve-unknown-fields: true` or an `additionalProperties` schema.
 *
 * Checked: unknown fields, `type`, `nullable`, `x-kubernetes-int-or-string`, `enum`,
 * `required`, `pattern`, min/max (length, items, properties, value), `oneOf` / `anyOf` /
 * `allOf` / `not`, `x-kubernetes-list-type: set` (unique items) and `map` (unique
 * `x-kubernetes-list-map-keys`), the formats int32, int64, double, byte, date-time and
 * quantity (resource.Quantity: a quantity string or a number),
 * ObjectMeta (name, namespace, label and annotation-key syntax, namespace presence by
 * scope) and the `x-kubernetes-validations` CEL rules ({@link CelRuleEvaluator}).
 *
 * Not checked: formats other than the five above (the API server ignores most),
 * `default` (no defaulting), admission webhooks, rules that only apply on update.
 * ObjectMeta fields other than name, generateName, namespace, labels, annotations and
 * finalizers are rejected (ownerReferences, uid, ... do not belong in GitOps manifests).
 *
 * The JSON Schemas come from {@link rootJsonSchema} and {@link fieldJsonSchema}; their ajv
 * validators are precompiled at build time for the shipped bundles (src/check/precompiled.ts)
 * and compiled here, once per kind and field, for anything else.
 */
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { shippedBuiltinBundle, type BuiltinBundle } from './builtin-bundle';
import type { NameRule } from './builtin-schemas';
import { CelRuleEvaluator } from './cel-rules';
import { fieldJsonSchema, isRecord, kindEntries, rootJsonSchema, ENVELOPE_FIELDS, type KindEntry } from './kind-json-schemas';
import { newAjv, ROOT_EXPORT } from './kind-validators';
import { precompiledExport, shippedPrecompiledValidators, type PrecompiledModule, type PrecompiledValidators } from './precompiled';
import { shippedSchemaBundle, type SchemaBundle } from './schema-bundle';

/** What is wrong with one object. */
export interface SchemaProblem {
  /**
   * `schema` (structural schema, formats, metadata, list types), `cel` (a CEL rule is
   * violated), `cel-unevaluable` (a CEL rule could not be evaluated), `cel-skipped`
   * (a transition rule, which does not apply on create), `no-schema` (unknown kind).
   */
  readonly type: 'schema' | 'cel' | 'cel-unevaluable' | 'cel-skipped' | 'no-schema';
  /** `<path>: <message>`, e.g. `spec.servers[0].tls.mode: must be one of ...`. */
  readonly text: string;
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

/**
 * Validators of one kind. The root checks the envelope (apiVersion, kind, metadata,
 * unknown top-level fields); each top-level field (spec, status, ...) has its own
 * validator, precompiled or compiled the first time an object carries that field: Argo
 * CD's Application status alone is twice the size of its spec.
 */
interface KindValidators {
  readonly root: ValidateFunction;
  readonly precompiled: PrecompiledModule;
  readonly fields: Map<string, ValidateFunction>;
}

function pointerSegment(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `x-kubernetes-list-type: map` entries must be unique by their `x-kubernetes-list-map-keys`. */
function listMapProblems(value: unknown, schema: unknown, path: string, out: string[]): void {
  if (!isRecord(schema) || value === null || value === undefined) return;
  if (Array.isArray(value)) {
    const keys = schema['x-kubernetes-list-map-keys'];
    if (schema['x-kubernetes-list-type'] === 'map' && Array.isArray(keys)) {
      const seen = new Map<string, number>();
      value.forEach((item, i) => {
        if (!isRecord(item)) return;
        const id = JSON.stringify(keys.map((k) => item[String(k)] ?? null));
        const first = seen.get(id);
        if (first === undefined) seen.set(id, i);
        else out.push(`${path}[${i}]: duplicate entry of a map list, same ${keys.join(', ')} as ${path}[${first}] (got ${id})`);
      });
    }
    value.forEach((item, i) => listMapProblems(item, schema.items, `${path}[${i}]`, out));
    return;
  }
  if (!isRecord(value)) return;
  const properties = isRecord(schema.properties) ? schema.properties : {};
  for (const [key, child] of Object.entries(value)) {
    const childSchema = properties[key] ?? schema.additionalProperties;
    listMapProblems(child, childSchema, path === '' ? key : `${path}${formatKey(key)}`, out);
  }
}

/**
 * Validates Kubernetes objects against a {@link SchemaBundle} and the built-in kinds,
 * CEL rules included. Holds compiled validators; create one per check run.
 */
export class ManifestValidator {
  private readonly byKey: Map<string, KindEntry>;
  private readonly versionsByKind = new Map<string, string[]>();
  private readonly validators = new Map<string, KindValidators>();
  private readonly cel = new CelRuleEvaluator();
  private readonly precompiled?: PrecompiledValidators;
  private ajvInstance?: Ajv;

  /**
   * @param bundle the CRD schemas
   * @param builtins the built-in kinds
   * @param precompiled validators compiled at build time, used for the kinds they cover
   * @default builtins - the shipped bundle (src/check/schemas/builtin-bundle.json)
   * @default precompiled - the validators built into lib/ when `bundle` and `builtins` are
   * the shipped bundles (they were compiled from those), otherwise none
   */
  constructor(
    bundle: SchemaBundle,
    builtins: BuiltinBundle = shippedBuiltinBundle(),
    precompiled: PrecompiledValidators | undefined = bundle === shippedSchemaBundle() && builtins === shippedBuiltinBundle()
      ? shippedPrecompiledValidators()
      : undefined,
  ) {
    this.byKey = kindEntries(bundle, builtins);
    this.precompiled = precompiled;
    for (const entry of this.byKey.values()) {
      this.versionsByKind.set(entry.kind, [...(this.versionsByKind.get(entry.kind) ?? []), entry.apiVersion]);
    }
  }
  /** `apiVersion kind` of every kind with a schema, sorted. */
  public kinds(): string[] {
    return [...this.byKey.keys()].sort();
  }

  /** Every problem of one object; empty when the API server would accept it on create. */
  public validate(object: unknown): SchemaProblem[] {
    const problems: SchemaProblem[] = [];
    const add = (type: SchemaProblem['type'], lines: Iterable<string>) => {
      for (const text of new Set(lines)) problems.push({ type, text });
    };
    if (!isRecord(object)) {
      add('schema', [`(root): must be an object (got ${show(object)})`]);
      return problems;
    }
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
      add('schema', [
        ...(typeof object.apiVersion !== 'string' ? ['apiVersion: required string field is missing'] : []),
        ...(typeof object.kind !== 'string' ? ['kind: required string field is missing'] : []),
      ]);
      return problems;
    }
    const key = `${object.apiVersion} ${object.kind}`;
    const entry = this.byKey.get(key);
    if (!entry) {
      const served = this.versionsByKind.get(object.kind);
      const hint = object.kind === 'IstioOperator'
        ? ' (IstioOperator has no CRD since Istio 1.24: it is istioctl input only)'
        : served
          ? ` (${object.kind} is served as ${served.join(', ')})`
          : ' (neither a pinned CRD nor a bundled built-in kind)';
      add('no-schema', [`${served ? 'apiVersion' : 'kind'}: no schema for ${key}${hint}`]);
      return problems;
    }
    const listMaps: string[] = [];
    listMapProblems(object, entry.schema, '', listMaps);
    add('schema', [
      ...this.schemaErrors(key, entry, object).map((e) => describe(e, object)),
      ...listMaps,
      ...metadataProblems(object.metadata, entry),
    ]);
    for (const p of this.cel.problems(object, entry.schema)) {
      const at = p.path === '' ? '(root)' : p.path;
      const type = p.outcome.kind === 'violated' ? 'cel' : p.outcome.kind === 'unevaluable' ? 'cel-unevaluable' : 'cel-skipped';
      add(type, [`${at}: ${p.outcome.message}`]);
    }
    return problems;
  }

  private ajv(): Ajv {
    this.ajvInstance ??= newAjv();
    return this.ajvInstance;
  }

  private kindValidators(key: string, entry: KindEntry): KindValidators {
    let kind = this.validators.get(key);
    if (!kind) {
      const precompiled = this.precompiled?.(key) ?? {};
      kind = {
        root: precompiledExport(precompiled, ROOT_EXPORT) ?? this.ajv().compile(rootJsonSchema(entry)),
        precompiled,
        fields: new Map(),
      };
      this.validators.set(key, kind);
    }
    return kind;
  }

  /** ajv errors for one object, with instancePath/schemaPath relative to the object root. */
  private schemaErrors(key: string, entry: KindEntry, object: Record<string, unknown>): ErrorObject[] {
    const kind = this.kindValidators(key, entry);
    const errors: ErrorObject[] = [];
    if (!kind.root(object)) errors.push(...collapse(kind.root.errors ?? []));
    const properties = isRecord(entry.schema.properties) ? entry.schema.properties : {};
    for (const field of Object.keys(object)) {
      if (ENVELOPE_FIELDS.includes(field) || !Object.prototype.hasOwnProperty.call(properties, field)) continue;
      let validate = kind.fields.get(field);
      if (!validate) {
        validate = precompiledExport(kind.precompiled, field) ?? this.ajv().compile(fieldJsonSchema(entry, field));
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
}
