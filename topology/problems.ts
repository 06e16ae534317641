/**
 * Topology problems: what is wrong, where, and how to report it.
 */

import { compareCodePoints } from './compare';

/** A position in the topology file (1-based). */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** One thing wrong with a topology file. */
export interface Problem {
  /** Path of the offending value, e.g. `clusters[2].network`. */
  readonly path: string;
  /** Lowercase, no trailing period: what is wrong and how to fix it. */
  readonly message: string;
  readonly position?: SourcePosition;
  /** The file the problem is in, when it is not the topology file itself (a values file, a patch). */
  readonly file?: string;
}

/**
 * Thrown by `loadTopology` when the file has problems; carries every one of them.
 *
 * `message` is the full multi-line report, one line per problem:
 * `topology.yaml:12:14: clusters[2].network: must be a DNS-1123 label … (got "Net_1")`.
 */
export class TopologyError extends Error {
  public readonly problems: readonly Problem[];
  public readonly file: string;

  constructor(file: string, problems: readonly Problem[]) {
    super(formatProblems(file, problems));
    this.name = 'TopologyError';
    this.file = file;
    this.problems = problems;
  }
}

/** Formats problems one per line, sorted by position, for humans and CI logs. */
export function formatProblems(file: string, problems: readonly Problem[]): string {
  const sorted = [...problems].sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.position?.line ?? 0) - (b.position?.line ?? 0) ||
      (a.position?.column ?? 0) - (b.position?.column ?? 0) ||
      compareCodePoints(a.path, b.path),
  );
  const lines = sorted.map((p) => {
    const where = p.position ? `${p.file ?? file}:${p.position.line}:${p.position.column}` : p.file ?? file;
    return `${where}: ${p.path || '(top level)'}: ${p.message}`;
  });
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return `${file}: ${count}\n${lines.join('\n')}`;
}

/** Renders a value the user wrote, for `(got …)` suffixes. */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
