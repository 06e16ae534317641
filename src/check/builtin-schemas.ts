/**
 * Schemas of the built-in kinds `meshfleet check` validates, taken from the shipped
 * {@link BuiltinBundle} (the Kubernetes OpenAPI of a pinned release), and of the
 * ObjectMeta subset a GitOps manifest may carry at its root.
 */
import { expandDefinition, type BuiltinBundle, type NameRule } from './builtin-bundle';
import type { SchemaNode } from './schema-bundle';

export type { NameRule } from './builtin-bundle';

/** A built-in kind: its apiVersion, scope, name rule, expanded schema and source. */
export interface BuiltinKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly nameRule: NameRule;
  readonly schema: SchemaNode;
  /** Where the schema came from (for messages). */
  readonly source: string;
}

/** A plain string schema. */
export const STRING: SchemaNode = { type: 'string' };
const STRING_MAP: SchemaNode = { type: 'object', additionalProperties: STRING };

/**
 * The subset of ObjectMeta a synthesized manifest may carry at its root (ownerReferences,
 * uid, managedFields, ... are set by the API server and do not belong in GitOps manifests).
 */
export const OBJECT_META: SchemaNode = {
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The schema with every declared field `nullable`: the API server decodes a built-in
 * object with Go's encoding/json, where `null` is the field's zero value
 * (`creationTimestamp: null` in a pod template, as cdk8s and Helm write it, is accepted).
 */
function nullableFields(node: SchemaNode, seen: Map<SchemaNode, SchemaNode>): SchemaNode {
  const known = seen.get(node);
  if (known) return known;
  const out: Record<string, unknown> = {};
  seen.set(node, out);
  for (const [keyword, value] of Object.entries(node)) {
    if (keyword === 'properties' && isRecord(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, child]) =>
        [name, { ...nullableFields(child as SchemaNode, seen), nullable: true }]));
    } else if ((keyword === 'items' || keyword === 'additionalProperties') && isRecord(value)) {
      out[keyword] = nullableFields(value, seen);
    } else {
      out[keyword] = value;
    }
  }
  return out;
}

/**
 * Every kind of the bundle with its definition expanded (no `$ref` left) and its fields
 * nullable. A kind's schema is expanded the first time it is read: expanding all of them
 * cost every check about 50 ms, and an output holds only a few built-in kinds.
 */
export function builtinKinds(bundle: BuiltinBundle): BuiltinKind[] {
  const source = `${bundle.source.package}@${bundle.source.version} (Kubernetes ${bundle.source.kubernetes})`;
  return bundle.kinds.map((k) => {
    let schema: SchemaNode | undefined;
    return {
      apiVersion: k.apiVersion,
      kind: k.kind,
      scope: k.scope,
      nameRule: k.nameRule,
      get schema(): SchemaNode {
        schema ??= nullableFields(expandDefinition(bundle, k.definition), new Map());
        return schema;
      },
      source,
    };
  });
}
