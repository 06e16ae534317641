/**
 * Checks Helm values meant for the pinned Istio charts (../shared/upstream/istio-1.30.3/
 * charts, override the upstream root with MESHFLEET_UPSTREAM) for paths the chart does
 * not define — Helm silently ignores those, so a typo (`global.multicluster`) or a value
 * from another API (IstioOperator's `pilot.*`) would otherwise go unnoticed.
 *
 * Rules (see the upstream README): the charts keep their defaults under
 * `_internal_defaults_do_not_set:`. A user path is defined when
 * - it exists under that key (a leaf there, or a map the user recurses into), or
 * - it lies below a free-form key: one whose default is an empty map `{}`, or one of
 *   FREE_FORM_KEYS (maps of arbitrary keys whose defaults happen to be non-empty,
 *   e.g. `meshConfig`, gateway `labels`/`podAnnotations`, `resources`), or
 * - it is `profile` (read by the charts' templates, not in values.yaml), or
 * - it is one of COMMENTED_DEFAULTS: documented in values.yaml only as a commented-out
 *   example (kept only while the comment is still in the pinned file), or
 * - (gateway only) it is a top-level key declared in values.schema.json but absent
 *   from values.yaml (`enabled`, `platform`, `pilot`, `runAsRoot`, `unprivilegedPort`,
 *   `compatibilityVersion`, `defaultRevision`).
 * Arrays, scalars, null and empty maps are leaves: list items are never inspected.
 * Types are not compared with the defaults; for `gateway` the chart's JSON schema is
 * applied too (types, enums, additionalProperties).
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { load } from 'js-yaml';
import { upstreamDir } from './crd-schema';

/**
 * The Istio charts whose values can be checked.
 *
 * Published names: `base`, `istiod` (istio-control/istio-discovery) and `gateway`, all
 * pinned at 1.30.3 under ../shared/upstream/istio-1.30.3/charts.
 */
export type IstioChart = 'base' | 'istiod' | 'gateway';

const CHART_DIR = 'istio-1.30.3/charts';
const INTERNAL_DEFAULTS = '_internal_defaults_do_not_set';

/**
 * Keys whose value is a map of arbitrary keys although the default is not `{}`.
 * Matched by key name at any depth, and only where the key exists in the defaults.
 * (`istiodRemote` is deliberately absent: its default lists its fields.)
 */
const FREE_FORM_KEYS = new Set([
  'meshConfig', // istiod: MeshConfig, defaults to {enablePrometheusMerge: true}
  'env', 'podAnnotations', 'podLabels', 'labels', 'annotations', 'serviceAnnotations',
  'nodeSelector', 'tolerations', 'affinity',
  'resources', 'defaultResources', // core/v1 ResourceRequirements (any resource name)
]);

/** Paths documented only as commented-out examples in the pinned values.yaml files. */
const COMMENTED_DEFAULTS: Readonly<Record<IstioChart, readonly string[]>> = {
  base: [],
  istiod: [
    'base.validationFailurePolicy',
    'pdb.maxUnavailable',
    'global.podDNSSearchNamespaces',
    'global.defaultPodDisruptionBudget.minAvailable',
  ],
  gateway: ['service.allocateLoadBalancerNodePorts', 'service.loadBalancerClass'],
};

type ValueMap = { [key: string]: unknown };

interface ChartModel {
  readonly defaults: ValueMap;
  readonly commented: ReadonlySet<string>;
  /** gateway: top-level keys only values.schema.json declares. */
  readonly schemaOnlyKeys: ReadonlySet<string>;
  readonly schema?: ValidateFunction;
}


function isMap(value: unknown): value is ValueMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Helm-style path segment: dots inside a key are escaped as in `--set`. */
function segment(key: string): string {
  return key.replace(/\./g, '\\.');
}

function join(parent: string, key: string): string {
  return parent === '' ? segment(key) : `${parent}.${segment(key)}`;
}

const models = new Map<IstioChart, ChartModel>();

function chartModel(chart: IstioChart): ChartModel {
  const cached = models.get(chart);
  if (cached) return cached;
  const dir = path.join(upstreamDir(), CHART_DIR, chart);
  const text = fs.readFileSync(path.join(dir, 'values.yaml'), 'utf8');
  const parsed = load(text);
  if (!isMap(parsed)) throw new Error(`${dir}/values.yaml is not a map`);
  const { [INTERNAL_DEFAULTS]: internal, ...topLevel } = parsed;
  const defaults: ValueMap = { ...topLevel, ...(isMap(internal) ? internal : {}) };

  // Keep a commented default only while the pinned file still documents it.
  const commented = new Set(
    COMMENTED_DEFAULTS[chart].filter((p) => {
      const leaf = p.slice(p.lastIndexOf('.') + 1);
      return new RegExp(`^\\s*#\\s*${leaf}\\s*:`, 'm').test(text);
    }),
  );

  let schema: ValidateFunction | undefined;
  const schemaOnlyKeys = new Set<string>();
  const schemaFile = path.join(dir, 'values.schema.json');
  if (fs.existsSync(schemaFile)) {
    const json: unknown = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
    if (!isMap(json)) throw new Error(`${schemaFile} is not an object`);
    // "http://json-schema.org/schema#" is not a meta-schema ajv knows; draft-07 semantics apply.
    const { $schema: _ignored, ...body } = json;
    schema = new Ajv({ strict: false, allErrors: true }).compile(body);
    const defs = isMap(body.$defs) && isMap(body.$defs.values) ? body.$defs.values : body;
    for (const key of Object.keys(isMap(defs.properties) ? defs.properties : {})) {
      if (!(key in defaults) && key !== INTERNAL_DEFAULTS) schemaOnlyKeys.add(key);
    }
  }
  const model: ChartModel = { defaults, commented, schemaOnlyKeys, schema };
  models.set(chart, model);
  return model;
}

function isFreeForm(key: string, defaultValue: unknown): boolean {
  return FREE_FORM_KEYS.has(key) || (isMap(defaultValue) && Object.keys(defaultValue).length === 0);
}

/** Every leaf path of `value` below `at` (a non-map or empty map is itself a leaf). */
function leaves(value: unknown, at: string): string[] {
  if (!isMap(value) || Object.keys(value).length === 0) return [at];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, join(at, k)));
}

function walk(values: ValueMap, defaults: ValueMap, at: string, model: ChartModel, out: string[]): void {
  for (const [key, value] of Object.entries(values)) {
    const here = join(at, key);
    if (at === '' && (key === 'profile' || model.schemaOnlyKeys.has(key))) continue;
    if (model.commented.has(here)) continue;
    if (!Object.prototype.hasOwnProperty.call(defaults, key)) {
      out.push(...leaves(value, here));
      continue;
    }
    const defaultValue = defaults[key];
    if (isFreeForm(key, defaultValue) || !isMap(value) || Object.keys(value).length === 0) continue;
    if (isMap(defaultValue)) {
      walk(value, defaultValue, here, model, out);
    } else {
      // The chart defines a scalar/list/null here; nothing below it exists.
      out.push(...leaves(value, here).filter((p) => p !== here));
    }
  }
}

function schemaPath(error: ErrorObject, values: unknown): string {
  const parts = error.instancePath === '' ? [] : error.instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  let cursor: unknown = values;
  for (const part of parts) {
    if (Array.isArray(cursor)) {
      out += `[${part}]`;
      cursor = cursor[Number(part)];
    } else {
      out = join(out, part);
      cursor = isMap(cursor) ? cursor[part] : undefined;
    }
  }
  return out;
}

function schemaMessage(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (error.keyword === 'type') return `must be ${String(params.type).split(',').join(' or ')}`;
  return error.message ?? error.keyword;
}

/**
 * List the leaf paths of Helm `values` that the pinned Istio chart does not define.
 *
 * Paths are dotted, Helm `--set` style (`global.multiCluster.clusterName`; a dot inside
 * a key is escaped as `\.`). Empty result = every path is defined. The rules are in the
 * module comment: defaults under `_internal_defaults_do_not_set`, free-form maps,
 * `profile`, arrays as leaves. For `gateway` the chart's values.schema.json is applied
 * as well: its additionalProperties violations are merged into the path list, its other
 * errors (type, enum) are appended as `<path>: <message> (values.schema.json)`.
 * Setting `_internal_defaults_do_not_set` itself is always reported.
 */
export function unknownValuePaths(chart: IstioChart, values: unknown): string[] {
  if (values === undefined || values === null) return [];
  if (!isMap(values)) return ['(root): values must be a map'];
  const model = chartModel(chart);
  const out: string[] = [];
  walk(values, model.defaults, '', model, out);

  if (model.schema && !model.schema(values)) {
    for (const error of model.schema.errors ?? []) {
      const at = schemaPath(error, values);
      if (error.keyword === 'additionalProperties') {
        const extra = join(at, String((error.params as { additionalProperty: unknown }).additionalProperty));
        if (!out.some((p) => p === extra || p.startsWith(`${extra}.`))) out.push(extra);
      } else {
        out.push(`${at || '(root)'}: ${schemaMessage(error)} (values.schema.json)`);
      }
    }
  }
  return [...new Set(out)];
}
