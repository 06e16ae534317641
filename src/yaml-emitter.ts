/**
 * A small YAML emitter for manifests: byte-identical to js-yaml's
 * `dump(value, { noRefs: true, lineWidth: -1 })`, about ten times faster.
 *
 * The structure (block mappings and sequences, `{}` and `[]` for empty ones, two-space
 * indentation with sequences indented under their key) is written here. How a scalar is
 * written (plain, quoted, which words need quotes) is js-yaml's decision: each distinct
 * scalar is dumped by js-yaml once and remembered for the life of the emitter. A value
 * outside what this emitter knows (a multi-line string, `undefined`, a non-plain object)
 * makes it hand the whole document to js-yaml, so the output never depends on the shortcut.
 */
import { dump } from 'js-yaml';

const OPTIONS = { noRefs: true, lineWidth: -1 } as const;

/** Thrown inside the emitter for values it leaves to js-yaml. */
class Unsupported extends Error {}

/** Serializes manifests; one instance per rendering run (its scalar memo is not shared). */
export class YamlEmitter {
  private readonly scalars = new Map<string | number, string>();

  /** The YAML text of `value`, exactly as js-yaml's `dump` with `noRefs` and `lineWidth: -1`. */
  public dump(value: unknown): string {
    try {
      return `${this.root(value)}\n`;
    } catch (e) {
      if (e instanceof Unsupported) return dump(value, OPTIONS);
      throw e;
    }
  }

  private root(value: unknown): string {
    if (isCollection(value) && !isEmpty(value)) return Array.isArray(value) ? this.sequence(value, 0, true) : this.mapping(value as Record<string, unknown>, 0, true);
    // A top-level scalar may need a document marker or other top-level rules: not ours.
    throw new Unsupported();
  }

  /** Block mapping at `level`; `compact`: the first pair continues the current line. */
  private mapping(map: Record<string, unknown>, level: number, compact: boolean): string {
    const indent = `\n${'  '.repeat(level)}`;
    let out = '';
    for (const key of Object.keys(map)) {
      const value = map[key];
      if (value === undefined) throw new Unsupported();
      if (key.includes('\n')) throw new Unsupported();
      const text = this.scalar(key, level + 1);
      // js-yaml writes a key over 1024 characters as an explicit `? ` pair.
      if (text.length > 1024) throw new Unsupported();
      const head = (compact && out === '' ? '' : indent) + text;
      out += head + this.value(value, level + 1, false, ': ', ':');
    }
    return out;
  }

  /** Block sequence at `level`. */
  private sequence(items: readonly unknown[], level: number, compact: boolean): string {
    const indent = `\n${'  '.repeat(level)}`;
    let out = '';
    for (const item of items) {
      if (item === undefined) throw new Unsupported();
      out += (compact && out === '' ? '' : indent) + this.value(item, level + 1, true, '- ', '-');
    }
    return out;
  }

  /**
   * A mapping value or sequence item written at `level`, after `inline` (`: ` / `- `) when
   * it stays on the line, or after `bare` (`:` / `-`) when it starts on the next line.
   */
  private value(value: unknown, level: number, inSequence: boolean, inline: string, bare: string): string {
    if (isCollection(value)) {
      if (isEmpty(value)) return inline + (Array.isArray(value) ? '[]' : '{}');
      // Items of a sequence start on the dash's line; values of a mapping on the next line.
      const body = Array.isArray(value) ? this.sequence(value, level, inSequence) : this.mapping(value as Record<string, unknown>, level, inSequence);
      return (body.charCodeAt(0) === 10 ? bare : inline) + body;
    }
    return inline + this.scalar(value, level);
  }

  /**
   * A scalar as js-yaml writes it inside a block collection, as a mapping value or sequence
   * item at `level` (level 1: the items of a top-level collection).
   *
   * js-yaml's choice of style does not depend on the level below the top (`shiftOfContent`
   * only matters at column 0), so the text js-yaml gives for the scalar as the item of a
   * top-level sequence is the text at every level, except that the lines of a literal block
   * (`|`) are indented by two spaces per level.
   */
  private scalar(value: unknown, level: number): string {
    if (value === null) return 'null';
    if (value === true) return 'true';
    if (value === false) return 'false';
    if (typeof value !== 'string' && typeof value !== 'number') throw new Unsupported();
    // A Map does not tell -0 from 0 (js-yaml writes -0.0): -0 is never remembered.
    let text = Object.is(value, -0) ? undefined : this.scalars.get(value);
    if (text === undefined) {
      const item = dump([value], OPTIONS);
      if (!item.startsWith('- ')) throw new Unsupported();
      text = item.slice(2, -1);
      // A block scalar with keep chomping (`|+`) ends the document open: not ours.
      if (text.includes('\n') && !/^\|[0-9]?-?\n/.test(text)) throw new Unsupported();
      if (!Object.is(value, -0)) this.scalars.set(value, text);
    }
    return level === 1 || !text.includes('\n') ? text : text.replace(/\n {2}/g, `\n${'  '.repeat(level)}`);
  }
}

function isCollection(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new Unsupported();
  return true;
}

function isEmpty(value: object): boolean {
  if (Array.isArray(value)) return value.length === 0;
  for (const key in value) if (Object.prototype.hasOwnProperty.call(value, key)) return false;
  return true;
}
