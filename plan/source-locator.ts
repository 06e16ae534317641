/**
 * Turns a plan's name-keyed {@link SourceRef}s into the topology file's own paths and
 * `file:line:col`, from the topology text.
 */
import type { SourceRef } from './model';
import { parseSource, SourceDocument } from '../topology/source';

/** Where a topology entry is written. */
export interface SourceLocation {
  /** The path as problems print it: `services[3].consumers[0]`. */
  readonly path: string;
  /** `file:line:col`, when the entry is in the file (a defaulted entry is not). */
  readonly at?: string;
}

/** Resolves {@link SourceRef}s against one topology file. */
export class SourceLocator {
  private parsed?: SourceDocument;
  private readonly clusters = new Map<string, number>();
  private readonly services = new Map<string, number>();

  /**
   * @param text the topology text (already validated, or at least parsable); parsed on the
   *   first lookup, so a plan without changes does not pay for it
   * @param file the name to print in locations
   */
  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  private get source(): SourceDocument {
    if (this.parsed) return this.parsed;
    this.parsed = parseSource(this.text);
    const data = (this.parsed.data ?? {}) as { clusters?: unknown; services?: unknown };
    const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : []);
    list(data.clusters).forEach((c, i) => {
      if (typeof c.name === 'string' && !this.clusters.has(c.name)) this.clusters.set(c.name, i);
    });
    list(data.services).forEach((s, i) => {
      const key = `${String(s.namespace)}/${String(s.name)}`;
      if (!this.services.has(key)) this.services.set(key, i);
    });
    return this.parsed;
  }

  /** The file path and position of a ref; a ref naming nothing in this file keeps its own text and has no position. */
  public locate(ref: SourceRef): SourceLocation {
    const source = this.source;
    let known = true;
    const path = ref
      .replace(/^clusters\[([^\]]+)\]/, (whole, name: string) => {
        const i = this.clusters.get(name);
        if (i === undefined) known = false;
        return i === undefined ? whole : `clusters[${i}]`;
      })
      .replace(/^services\[([^\]]+)\]/, (whole, key: string) => {
        const i = this.services.get(key);
        if (i === undefined) known = false;
        return i === undefined ? whole : `services[${i}]`;
      });
    if (!known) return { path };
    // A defaulted entry (`trust` when the file has none) points at its closest written parent.
    for (let p = path; p; p = parent(p)) {
      const pos = source.valueAt.get(p);
      if (pos) return { path, at: `${this.file}:${pos.line}:${pos.column}` };
    }
    return { path };
  }

  /** `path (file:line:col)`, or the path alone. */
  public describe(ref: SourceRef): string {
    const { path, at } = this.locate(ref);
    return at ? `${path} (${at})` : path;
  }
}

function parent(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut <= 0 ? '' : path.slice(0, cut);
}
