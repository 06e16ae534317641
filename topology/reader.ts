/**
 * Typed, located reading of a parsed topology: shape checks, defaults, unknown keys.
 *
 * A `Reader` never throws; it records a problem and hands back `undefined` so reading
 * can go on and every problem in the file is reported in one pass.
 */
import { joinPath, SourceDocument } from './source';
import { durationProblem } from './durations';
import { Problem, shown, SourcePosition } from './problems';
import { urlProblem } from './urls';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** String formats the topology checks. */
export type StringFormat = 'dns-label' | 'duration' | 'https-url' | 'chart-url' | 'git-url' | 'host';

interface StringOptions<T extends string> {
  readonly required?: boolean;
  readonly format?: StringFormat;
  readonly oneOf?: readonly T[];
  /** Extra advice appended when `oneOf` fails, keyed by the offending value. */
  readonly refusals?: Readonly<Record<string, string>>;
}

/** What one read asks of a field, as a {@link ShapeRecorder} receives it. */
export type FieldShape =
  | { readonly kind: 'string'; readonly required?: boolean; readonly format?: StringFormat; readonly oneOf?: readonly string[] }
  | { readonly kind: 'strings'; readonly required?: boolean; readonly nonEmpty?: boolean; readonly format?: StringFormat }
  | { readonly kind: 'integer'; readonly required?: boolean; readonly min?: number; readonly max?: number }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'object'; readonly required?: boolean }
  | { readonly kind: 'list'; readonly required?: boolean; readonly nonEmpty?: boolean };

/**
 * Receives the shape of what a {@link Reader} reads instead of checking a document: the same
 * reading code then describes the topology (its JSON Schema) rather than validating it.
 */
export interface ShapeRecorder {
  /** A mapping at `path` allows exactly `keys`. */
  object(path: string, keys: readonly string[]): void;
  /** The field at `path` is read as `shape`. */
  field(path: string, shape: FieldShape): void;
}

/** A valid stand-in value of a format, handed back while describing so reading goes on. */
const FORMAT_SAMPLES: Record<StringFormat, string> = {
  'dns-label': 'a',
  duration: '1s',
  'https-url': 'https://a.example',
  'chart-url': 'https://a.example/charts',
  'git-url': 'https://a.example/r.git',
  host: 'a.example',
};

/** A mapping in which every allowed key is written (as an empty mapping), so describing descends everywhere. */
function everyKey(keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, {}]));
}

/** Collects problems while reading a {@link SourceDocument}. */
export class Reader {
  public readonly problems: Problem[] = [];

  /**
   * @param recorder when given, the reader describes instead of reading: every read is
   *   recorded, values are ignored, and each read hands back a valid stand-in
   */
  constructor(
    private readonly source: SourceDocument,
    public readonly recorder?: ShapeRecorder,
  ) {}

  /** Records a problem at a path, pointing at the value (or its key, with `atKey`). */
  public report(path: string, message: string, options: { atKey?: boolean } = {}): void {
    this.problems.push({ path, message, position: locate(this.source, path, options.atKey) });
  }

  /** Where a path of the topology was written. */
  public positionOf(path: string): SourcePosition | undefined {
    return locate(this.source, path);
  }

  /**
   * Records a problem in another file the topology refers to (a Helm values file, a patch),
   * located in that file's own parsed source.
   */
  public reportIn(file: string, source: SourceDocument | undefined, path: string, message: string, options: { atKey?: boolean } = {}): void {
    this.problems.push({ file, path, message, position: source ? locate(source, path, options.atKey) : undefined });
  }

  /** Reads a mapping, reporting keys outside `keys` (with a did-you-mean). */
  public object(value: unknown, path: string, keys: readonly string[]): Fields | undefined {
    if (this.recorder) {
      this.recorder.object(path, keys);
      return new Fields(this, everyKey(keys), path);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.report(path, `must be a mapping (got ${shown(value)})`);
      return undefined;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!keys.includes(key)) {
        const guess = closest(key, keys);
        const hint = guess ? `did you mean "${guess}"?` : `allowed keys: ${keys.join(', ')}`;
        this.report(joinPath(path, key), `unknown key "${key}": ${hint}`, { atKey: true });
      }
    }
    return new Fields(this, record, path);
  }

}

/** Where a path was written in a source: its key (with `atKey`), its value, or its nearest written parent. */
function locate(source: SourceDocument, path: string, atKey?: boolean): SourcePosition | undefined {
  const exact = (atKey ? source.keyAt.get(path) : undefined) ?? source.valueAt.get(path);
  if (exact) return exact;
  for (let p = path; p; ) {
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    p = cut > 0 ? p.slice(0, cut) : '';
    const found = source.valueAt.get(p);
    if (found) return found;
  }
  return source.valueAt.get('');
}

/** The fields of one mapping, read with types, formats and defaults. */
export class Fields {
  constructor(
    public readonly reader: Reader,
    public readonly raw: Readonly<Record<string, unknown>>,
    public readonly path: string,
  ) {}

  /** Path of a field of this mapping. */
  public at(key: string): string {
    return joinPath(this.path, key);
  }

  /** Whether the author wrote this key. */
  public has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  /** Reads a string field; `undefined` when absent (reported if required) or invalid. */
  public string<T extends string = string>(key: string, options: StringOptions<T> = {}): T | undefined {
    if (this.reader.recorder) {
      this.reader.recorder.field(this.at(key), { kind: 'string', required: options.required, format: options.format, oneOf: options.oneOf });
      return (options.oneOf?.[0] ?? (options.format ? FORMAT_SAMPLES[options.format] : 'a')) as T;
    }
    const value = this.raw[key];
    const path = this.at(key);
    if (value === undefined || value === null) {
      if (options.required) this.reader.report(path, `is required: add "${key}" to ${this.path || 'the file'}`);
      return undefined;
    }
    if (typeof value !== 'string') {
      // YAML reads 1.30 as a number: say how to quote it.
      const hint = typeof value === 'number' ? ` (quote it: "${value}")` : '';
      this.reader.report(path, `must be a string${hint} (got ${shown(value)})`);
      return undefined;
    }
    if (options.oneOf && !options.oneOf.includes(value as T)) {
      const advice = options.refusals?.[value];
      this.reader.report(path, advice ?? `must be one of ${options.oneOf.join(', ')} (got ${shown(value)})`);
      return undefined;
    }
    const formatProblem = options.format ? checkFormat(value, options.format) : undefined;
    if (formatProblem) {
      this.reader.report(path, `${formatProblem} (got ${shown(value)})`);
      return undefined;
    }
    return value as T;
  }

  /** Reads an integer field within bounds. */
  public integer(key: string, options: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    if (this.reader.recorder) {
      this.reader.recorder.field(this.at(key), { kind: 'integer', ...options });
      return options.min ?? 1;
    }
    const value = this.raw[key];
    const path = this.at(key);
    if (value === undefined || value === null) {
      if (options.required) this.reader.report(path, `is required: add "${key}" to ${this.path || 'the file'}`);
      return undefined;
    }
    const min = options.min ?? Number.MIN_SAFE_INTEGER;
    const max = options.max ?? Number.MAX_SAFE_INTEGER;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.reader.report(path, `must be a whole number from ${min} to ${max} (got ${shown(value)})`);
      return undefined;
    }
    return value;
  }

  /** Reads a boolean field. */
  public boolean(key: string): boolean | undefined {
    if (this.reader.recorder) {
      this.reader.recorder.field(this.at(key), { kind: 'boolean' });
      return false;
    }
    const value = this.raw[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') {
      this.reader.report(this.at(key), `must be true or false (got ${shown(value)})`);
      return undefined;
    }
    return value;
  }

  /** Reads a nested mapping with the given keys; `undefined` when absent or invalid. */
  public object(key: string, keys: readonly string[], options: { required?: boolean } = {}): Fields | undefined {
    if (this.reader.recorder) {
      this.reader.recorder.field(this.at(key), { kind: 'object', required: options.required });
      return this.reader.object({}, this.at(key), keys);
    }
    const value = this.raw[key];
    if (value === undefined || value === null) {
      if (options.required) this.reader.report(this.at(key), `is required: add "${key}" to ${this.path || 'the file'}`);
      return undefined;
    }
    return this.reader.object(value, this.at(key), keys);
  }

  /** Reads a list, mapping each item (items that read as `undefined` are dropped). */
  public list<T>(key: string, item: (value: unknown, path: string) => T | undefined, options: { required?: boolean; nonEmpty?: boolean } = {}): T[] {
    if (this.reader.recorder) {
      // One item, at index 0, stands for every item.
      this.reader.recorder.field(this.at(key), { kind: 'list', ...options });
      const read = item({}, joinPath(this.at(key), 0));
      return read === undefined ? [] : [read];
    }
    const value = this.raw[key];
    const path = this.at(key);
    if (value === undefined || value === null) {
      if (options.required) this.reader.report(path, `is required: add "${key}" to ${this.path || 'the file'}`);
      return [];
    }
    if (!Array.isArray(value)) {
      this.reader.report(path, `must be a list (got ${shown(value)})`);
      return [];
    }
    if (options.nonEmpty && value.length === 0) this.reader.report(path, 'must list at least one entry');
    const out: T[] = [];
    value.forEach((v, i) => {
      const read = item(v, joinPath(path, i));
      if (read !== undefined) out.push(read);
    });
    return out;
  }

  /** Reads a list of strings with an optional format. */
  public strings(key: string, options: { required?: boolean; nonEmpty?: boolean; format?: StringFormat } = {}): string[] {
    if (this.reader.recorder) {
      this.reader.recorder.field(this.at(key), { kind: 'strings', ...options });
      return [options.format ? FORMAT_SAMPLES[options.format] : 'a'];
    }
    return this.list(
      key,
      (v, path) => {
        if (typeof v !== 'string') {
          this.reader.report(path, `must be a string (got ${shown(v)})`);
          return undefined;
        }
        const formatProblem = options.format ? checkFormat(v, options.format) : undefined;
        if (formatProblem) {
          this.reader.report(path, `${formatProblem} (got ${shown(v)})`);
          return undefined;
        }
        return v;
      },
      options,
    );
  }
}

/** Returns why `value` is not of `format`, or `undefined` when it is. */
export function checkFormat(value: string, format: StringFormat): string | undefined {
  switch (format) {
    case 'dns-label':
      return DNS1123_LABEL.test(value) && value.length <= 63
        ? undefined
        : 'must be a DNS-1123 label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit';
    case 'duration':
      return durationProblem(value);
    case 'https-url':
      return urlProblem(value, 'api-server');
    case 'chart-url':
      return urlProblem(value, 'chart-repository');
    case 'git-url':
      return urlProblem(value, 'git');
    case 'host':
      return /^[A-Za-z0-9]([-A-Za-z0-9.:]*[A-Za-z0-9])?$/.test(value) ? undefined : 'must be an IP address or DNS name';
  }
}

/** The allowed word nearest to `word`, if it is a plausible typo of it. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
