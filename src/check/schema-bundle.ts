/**
 * The compact schema bundle `meshfleet check` ships: the served versions of the pinned
 * upstream CRDs, with their structural schemas (descriptions dropped) and where each came from.
 *
 * `scripts/schema-bundle.ts` derives it from the pinned upstream files and writes
 * `src/check/schemas/crd-bundle.json`; a test derives it again from ../shared/upstream and
 * asserts the committed file is identical, so the bundle cannot drift from the pins.
 */
import { loadAll } from 'js-yaml';

/** A JSON-ish schema node (OpenAPI v3, as in a CRD). */
export type SchemaNode = { readonly [keyword: string]: unknown };

/** One pinned upstream file the bundle is made from. */
export interface SchemaSource {
  /** Path under the pinned upstream folder (../shared/upstream). */
  readonly file: string;
  /** Upstream repository (`owner/name`). */
  readonly project: string;
  /** Upstream release tag. */
  readonly version: string;
  /** Where the same file is published upstream. */
  readonly url: string;
}

/** One served apiVersion + kind with its schema. */
export interface BundledKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly scope: 'Namespaced' | 'Cluster';
  /** `file` of the {@link SchemaSource} it came from. */
  readonly source: string;
  /** The version's openAPIV3Schema without descriptions. */
  readonly schema: SchemaNode;
}

/** The bundle as committed in src/check/schemas/crd-bundle.json. */
export interface SchemaBundle {
  readonly sources: readonly SchemaSource[];
  readonly kinds: readonly BundledKind[];
}

const RAW = 'https://raw.githubusercontent.com';

function source(file: string, project: string, version: string, upstreamPath: string): SchemaSource {
  return { file, project, version, url: `${RAW}/${project}/${version}/${upstreamPath}` };
}

/**
 * The pinned CRD files, as listed in ../shared/upstream/README.md (Istio's chart copy of
 * crd-all.gen.yaml is the same file and is not read twice).
 */
export const SCHEMA_SOURCES: readonly SchemaSource[] = [
  source('istio-1.30.3/crd-all.gen.yaml', 'istio/istio', '1.30.3', 'manifests/charts/base/files/crd-all.gen.yaml'),
  ...['helm.toolkit.fluxcd.io_helmreleases'].map((f) => source(`flux-2.x/${f}.yaml`, 'fluxcd/helm-controller', 'v1.6.3', `config/crd/bases/${f}.yaml`)),
  ...['kustomize.toolkit.fluxcd.io_kustomizations'].map((f) => source(`flux-2.x/${f}.yaml`, 'fluxcd/kustomize-controller', 'v1.9.4', `config/crd/bases/${f}.yaml`)),
  ...['gitrepositories', 'helmrepositories', 'ocirepositories'].map((f) =>
    source(`flux-2.x/source.toolkit.fluxcd.io_${f}.yaml`, 'fluxcd/source-controller', 'v1.9.1', `config/crd/bases/source.toolkit.fluxcd.io_${f}.yaml`)),
  ...['application', 'applicationset', 'appproject'].map((f) =>
    source(`argo-cd-3.5.1/${f}-crd.yaml`, 'argoproj/argo-cd', 'v3.5.1', `manifests/crds/${f}-crd.yaml`)),
  ...['certificates', 'issuers', 'clusterissuers'].map((f) =>
    source(`cert-manager-1.21.1/cert-manager.io_${f}.yaml`, 'cert-manager/cert-manager', 'v1.21.1', `deploy/crds/cert-manager.io_${f}.yaml`)),
  ...['clustersecretstores', 'externalsecrets', 'pushsecrets', 'secretstores'].map((f) =>
    source(`external-secrets-2.9.0/external-secrets.io_${f}.yaml`, 'external-secrets/external-secrets', 'v2.9.0', `config/crds/bases/external-secrets.io_${f}.yaml`)),
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const SUBSCHEMA = new Set(['items', 'additionalProperties', 'not', 'propertyNames']);
const SUBSCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);
/** Documentation-only keywords: they never change what the API server accepts. */
const DROPPED = new Set(['description', 'example', 'externalDocs', 'title']);

/** A schema node without documentation, recursing only where the value is a schema. */
export function compactSchema(node: unknown): SchemaNode {
  if (!isRecord(node)) return {};
  const out: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(node)) {
    if (DROPPED.has(keyword)) continue;
    if (keyword === 'properties' && isRecord(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, compactSchema(child)]));
    } else if (SUBSCHEMA.has(keyword) && isRecord(value)) {
      out[keyword] = compactSchema(value);
    } else if (SUBSCHEMA_LISTS.has(keyword) && Array.isArray(value)) {
      out[keyword] = value.map(compactSchema);
    } else {
      out[keyword] = value;
    }
  }
  return out;
}

/**
 * Derives the bundle from the pinned files; `read(file)` returns the text of a
 * {@link SchemaSource.file}. Kinds are sorted by apiVersion and kind.
 */
export function deriveSchemaBundle(read: (file: string) => string): SchemaBundle {
  const kinds: BundledKind[] = [];
  for (const src of SCHEMA_SOURCES) {
    for (const doc of loadAll(read(src.file))) {
      if (!isRecord(doc) || doc.kind !== 'CustomResourceDefinition' || !isRecord(doc.spec)) continue;
      const { group, names, scope, versions } = doc.spec;
      if (typeof group !== 'string' || !isRecord(names) || typeof names.kind !== 'string' || !Array.isArray(versions)) continue;
      for (const version of versions) {
        if (!isRecord(version) || version.served !== true || typeof version.name !== 'string') continue;
        const schema = isRecord(version.schema) ? version.schema.openAPIV3Schema : undefined;
        kinds.push({
          apiVersion: `${group}/${version.name}`,
          kind: names.kind,
          scope: scope === 'Cluster' ? 'Cluster' : 'Namespaced',
          source: src.file,
          // A served version without a schema accepts anything (pre-structural CRDs).
          schema: isRecord(schema) ? compactSchema(schema) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        });
      }
    }
  }
  const key = (k: BundledKind) => `${k.apiVersion} ${k.kind}`;
  kinds.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return { sources: SCHEMA_SOURCES, kinds };
}

/** The bundle shipped with the package (src/check/schemas/crd-bundle.json). */
export function shippedSchemaBundle(): SchemaBundle {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./schemas/crd-bundle.json') as SchemaBundle;
}
