/**
 * How the validators of a kind are compiled: a root validator for the envelope and one per
 * top-level field, from the JSON Schemas of {@link rootJsonSchema} and
 * {@link fieldJsonSchema}; at run time with {@link newAjv}, or at build time
 * (scripts/build-validators.js) with the same options and formats.
 */
import type Ajv from 'ajv';
import type { Options } from 'ajv';
import { K8S_FORMATS } from './k8s-formats';

/**
 * The ajv options of every meshfleet kind validator, run-time or precompiled: all errors,
 * with their data and schema (messages quote the value and a oneOf's fields).
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

/** Name of the root (envelope) validator in a precompiled module; the fields use their own names. */
export const ROOT_EXPORT = '$root';

/** A run-time ajv instance with {@link VALIDATOR_OPTIONS} (and `extra`) and the Kubernetes formats. */
export function newAjv(extra: Options = {}): Ajv {
  // Loaded here, not at the top: with every validator precompiled, a check never needs ajv's compiler.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: AjvClass } = require('ajv') as typeof import('ajv');
  const instance = new AjvClass({ ...VALIDATOR_OPTIONS, ...extra, code: { ...VALIDATOR_OPTIONS.code, ...extra.code } });
  for (const [name, format] of Object.entries(K8S_FORMATS)) instance.addFormat(name, format);
  return instance;
}
