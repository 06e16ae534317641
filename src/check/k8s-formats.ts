/**
 * The string and number formats the API server checks, as ajv format definitions.
 *
 * One module for both ways a validator is made: {@link newAjv} adds them to a run-time ajv
 * instance, and the validators scripts/build-validators.js precompiles at build time
 * `require` this module (ajv's `code.formats`), so both run the very same functions.
 */
import type { Format } from 'ajv';

/** resource.Quantity's syntax, as the CRDs' quantity fields spell it. */
const QUANTITY = /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;

/**
 * int32, int64, double, byte, quantity (resource.Quantity: a quantity string; a number is
 * accepted by the schema's type) and date-time (RFC 3339), by name.
 */
export const K8S_FORMATS: { readonly [name: string]: Format } = {
  'int32': {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n <= 2 ** 31 - 1,
  },
  'int64': {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 63,
  },
  'double': { type: 'number', validate: (n: number) => Number.isFinite(n) },
  'byte': /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
  'quantity': { type: 'string', validate: (text: string) => QUANTITY.test(text) },
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/,
};
