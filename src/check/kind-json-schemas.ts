/**
 * The JSON Schemas (draft-07, for ajv) a kind's validators are compiled from: one for the
 * envelope (apiVersion, kind, metadata, unknown top-level fields) and one per top-level
 * field (spec, data, ...), converted from the kind's OpenAPI v3 (structural) schema.
 *
 * Both the validators compiled at run time and those precompiled at build time
 * (scripts/build-validators.js) come from these functions, so both check the same schema.
 */
import type { BuiltinBundle } from './builtin-bundle';
import { builtinKinds, OBJECT_META, STRING, type BuiltinKind } from './builtin-schemas';
import type { SchemaBundle, SchemaNode } from './schema-bundle';

/** One kind the validator knows: its envelope facts and OpenAPI schema (a CRD's or a built-in kind's). */
export type KindEntry = BuiltinKind;

/** Top-level fields the root schema checks itself; they get no validator of their own. */
export const ENVELOPE_FIELDS: readonly string[] = ['apiVersion', 'kind', 'metadata'];

/** A JSON object (not null, not an array). */
export function isRecord(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every kind of a CRD bundle and the built-in kinds, by `apiVersion kind` (a built-in kind
 * wins over a CRD of the same name).
 */
export function kindEntries(bundle: SchemaBundle, builtins: BuiltinBundle): Map<string, KindEntry> {
  const byKey = new Map<string, KindEntry>();
  for (const k of bundle.kinds) {
    byKey.set(`${k.apiVersion} ${k.kind}`, { ...k, nameRule: 'dns1123Subdomain' });
  }
  for (const builtin of builtinKinds(builtins)) {
    byKey.set(`${builtin.apiVersion} ${builtin.kind}`, builtin);
  }
  return byKey;
}

// ---------------------------------------------------------------------------
// OpenAPI v3 (structural) → JSON Schema (draft-07, for ajv)
// ---------------------------------------------------------------------------

const KNOWN_FORMATS = new Set(['int32', 'int64', 'double', 'byte', 'date-time', 'quantity']);

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
  const out: Record<string, unknown> = {};
  const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const nullable = node.nullable === true;

  const quantity = node.format === 'quantity';
  const types: string[] = intOrString ? ['integer', 'string'] : quantity ? ['number', 'string'] : typeof node.type === 'string' ? [node.type] : [];
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

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    // Go RE2 syntax JS cannot compile: skipped (none in the pinned CRDs as of writing).
    return false;
  }
}

// ---------------------------------------------------------------------------
// Shared subschemas
// ---------------------------------------------------------------------------

/** Subschemas smaller than this (as JSON) stay inline even when repeated. */
const SHARED_MIN_LENGTH = 100;

/** Subschemas reached through properties, items and additionalProperties (never through a junctor). */
function fieldChildren(node: SchemaNode): SchemaNode[] {
  return [
    ...(isRecord(node.properties) ? Object.values(node.properties) as SchemaNode[] : []),
    ...(isRecord(node.items) ? [node.items] : []),
    ...(isRecord(node.additionalProperties) ? [node.additionalProperties] : []),
  ];
}

/**
 * The same schema with every repeated subschema written once under `definitions` and
 * referred to by `$ref`. Some CRDs repeat large subtrees (Argo CD's ApplicationSet holds the
 * Application template in every generator, and generators inside matrix and merge
 * generators): inline, its spec compiles to 13 MB of JavaScript, shared to 0.4 MB.
 *
 * References only replace field schemas (properties, items, additionalProperties), never a
 * branch of allOf/anyOf/oneOf/not, so an error inside a oneOf branch keeps the branch's
 * schemaPath prefix, which is how errors inside a failed oneOf are dropped in favour of the
 * oneOf's own. Messages do not depend on schema paths otherwise.
 */
export function shareRepeatedSubschemas(schema: SchemaNode): SchemaNode {
  const text = new Map<SchemaNode, string>();
  const json = (node: SchemaNode): string => {
    let known = text.get(node);
    if (known === undefined) {
      known = JSON.stringify(node);
      text.set(node, known);
    }
    return known;
  };
  const seen = new Map<string, number>();
  const count = (node: SchemaNode): void => {
    const key = json(node);
    const times = (seen.get(key) ?? 0) + 1;
    seen.set(key, times);
    if (times === 1) fieldChildren(node).forEach(count); // a repeat's children are counted once
  };
  count(schema);

  const definitions: Record<string, SchemaNode> = {};
  const names = new Map<string, string>();
  const rewrite = (node: SchemaNode, isDefinition: boolean): SchemaNode => {
    const key = json(node);
    if (!isDefinition && (seen.get(key) ?? 0) > 1 && key.length >= SHARED_MIN_LENGTH) {
      let name = names.get(key);
      if (name === undefined) {
        name = `s${names.size}`;
        names.set(key, name);
        definitions[name] = rewrite(node, true);
      }
      return { $ref: `#/definitions/${name}` };
    }
    const out: Record<string, unknown> = { ...node };
    if (isRecord(node.properties)) {
      out.properties = Object.fromEntries(Object.entries(node.properties).map(([name, child]) => [name, rewrite(child as SchemaNode, false)]));
    }
    if (isRecord(node.items)) out.items = rewrite(node.items, false);
    if (isRecord(node.additionalProperties)) out.additionalProperties = rewrite(node.additionalProperties, false);
    return out;
  };
  const root = rewrite(schema, true);
  return names.size === 0 ? root : { ...root, definitions };
}

// ---------------------------------------------------------------------------
// The schemas of one kind
// ---------------------------------------------------------------------------

/**
 * The root schema of a kind: apiVersion/kind pinned, metadata = OBJECT_META, and every
 * other top-level field (spec, status, ...) left to its own validator (`{}`).
 */
export function rootJsonSchema(entry: KindEntry): SchemaNode {
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
    required: [...new Set([...(Array.isArray(base.required) ? base.required : []), ...ENVELOPE_FIELDS])],
  };
  return toJsonSchema(root, false);
}

/** Top-level fields of a kind that have their own validator (every declared one but the envelope). */
export function topLevelFields(entry: KindEntry): string[] {
  const properties = isRecord(entry.schema.properties) ? entry.schema.properties : {};
  return Object.keys(properties).filter((name) => !ENVELOPE_FIELDS.includes(name));
}

/**
 * The schema of one top-level field (spec, data, ...) of a kind, converted but with every
 * subschema written out in full; `{}` for an undeclared field.
 */
export function fullFieldJsonSchema(entry: KindEntry, field: string): SchemaNode {
  const properties = isRecord(entry.schema.properties) ? entry.schema.properties : {};
  return toJsonSchema(Object.prototype.hasOwnProperty.call(properties, field) ? properties[field] : undefined, false);
}

/** The schema of one top-level field (spec, data, ...) of a kind, repeated subschemas shared. */
export function fieldJsonSchema(entry: KindEntry, field: string): SchemaNode {
  return shareRepeatedSubschemas(fullFieldJsonSchema(entry, field));
}
