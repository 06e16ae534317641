/**
 * Checking user Helm values against the pinned Istio charts, the way Helm itself never does.
 *
 * Helm silently ignores a value the chart does not read (`pilot.resourcez`), and an istiod
 * chart value that meshfleet sets from the topology (`global.network`) would silently win or
 * lose depending on merge order. This module finds both, with a did-you-mean for typos.
 *
 * The charts keep their defaults under `_internal_defaults_do_not_set`; the generated data file
 * (`istio-chart-data.generated.ts`, from `scripts/chart-data.js`) holds them. A user path is
 * known when it exists in the defaults, lies below a free-form map (a default of `{}`, or one
 * of {@link FREE_FORM_KEYS} such as `meshConfig`, `env`, `podAnnotations`), is `profile`, is a
 * top-level key only the gateway's `values.schema.json` declares, or is documented only in a
 * comment of values.yaml. The gateway chart's JSON schema is applied as well (with ajv).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ISTIO_CHART_DATA } from './istio-chart-data.generated';
import { closest } from './reader';
import { IstioChartName } from './types';

/** The pinned charts' defaults, as `scripts/chart-data.js` generates them. */
export interface IstioChartData {
  /** The Istio release the charts come from. */
  readonly version: string;
  readonly charts: Readonly<Record<IstioChartName, {
    /** Where the chart's values.yaml comes from upstream. */
    readonly source: string;
    /** `_internal_defaults_do_not_set` merged over the file's top-level keys. */
    readonly defaults: { readonly [key: string]: unknown };
    /** Dotted paths documented only as commented-out examples. */
    readonly commented: readonly string[];
    /** values.schema.json, when the chart has one. */
    readonly schema?: unknown;
  }>>;
}

/** One problem with a user values tree: where (path segments below the chart's root) and what. */
export interface ValueProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * Keys whose value is a map of arbitrary keys although their default is not `{}`.
 * Matched by key name at any depth where the key exists in the defaults.
 */
const FREE_FORM_KEYS = new Set([
  'meshConfig', 'env', 'podAnnotations', 'podLabels', 'labels', 'annotations', 'serviceAnnotations',
  'nodeSelector', 'tolerations', 'affinity', 'resources', 'defaultResources',
]);

/**
 * Values meshfleet sets from the topology, by chart and dotted path, with what to do instead.
 * Setting one (or anything below it) is refused rather than silently overridden either way.
 */
export const MESHFLEET_OWNED_VALUES: Readonly<Record<IstioChartName, Readonly<Record<string, string>>>> = {
  base: {
    'profile': 'set to "remote" on remote clusters from clusters[].role',
    'defaultRevision': 'set from mesh.istio.revision',
  },
  istiod: {
    'profile': 'set to "remote" on remote clusters from clusters[].role',
    'revision': 'set from mesh.istio.revision (and mesh.istio.canary.revision)',
    'global.meshID': 'set from mesh.id',
    'global.multiCluster.clusterName': 'set from clusters[].name',
    'global.network': 'set from clusters[].network',
    'global.remotePilotAddress': "set on remotes from their primary's eastWestGateway.address",
    'global.externalIstiod': 'set on primaries that serve remotes',
    'global.configCluster': 'set on remotes',
    'istiodRemote.injectionPath': 'set on remotes from their cluster name and network',
    'meshConfig.trustDomain': 'set from mesh.trustDomain',
    'meshConfig.serviceSettings': 'set from services[].clusterLocal',
    'meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE': 'set where .global aliases or services without a local replica are called',
  },
  gateway: {
    'name': 'the east-west gateway is always istio-eastwestgateway (Istio\'s expose-*.yaml select it)',
    'revision': 'set from mesh.istio.revision',
    'networkGateway': 'set from clusters[].network',
    'networkGatewayPorts': 'the east-west ports 15021, 15443, 15012 and 15017 are fixed',
    'service.type': 'use clusters[].eastWestGateway.serviceType',
    'service.externalIPs': 'set from clusters[].eastWestGateway.address with serviceType ClusterIP',
    'service.annotations': 'use clusters[].eastWestGateway.serviceAnnotations',
    'service.loadBalancerIP': 'use clusters[].eastWestGateway.loadBalancerIP (or an IP address)',
    'service.loadBalancerSourceRanges': 'use clusters[].eastWestGateway.loadBalancerSourceRanges',
    'replicaCount': 'use clusters[].eastWestGateway.replicas',
    'autoscaling': 'use clusters[].eastWestGateway.autoscaling',
    'resources': 'use clusters[].eastWestGateway.resources',
  },
};

/**
 * `gateway` chart values that have an IstioOperator `k8s` equivalent, and its name there.
 * @see https://istio.io/latest/docs/reference/config/istio.operator.v1alpha1/#KubernetesResourcesSpec
 */
export const GATEWAY_VALUES_FOR_ISTIOCTL: Readonly<Record<string, string>> = {
  affinity: 'affinity',
  imagePullPolicy: 'imagePullPolicy',
  nodeSelector: 'nodeSelector',
  podAnnotations: 'podAnnotations',
  podDisruptionBudget: 'podDisruptionBudget',
  priorityClassName: 'priorityClassName',
  readinessProbe: 'readinessProbe',
  securityContext: 'securityContext',
  strategy: 'strategy',
  tolerations: 'tolerations',
  volumeMounts: 'volumeMounts',
  volumes: 'volumes',
};

/** `gateway` values istioctl's east-west gateway takes besides {@link GATEWAY_VALUES_FOR_ISTIOCTL}: `env` (as a list) and `labels`. */
const GATEWAY_VALUES_TRANSLATED = new Set(['env', 'labels', ...Object.keys(GATEWAY_VALUES_FOR_ISTIOCTL)]);

type Tree = { readonly [key: string]: unknown };

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks user values trees against the pinned charts; build one per topology load. */
export class ChartValuesChecker {
  private gatewaySchema?: ValidateFunction;

  constructor(private readonly data: IstioChartData = ISTIO_CHART_DATA) {}

  /** The Istio release whose charts values are checked against. */
  public get version(): string {
    return this.data.version;
  }

  /** Every problem with `values` as values of `chart`: refused (meshfleet-owned), unknown, or against the chart's JSON schema. */
  public check(chart: IstioChartName, values: Tree): ValueProblem[] {
    const out: ValueProblem[] = [];
    const owned = MESHFLEET_OWNED_VALUES[chart];
    const ownedPaths = Object.keys(owned).map((p) => p.split('.'));
    for (const path of ownedPaths) {
      if (lookup(values, path) !== undefined) {
        out.push({ path, message: `is set by meshfleet, not by values: ${owned[path.join('.')]}; remove it from the ${chart} values` });
      }
    }
    const isOwned = (path: readonly string[]) => ownedPaths.some((o) => o.length === path.length && o.every((s, i) => s === path[i]));
    this.walk(chart, values, this.data.charts[chart].defaults, [], isOwned, out);
    if (chart === 'gateway') {
      this.checkSchema(values, out);
      for (const key of Object.keys(values)) {
        if (out.some((p) => p.path[0] === key) || GATEWAY_VALUES_TRANSLATED.has(key)) continue;
        out.push({
          path: [key],
          message: `has no equivalent in the east-west gateway's IstioOperator file (istioctl/), so the two install paths would differ: ` +
            `gateway values may set ${[...GATEWAY_VALUES_TRANSLATED].sort().join(', ')}; use a patch for anything else`,
        });
      }
    }
    return out;
  }

  private walk(chart: IstioChartName, values: Tree, defaults: Tree, at: string[], isOwned: (p: readonly string[]) => boolean, out: ValueProblem[]): void {
    const model = this.data.charts[chart];
    for (const [key, value] of Object.entries(values)) {
      const here = [...at, key];
      if (isOwned(here)) continue;
      if (at.length === 0 && (key === 'profile' || this.schemaOnlyKey(chart, key))) continue;
      if (model.commented.includes(here.join('.'))) continue;
      if (key === '_internal_defaults_do_not_set') {
        out.push({ path: here, message: 'is the charts\' internal defaults holder: set the values themselves instead' });
        continue;
      }
      if (!Object.prototype.hasOwnProperty.call(defaults, key)) {
        const guess = closest(key, Object.keys(defaults));
        const where = at.length ? `"${at.join('.')}"` : `the ${chart} chart`;
        // IstioOperator nests istiod settings under values.pilot; the istiod chart has them at its root.
        const hint = chart === 'istiod' && at.length === 0 && key === 'pilot'
          ? ': "pilot" is the IstioOperator form; the istiod chart takes these settings at its top level (resources, autoscaleMin, env …)'
          : guess ? `: did you mean "${guess}"?` : '';
        out.push({ path: here, message: `is not a value of ${where} in Istio ${this.data.version}${hint} (Helm would silently ignore it)` });
        continue;
      }
      const fallback = defaults[key];
      const freeForm = FREE_FORM_KEYS.has(key) || (isTree(fallback) && Object.keys(fallback).length === 0);
      if (freeForm || !isTree(value) || Object.keys(value).length === 0) continue;
      if (isTree(fallback)) this.walk(chart, value, fallback, here, isOwned, out);
      else out.push({ path: here, message: `is a single value in the ${chart} chart (default ${JSON.stringify(fallback)}), not a mapping` });
    }
  }

  private schemaOnlyKey(chart: IstioChartName, key: string): boolean {
    const schema = this.data.charts[chart].schema as { $defs?: { values?: { properties?: Tree } } } | undefined;
    const properties = schema?.$defs?.values?.properties;
    return !!properties && key in properties && !(key in this.data.charts[chart].defaults);
  }

  private checkSchema(values: Tree, out: ValueProblem[]): void {
    const schema = this.data.charts.gateway.schema;
    if (!isTree(schema)) return;
    if (!this.gatewaySchema) {
      // "http://json-schema.org/schema#" is no meta-schema ajv knows; draft-07 semantics apply.
      const { $schema: _ignored, ...body } = schema;
      // Loaded only here: most topologies set no gateway values, and loading ajv costs every run ~40 ms.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { default: Ajv } = require('ajv') as typeof import('ajv');
      this.gatewaySchema = new Ajv({ strict: false, allErrors: true }).compile(body);
    }
    if (this.gatewaySchema(values)) return;
    for (const error of this.gatewaySchema.errors ?? []) {
      const path = instancePath(error);
      // Unknown keys are reported by the walk above, with a did-you-mean.
      if (error.keyword === 'additionalProperties') continue;
      if (out.some((p) => p.path.join('.') === path.join('.'))) continue;
      out.push({ path, message: `${schemaMessage(error)} (the gateway chart's values.schema.json, got ${JSON.stringify(lookup(values, path.map(String)))})` });
    }
  }
}

function lookup(tree: Tree, path: readonly string[]): unknown {
  let node: unknown = tree;
  for (const part of path) {
    if (Array.isArray(node) && /^\d+$/.test(part)) node = node[Number(part)];
    else if (isTree(node)) node = node[part];
    else return undefined;
  }
  return node;
}

function instancePath(error: ErrorObject): (string | number)[] {
  if (!error.instancePath) return [];
  return error.instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function schemaMessage(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) return `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  if (error.keyword === 'type') return `must be ${String(params.type).split(',').join(' or ')}`;
  return error.message ?? error.keyword;
}
