/**
 * The ajv validators of one kind: a root validator for the envelope and one per top-level
 * field, either precompiled at build time (scripts/build-validators.js writes them into
 * lib/src/check/validators/ with ajv's standalone code) or compiled at run time from the
 * same JSON Schemas ({@link rootJsonSchema}, {@link fieldJsonSchema}).
 *
 * Compiling costs: the validators of the bundled example's ~20 kinds took about 2 s to
 * compile at every `meshfleet synth`; precompiled, they load in a fraction of that.
 */
import Ajv, { type Options, type ValidateFunction } from 'ajv';
import { K8S_FORMATS } from './k8s-formats';

/**
 * The ajv options of every meshfleet validator, run-time or precompiled: all errors, with
 * their data and schema (messages quote the value and a oneOf's fields).
 */
export const VALIDATOR_OPTIONS: Options = {
  strict: false,
  allErrors: true,
  verbose: true,
  // Shared subschemas (`$ref`) become functions of their own rather than being inlined
  // again at every use: that is what keeps the generated code small.
  inlineRefs: false,
  // code.optimize=false halves compile time of the big (Argo CD, ESO) schemas.
  code: { optimize: false },
};

/** A run-time ajv instance with {@link VALIDATOR_OPTIONS} and the Kubernetes formats. */
export function newAjv(extra: Options = {}): Ajv {
  const instance = new Ajv({ ...VALIDATOR_OPTIONS, ...extra, code: { ...VALIDATOR_OPTIONS.code, ...extra.code } });
  for (const [name, format] of Object.entries(K8S_FORMATS)) instance.addFormat(name, format);
  return instance;
}

/** Name of the root (envelope) validator in a precompiled module; the fields use their own names. */
export const ROOT_EXPORT = '$root';

/**
 * The validators precompiled for one kind: {@link ROOT_EXPORT} and one function per
 * top-level field (`status` is left out: a GitOps manifest rarely carries it).
 */
export type PrecompiledKind = { readonly [name: string]: ValidateFunction | undefined };

/** Looks up the precompiled validators of a kind by `apiVersion kind`. */
export type PrecompiledValidators = (key: string) => PrecompiledKind | undefined;

/** Directory of the precompiled modules, beside this module in lib/src/check/. */
const PRECOMPILED_DIR = './validators';

/**
 * The validators precompiled for the shipped schema bundles, or `undefined` where there
 * are none (running the TypeScript sources, e.g. under ts-jest, rather than lib/).
 */
export function shippedPrecompiledValidators(): PrecompiledValidators | undefined {
  let index: { readonly [key: string]: string };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    index = require(`${PRECOMPILED_DIR}/index.js`);
  } catch (e) {
    if ((e as { code?: unknown }).code === 'MODULE_NOT_FOUND' && String((e as Error).message).includes('validators/index.js')) return undefined;
    throw e;
  }
  return (key) => {
    const file = Object.prototype.hasOwnProperty.call(index, key) ? index[key] : undefined;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return file === undefined ? undefined : require(`${PRECOMPILED_DIR}/${file}`) as PrecompiledKind;
  };
}
