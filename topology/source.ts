/**
 * YAML parsing that remembers where every value came from.
 */
import { isMap, isScalar, isSeq, LineCounter, Node, parseDocument } from 'yaml';
import { Problem, SourcePosition } from './problems';

/** A parsed document: plain JS data plus the source position of every path in it. */
export interface SourceDocument {
  readonly data: unknown;
  /** Position of the value at a path (`clusters[2].network`). */
  readonly valueAt: ReadonlyMap<string, SourcePosition>;
  /** Position of the key that introduces a path, for "unknown key" reports. */
  readonly keyAt: ReadonlyMap<string, SourcePosition>;
  /** YAML syntax errors; when present, `data` must not be trusted. */
  readonly syntaxProblems: readonly Problem[];
}

/** Appends a map key to a path the way problems print it. */
export function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const safe = /^[A-Za-z_][\w-]*$/.test(key) ? key : JSON.stringify(key);
  return parent ? `${parent}.${safe}` : safe;
}

/** Parses YAML text, recording the position of each value and key by path. */
export function parseSource(text: string): SourceDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const syntaxProblems: Problem[] = [...doc.errors, ...doc.warnings].map((e) => ({
    path: '',
    message: `invalid YAML: ${e.message.split('\n')[0].toLowerCase()}`,
    position: position(e.pos[0]),
  }));

  const valueAt = new Map<string, SourcePosition>();
  const keyAt = new Map<string, SourcePosition>();
  const visit = (node: unknown, path: string): void => {
    if (!(node instanceof Object) || !('range' in (node as Node)) || !(node as Node).range) return;
    valueAt.set(path, position((node as Node).range![0]));
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const child = joinPath(path, key);
        if (isScalar(pair.key) && pair.key.range) keyAt.set(child, position(pair.key.range[0]));
        visit(pair.value, child);
        if (!valueAt.has(child) && keyAt.has(child)) valueAt.set(child, keyAt.get(child)!);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, joinPath(path, i)));
    }
  };
  visit(doc.contents, '');
  return { data: syntaxProblems.length ? undefined : doc.toJS(), valueAt, keyAt, syntaxProblems };
}
