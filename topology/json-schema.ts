/**
 * The topology's JSON Schema, described by the loader's own reading code.
 *
 * `readTopology` runs with a describing {@link Reader}: every mapping it opens, every key it
 * allows and every field it reads (type, enum, format, bounds, required) becomes part of the
 * schema, so the schema and the loader cannot drift apart. The few fields the loader checks by
 * hand (free-form mappings such as Helm values, labels, weights) are described in
 * {@link HAND_READ_FIELDS}; generation fails if such a field has no description there, or if a
 * description names a field the loader no longer has.
 */
import { FieldShape, Reader, ShapeRecorder, StringFormat } from './reader';
import { DEFAULT_OUTLIER_DETECTION, readTopology } from './schema';
import { DEFAULT_ISTIO_CHART_REPOSITORY, DEFAULT_ISTIO_VERSION, TOPOLOGY_API_VERSION, TOPOLOGY_KIND } from './types';

/** A JSON Schema (draft-07) node. */
export interface JsonSchema {
  [keyword: string]: unknown;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
}

/** Where the committed schema lives in the package. */
export const JSON_SCHEMA_FILE = 'schema/meshtopology.v1alpha1.json';

/**
 * What a string format is in JSON Schema terms. The loader's checks (`checkFormat`) may be
 * stricter than a regular expression can say (URL parsing, duration ranges); a pattern here
 * never refuses what the loader accepts (`__tests__/json-schema.test.ts` checks both ways on samples).
 */
export const FORMAT_SCHEMAS: Record<StringFormat, JsonSchema> = {
  'dns-label': { pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
  duration: { pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$' },
  // Plain URLs (topology/urls.ts): only these characters; the loader also parses and normalizes them.
  'https-url': { pattern: '^https://[A-Za-z0-9\\-._~%/:[\\]]+$' },
  'chart-url': { pattern: '^(https|oci)://[A-Za-z0-9\\-._~%/:[\\]]+$' },
  'git-url': { pattern: '^((https|oci)://[A-Za-z0-9\\-._~%/:[\\]]+|ssh://(git@)?[A-Za-z0-9\\-._~%/:[\\]]+|git@[A-Za-z0-9.-]+:[A-Za-z0-9\\-._~/]+)$' },
  host: { pattern: '^[A-Za-z0-9]([-A-Za-z0-9.:]*[A-Za-z0-9])?$' },
};

/** A field the loader reads by hand (not through `Fields`), matched by its path in the schema. */
interface HandReadField {
  readonly path: RegExp;
  readonly schema: JsonSchema;
  /** Whether the loader reports the field missing (it is never nullable then). */
  readonly required?: boolean;
}

/**
 * Fields read by hand in `schema.ts` / `hatches-schema.ts`, as JSON Schema. Each entry must
 * match a field the describing run found without a shape, and each such field needs an entry.
 */
export const HAND_READ_FIELDS: readonly HandReadField[] = [
  { path: /\.istio\.values\.[a-z]+$/, schema: { type: 'object', description: 'Helm values of this Istio chart, checked against the pinned chart' } },
  {
    path: /\.eastWestGateway\.serviceAnnotations$/,
    schema: { type: 'object', additionalProperties: { type: 'string' }, description: 'annotations of the east-west gateway Service' },
  },
  {
    path: /\.resources\.(requests|limits)\.(cpu|memory)$/,
    schema: { type: ['string', 'number'], minimum: 0, pattern: '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$', description: 'a Kubernetes quantity such as 500m or 512Mi' },
  },
  {
    path: /^services\[0\]\.weights$/,
    schema: { type: 'object', additionalProperties: { type: 'integer', minimum: 0, maximum: 100 }, description: 'percent of traffic per cluster (sums to 100)' },
  },
  {
    path: /\.versions\[0\]\.labels$/,
    required: true,
    schema: { type: 'object', minProperties: 1, additionalProperties: { type: 'string' }, description: 'pod labels of this version' },
  },
  {
    path: /\.patches\[0\]\.patch$/,
    schema: { type: ['object', 'array'], description: 'the patch inline: a strategic-merge patch (mapping) or a JSON 6902 patch (list of operations)' },
  },
];

/**
 * Rules between fields of one mapping that the loader checks in its reading code and JSON
 * Schema can say. Each must match a mapping of the schema.
 */
const MAPPING_RULES: readonly { readonly path: RegExp; readonly apply: (node: JsonSchema) => void }[] = [
  {
    // `file` or `patch`, exactly one.
    path: /\.patches\[0\]$/,
    apply: (node) => {
      // A null `file` or `patch` counts as absent.
      node.oneOf = [
        { required: ['file'], properties: { file: { type: 'string' } } },
        { required: ['patch'], properties: { patch: { type: ['object', 'array'] } } },
      ];
    },
  },
  {
    // `git` is required only when a delivery tool is configured.
    path: /^delivery$/,
    apply: (node) => {
      node.required = (node.required ?? []).filter((k) => k !== 'git');
      allowNull(node.properties!.git);
      const needsGit = { required: ['git'], properties: { git: { type: 'object' } } };
      node.dependencies = { flux: needsGit, argocd: needsGit };
    },
  },
];

/** Descriptions editors show on hover, by schema path; each must name a field of the schema. */
export const DESCRIPTIONS: Readonly<Record<string, string>> = {
  apiVersion: `always ${TOPOLOGY_API_VERSION}`,
  kind: `always ${TOPOLOGY_KIND}`,
  mesh: 'the mesh shared by every cluster',
  'mesh.id': 'global.meshID, the same in every cluster',
  'mesh.trustDomain': 'meshConfig.trustDomain',
  'mesh.istio': 'Istio charts and control plane',
  'mesh.istio.version': 'chart version of base/istiod/gateway, 1.26.0 to 1.30.x; quote it',
  'mesh.istio.revision': 'control-plane revision (istio.io/rev)',
  'mesh.istio.chartRepository': 'Helm repository of the Istio charts',
  'mesh.istio.canary': 'a second istiod beside the stable one',
  'mesh.istio.valuesFiles': 'values files per chart, relative to the topology file, applied before values',
  'mesh.outlierDetection': 'default outlier detection of every DestinationRule',
  'mesh.patches': 'fleet-wide kustomize patches',
  'mesh.objects': 'fleet-wide own objects: every .yaml file of a directory, in every cluster',
  clusters: 'the clusters of the mesh',
  'clusters[0].name': 'global.multiCluster.clusterName; unique',
  'clusters[0].role': 'primary runs istiod; remote uses its controlPlane',
  'clusters[0].controlPlane': 'remotes only (required there): the primary whose istiod serves it',
  'clusters[0].network': 'global.network; clusters sharing a network reach each other directly',
  'clusters[0].region': 'topology.kubernetes.io/region of the nodes (failover)',
  'clusters[0].zones': 'topology.kubernetes.io/zone values',
  'clusters[0].apiServer': 'how other clusters and Argo CD reach its API',
  'clusters[0].namespaces': 'app namespaces besides those of the services it runs',
  'clusters[0].eastWestGateway': 'the east-west gateway (port 15443, AUTO_PASSTHROUGH)',
  'clusters[0].eastWestGateway.address': 'fixed IP or DNS name; an IP on a primary serving remotes',
  services: 'services shared across clusters',
  'services[0].ports': 'ports with Istio protocols',
  'services[0].runsIn': 'clusters running its workloads',
  'services[0].consumers': 'who may call it (AuthorizationPolicy principals)',
  'services[0].clusterLocal': 'traffic never leaves each cluster',
  'services[0].failover': 'region-level localityLbSetting.failover',
  'services[0].failoverPriority': 'localityLbSetting.failoverPriority',
  'services[0].globalAlias': 'also answer to <name>.<namespace>.global',
  'services[0].versions': 'app versions: DestinationRule subsets by pod labels',
  trust: 'the shared root CA (cacerts in every primary)',
  credentials: 'remote secrets istiod reads other clusters with',
  delivery: 'where the output is committed and which GitOps tool applies it',
  'delivery.git': 'required with flux or argocd',
  'delivery.flux': 'present = generate Flux objects',
  'delivery.argocd': 'present = generate Argo CD objects',
};

/**
 * The loader's defaults of optional fields, by schema path, for editors' completion. The loader
 * writes them as `?? value` after reading; `__tests__/json-schema.test.ts` deletes each optional
 * field of the README's full topology in turn and checks that what the loader fills in is listed
 * here (or in {@link DERIVED_DEFAULTS}) with the same value.
 */
export const DEFAULTS: Readonly<Record<string, unknown>> = {
  'mesh.trustDomain': 'cluster.local',
  'mesh.istio.version': DEFAULT_ISTIO_VERSION,
  'mesh.istio.chartRepository': DEFAULT_ISTIO_CHART_REPOSITORY,
  'mesh.outlierDetection.consecutive5xxErrors': DEFAULT_OUTLIER_DETECTION.consecutive5xxErrors,
  'mesh.outlierDetection.interval': DEFAULT_OUTLIER_DETECTION.interval,
  'mesh.outlierDetection.baseEjectionTime': DEFAULT_OUTLIER_DETECTION.baseEjectionTime,
  'mesh.outlierDetection.maxEjectionPercent': DEFAULT_OUTLIER_DETECTION.maxEjectionPercent,
  'mesh.objects[0].layer': 'mesh',
  'clusters[0].objects[0].layer': 'mesh',
  'clusters[0].eastWestGateway.serviceType': 'LoadBalancer',
  'clusters[0].eastWestGateway.autoscaling.minReplicas': 1,
  'clusters[0].eastWestGateway.autoscaling.maxReplicas': 5,
  'clusters[0].eastWestGateway.autoscaling.targetCPUUtilizationPercentage': 80,
  'services[0].clusterLocal': false,
  'services[0].globalAlias': false,
  'trust.provider': 'existing',
  'trust.certManager.issuer.kind': 'ClusterIssuer',
  'trust.certManager.issuer.group': 'cert-manager.io',
  'trust.certManager.duration': '8760h',
  'trust.certManager.renewBefore': '720h',
  'trust.externalSecrets.store.kind': 'ClusterSecretStore',
  'trust.externalSecrets.key': 'meshfleet/{cluster}/cacerts',
  'trust.externalSecrets.refreshInterval': '1h',
  'credentials.provider': 'existing',
  'credentials.externalSecrets.store.kind': 'ClusterSecretStore',
  'credentials.externalSecrets.key': 'meshfleet/{cluster}/reader',
  'credentials.externalSecrets.refreshInterval': '1h',
  'credentials.externalSecrets.push': true,
  'delivery.git.branch': 'main',
  'delivery.git.path': 'dist',
  'delivery.flux.mode': 'per-cluster',
  'delivery.flux.namespace': 'flux-system',
  'delivery.flux.interval': '10m',
  'delivery.flux.gitRepository': 'meshfleet',
  'delivery.argocd.namespace': 'argocd',
  'delivery.argocd.project': 'meshfleet',
};

/** Optional fields whose default is another field's value (described, not listed as a literal). */
export const DERIVED_DEFAULTS: Readonly<Record<string, string>> = {
  'mesh.istio.canary.version': 'mesh.istio.version',
  'services[0].outlierDetection.consecutive5xxErrors': 'mesh.outlierDetection.consecutive5xxErrors',
  'services[0].outlierDetection.interval': 'mesh.outlierDetection.interval',
  'services[0].outlierDetection.baseEjectionTime': 'mesh.outlierDetection.baseEjectionTime',
  'services[0].outlierDetection.maxEjectionPercent': 'mesh.outlierDetection.maxEjectionPercent',
};

/** Records what the describing reader reads into a JSON Schema tree. */
class SchemaRecorder implements ShapeRecorder {
  public readonly root: JsonSchema = {};
  /** Paths of fields read through `Fields`, with whether they may be null (absent). */
  public readonly shaped = new Map<string, boolean>();

  public object(path: string, keys: readonly string[]): void {
    const node = this.at(path);
    node.type = 'object';
    node.properties ??= {};
    for (const key of keys) node.properties[key] ??= {};
    node.additionalProperties = false;
  }

  public field(path: string, shape: FieldShape): void {
    const node = this.at(path);
    Object.assign(node, shapeSchema(shape));
    const required = 'required' in shape && !!shape.required;
    this.shaped.set(path, !required);
    if (required) {
      const { parent, key } = this.parentOf(path);
      parent.required = [...new Set([...(parent.required ?? []), key])];
    }
  }

  /** The node at a path (`clusters[0].eastWestGateway`), which its parent must allow. */
  public at(path: string): JsonSchema {
    if (path === '') return this.root;
    if (path.endsWith('[0]')) {
      const list = this.at(path.slice(0, -3));
      list.items ??= {};
      return list.items;
    }
    const { parent, key } = this.parentOf(path);
    const node = parent.properties?.[key];
    if (!node) throw new Error(`the loader reads ${path}, a key its mapping does not allow: add "${key}" to the mapping's keys`);
    return node;
  }

  public parentOf(path: string): { parent: JsonSchema; key: string } {
    const cut = path.lastIndexOf('.');
    return { parent: this.at(cut < 0 ? '' : path.slice(0, cut)), key: path.slice(cut + 1) };
  }
}

function shapeSchema(shape: FieldShape): JsonSchema {
  switch (shape.kind) {
    case 'string':
      return { type: 'string', ...(shape.oneOf ? { enum: [...shape.oneOf] } : {}), ...(shape.format ? FORMAT_SCHEMAS[shape.format] : {}) };
    case 'strings':
      return { type: 'array', items: { type: 'string', ...(shape.format ? FORMAT_SCHEMAS[shape.format] : {}) }, ...(shape.nonEmpty ? { minItems: 1 } : {}) };
    case 'integer':
      return { type: 'integer', ...(shape.min !== undefined ? { minimum: shape.min } : {}), ...(shape.max !== undefined ? { maximum: shape.max } : {}) };
    case 'boolean':
      return { type: 'boolean' };
    case 'object':
      return { type: 'object' };
    case 'list':
      return { type: 'array', ...(shape.nonEmpty ? { minItems: 1 } : {}) };
  }
}

/** The loader reads an absent and a null (`key:` with no value) optional field alike: allow null. */
function allowNull(node: JsonSchema): void {
  const types = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
  if (!types.length || types.includes('null')) return;
  node.type = [...types, 'null'];
  if (node.enum) node.enum = [...node.enum, null];
}

const EMPTY_SOURCE = { data: undefined, valueAt: new Map(), keyAt: new Map(), syntaxProblems: [] };

/**
 * The JSON Schema (draft-07) of a `meshfleet.dev/v1alpha1 MeshTopology`, described by running
 * the loader's reading code. Cross-file checks (values files, patch targets) and cross-field
 * rules (`topology/rules`) are the loader's alone: a file the schema accepts may still fail
 * `meshfleet validate`, never the other way round.
 *
 * @throws Error when a field is read by hand without an entry in {@link HAND_READ_FIELDS}, or an
 *   entry there (or in {@link DESCRIPTIONS}) no longer names a field
 */
export function topologyJsonSchema(): JsonSchema {
  const recorder = new SchemaRecorder();
  readTopology(new Reader(EMPTY_SOURCE, recorder), {});
  const used = new Set<HandReadField>();
  const visit = (node: JsonSchema, path: string): void => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const at = path ? `${path}.${key}` : key;
      const nullable = recorder.shaped.get(at);
      if (nullable === undefined) {
        const hand = HAND_READ_FIELDS.find((h) => h.path.test(at));
        if (!hand) throw new Error(`${at} is read without the Reader: describe it in HAND_READ_FIELDS (topology/json-schema.ts)`);
        used.add(hand);
        Object.assign(child, structuredClone(hand.schema));
        if (hand.required) node.required = [...new Set([...(node.required ?? []), key])];
        else allowNull(child);
      } else if (nullable) {
        allowNull(child);
      }
      visit(child, at);
    }
    if (node.items) visit(node.items, `${path}[0]`);
  };
  visit(recorder.root, '');
  const unused = HAND_READ_FIELDS.filter((h) => !used.has(h));
  if (unused.length) throw new Error(`HAND_READ_FIELDS ${unused.map((h) => h.path).join(', ')} match no field the loader reads: remove them`);
  for (const rule of MAPPING_RULES) {
    const nodes = mappings(recorder.root, '').filter(([p]) => rule.path.test(p));
    if (!nodes.length) throw new Error(`mapping rule ${rule.path} matches no mapping of the schema: remove it`);
    for (const [, node] of nodes) rule.apply(node);
  }
  for (const [path, value] of Object.entries(DEFAULTS)) {
    const { parent, key } = recorder.parentOf(path);
    const node = parent.properties?.[key];
    if (!node) throw new Error(`DEFAULTS names ${path}, which the schema does not have: remove it`);
    node.default = value;
  }
  for (const [path, from] of Object.entries(DERIVED_DEFAULTS)) {
    const { parent, key } = recorder.parentOf(path);
    const node = parent.properties?.[key];
    if (!node) throw new Error(`DERIVED_DEFAULTS names ${path}, which the schema does not have: remove it`);
    node.description = `default: ${from}`;
  }
  for (const [path, description] of Object.entries(DESCRIPTIONS)) {
    const { parent, key } = recorder.parentOf(path);
    const node = parent.properties?.[key];
    if (!node) throw new Error(`DESCRIPTIONS names ${path}, which the schema does not have: remove it`);
    node.description = node.description ? `${description}; ${node.description}` : description;
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${TOPOLOGY_API_VERSION} ${TOPOLOGY_KIND}`,
    description: 'A meshfleet topology: clusters, networks, regions and shared services of one Istio multi-cluster mesh. Generated from the loader (npm run schema); do not edit.',
    ...recorder.root,
  };
}

/** Every mapping node of a schema with its path. */
function mappings(node: JsonSchema, path: string): [string, JsonSchema][] {
  const out: [string, JsonSchema][] = node.properties ? [[path, node]] : [];
  for (const [key, child] of Object.entries(node.properties ?? {})) out.push(...mappings(child, path ? `${path}.${key}` : key));
  if (node.items) out.push(...mappings(node.items, `${path}[0]`));
  return out;
}

/** The schema as committed: two-space JSON with a final newline. */
export function topologyJsonSchemaText(): string {
  return `${JSON.stringify(topologyJsonSchema(), null, 2)}\n`;
}
