/**
 * The validators precompiled at build time: scripts/build-validators.js writes ajv standalone
 * modules into lib/src/check/validators/, one per kind of the shipped schema bundles (see
 * {@link ManifestValidator}) and one for the Istio gateway chart's values.schema.json (see
 * {@link HelmValuesChecker}), and an index of them. Compiling them at run time cost every
 * `meshfleet synth` of the bundled example about 2 s of its 2.8 s.
 */
import type { ValidateFunction } from 'ajv';

/** One precompiled module: its validators by export name. */
export type PrecompiledModule = { readonly [name: string]: ValidateFunction | undefined };

/**
 * Looks up a precompiled module by key: `apiVersion kind` for a kind, `istio-chart:<chart>`
 * for a chart's values schema.
 */
export type PrecompiledValidators = (key: string) => PrecompiledModule | undefined;

/** Directory of the precompiled modules, beside this module in lib/src/check/. */
const DIR = './validators';

/** Key of a chart's values schema in the index. */
export function chartKey(chart: string): string {
  return `istio-chart:${chart}`;
}

/**
 * The validators precompiled from the shipped bundles, or `undefined` where there are none
 * (running the TypeScript sources, e.g. under ts-jest, rather than lib/).
 */
export function shippedPrecompiledValidators(): PrecompiledValidators | undefined {
  let index: { readonly [key: string]: string };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    index = require(`${DIR}/index.js`);
  } catch (e) {
    if ((e as { code?: unknown }).code === 'MODULE_NOT_FOUND' && String((e as Error).message).includes('validators/index.js')) return undefined;
    throw e;
  }
  return (key) => {
    const file = Object.prototype.hasOwnProperty.call(index, key) ? index[key] : undefined;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return file === undefined ? undefined : require(`${DIR}/${file}`) as PrecompiledModule;
  };
}

/** A module's own export `name` (never one inherited from Object.prototype). */
export function precompiledExport(module: PrecompiledModule, name: string): ValidateFunction | undefined {
  return Object.prototype.hasOwnProperty.call(module, name) ? module[name] : undefined;
}
