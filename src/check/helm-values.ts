/**
 * Check 2: Helm values of the Istio charts' HelmReleases against the pinned charts.
 *
 * Helm silently ignores a value path the chart does not define, so a typo
 * (`global.multicluster`) or a value from another API (IstioOperator's `pilot.*`) would
 * otherwise go unnoticed. The charts' defaults (and the gateway chart's values.schema.json)
 * ship in src/check/schemas/istio-charts.json, derived by scripts/schema-bundle.ts from the
 * pinned charts (istio/istio 1.30.3 manifests/charts).
 *
 * A user path is defined when
 * - it exists in the chart's defaults (values.yaml, with `_internal_defaults_do_not_set:`
 *   merged in), or a map the user recurses into, or
 * - it lies below a free-form key: one whose default is an empty map `{}`, or one of
 *   FREE_FORM_KEYS (maps of arbitrary keys whose defaults happen to be non-empty,
 *   e.g. `meshConfig`, gateway `labels`/`podAnnotations`, `resources`), or
 * - it is `profile` (read by the charts' templates, not in values.yaml), or
 * - it is one of COMMENTED_DEFAULTS: documented in values.yaml only as a commented-out
 *   example (kept only while the comment is still in the pinned file), or
 * - (gateway only) it is a top-level key declared in values.schema.json but absent
 *   from values.yaml.
 * Arrays, scalars, null and empty maps are leaves: list items are never inspected. For
 * `gateway` the chart's JSON schema is applied too (types, enums, additionalProperties).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { load } from 'js-yaml';
import { chartKey, precompiledExport, shippedPrecompiledValidators, type PrecompiledValidators } from './precompiled';

/** The Istio charts whose values can be checked: `base`, `istiod` and `gateway`. */
export type IstioChart = 'base' | 'istiod' | 'gateway';

/** One chart as shipped: merged defaults, still-documented commented defaults, values.schema.json. */
export interface ChartValuesModel {
  readonly defaults: { readonly [key: string]: unknown };
  readonly commented: readonly string[];
  readonly schemaOnlyKeys: readonly string[];
  readonly schema?: { readonly [key: string]: unknown };
}

/** The shipped chart models (src/check/schemas/istio-charts.json). */
export interface ChartBundle {
  /** Istio version of the charts. */
  readonly version: string;
  /** Where the charts come from. */
  readonly source: string;
  readonly charts: Readonly<Record<IstioChart, ChartValuesModel>>;
}

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

/**
 * A chart's model from its pinned files: `read(name)` returns the text of `values.yaml` or
 * `values.schema.json` in the chart folder, or undefined when absent.
 */
export function deriveChartModel(chart: IstioChart, read: (name: string) => string | undefined): ChartValuesModel {
  const text = read('values.yaml');
  if (text === undefined) throw new Error(`chart ${chart} has no values.yaml`);
  const parsed = load(text);
  if (!isMap(parsed)) throw new Error(`chart ${chart}: values.yaml is not a map`);
  const { [INTERNAL_DEFAULTS]: internal, ...topLevel } = parsed;
  const defaults: ValueMap = { ...topLevel, ...(isMap(internal) ? internal : {}) };
  // Keep a commented default only while the pinned file still documents it.
  const commented = COMMENTED_DEFAULTS[chart].filter((p) => {
    const leaf = p.slice(p.lastIndexOf('.') + 1);
    return new RegExp(`^\\s*#\\s*${leaf}\\s*:`, 'm').test(text);
  });
  const schemaText = read('values.schema.json');
  if (schemaText === undefined) return { defaults, commented, schemaOnlyKeys: [] };
  const json: unknown = JSON.parse(schemaText);
  if (!isMap(json)) throw new Error(`chart ${chart}: values.schema.json is not an object`);
  // "http://json-schema.org/schema#" is not a meta-schema ajv knows; draft-07 semantics apply.
  const { $schema: _ignored, ...schema } = json;
  const defs = isMap(schema.$defs) && isMap(schema.$defs.values) ? schema.$defs.values : schema;
  const schemaOnlyKeys = Object.keys(isMap(defs.properties) ? defs.properties : {}).filter((k) => !(k in defaults) && k !== INTERNAL_DEFAULTS).sort();
  return { defaults, commented, schemaOnlyKeys, schema };
}

/** Where the pinned charts are, under the upstream folder, and their upstream source. */
export const PINNED_CHARTS = {
  dir: 'istio-1.30.3/charts',
  version: '1.30.3',
  source: 'https://github.com/istio/istio/tree/1.30.3/manifests/charts (base, istio-control/istio-discovery, gateway)',
} as const;

/** The chart bundle from the pinned charts; `read(file)` returns a file under the upstream folder, or undefined. */
export function deriveChartBundle(read: (file: string) => string | undefined): ChartBundle {
  const charts = Object.fromEntries((['base', 'istiod', 'gateway'] as const).map((chart) =>
    [chart, deriveChartModel(chart, (name) => read(`${PINNED_CHARTS.dir}/${chart}/${name}`))])) as Record<IstioChart, ChartValuesModel>;
  return { version: PINNED_CHARTS.version, source: PINNED_CHARTS.source, charts };
}

/** The chart bundle shipped with the package (src/check/schemas/istio-charts.json). */
export function shippedChartBundle(): ChartBundle {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./schemas/istio-charts.json') as ChartBundle;
}

interface ChartModel {
  readonly defaults: ValueMap;
  readonly commented: ReadonlySet<string>;
  readonly schemaOnlyKeys: ReadonlySet<string>;
  readonly schema?: ValidateFunction;
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

/** Export name of a chart's values-schema validator in its precompiled module. */
export const CHART_SCHEMA_EXPORT = 'values';

/** The ajv options of a chart's values-schema validator, run-time or precompiled. */
export const CHART_SCHEMA_OPTIONS = { strict: false, allErrors: true } as const;

/** Checks values against the shipped charts; keeps the compiled gateway schema (one per check run). */
export class HelmValuesChecker {
  private readonly models = new Map<IstioChart, ChartModel>();
  private readonly precompiled?: PrecompiledValidators;

  /**
   * @param bundle the charts' models
   * @param precompiled values-schema validators compiled at build time
   * @default precompiled - the validators built into lib/ when `bundle` is the shipped
   * bundle (they were compiled from it), otherwise none
   */
  constructor(
    private readonly bundle: ChartBundle,
    precompiled: PrecompiledValidators | undefined = bundle === shippedChartBundle() ? shippedPrecompiledValidators() : undefined,
  ) {
    this.precompiled = precompiled;
  }

  /** Istio version of the charts the values are checked against. */
  public get version(): string {
    return this.bundle.version;
  }

  /**
   * List the leaf paths of Helm `values` that the pinned Istio chart does not define.
   *
   * Paths are dotted, Helm `--set` style (`global.multiCluster.clusterName`; a dot inside
   * a key is escaped as `\\.`). Empty result = every path is defined. For `gateway` the
   * chart's values.schema.json is applied as well: its additionalProperties violations
   * are merged into the path list, its other errors (type, enum) are appended as
   * `<path>: <message> (values.schema.json)`.
   */
  public unknownValuePaths(chart: IstioChart, values: unknown): string[] {
    return unknownPaths(this.model(chart), values);
  }

  private model(chart: IstioChart): ChartModel {
    let model = this.models.get(chart);
    if (!model) {
      const m = this.bundle.charts[chart];
      model = {
        defaults: m.defaults as ValueMap,
        commented: new Set(m.commented),
        schemaOnlyKeys: new Set(m.schemaOnlyKeys),
        schema: m.schema ? this.schemaValidator(chart, m.schema) : undefined,
      };
      this.models.set(chart, model);
    }
    return model;
  }

  private schemaValidator(chart: IstioChart, schema: { readonly [key: string]: unknown }): ValidateFunction {
    const precompiled = this.precompiled?.(chartKey(chart));
    if (precompiled) {
      const validate = precompiledExport(precompiled, CHART_SCHEMA_EXPORT);
      if (validate) return validate;
    }
    // Loaded here, not at the top: with the schema precompiled, a check never needs ajv's compiler.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { default: Ajv } = require('ajv') as typeof import('ajv');
    return new Ajv(CHART_SCHEMA_OPTIONS).compile(schema);
  }
}

/**
 * (Internal) the leaf paths of Helm `values` that the pinned Istio chart does not define.
 *
 * Paths are dotted, Helm `--set` style (`global.multiCluster.clusterName`; a dot inside
 * a key is escaped as `\.`). Empty result = every path is defined. The rules are in the
 * module comment: defaults under `_internal_defaults_do_not_set`, free-form maps,
 * `profile`, arrays as leaves. For `gateway` the chart's values.schema.json is applied
 * as well: its additionalProperties violations are merged into the path list, its other
 * errors (type, enum) are appended as `<path>: <message> (values.schema.json)`.
 * Setting `_internal_defaults_do_not_set` itself is always reported.
 */
function unknownPaths(model: ChartModel, values: unknown): string[] {
  if (values === undefined || values === null) return [];
  if (!isMap(values)) return ['(root): values must be a map'];
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
