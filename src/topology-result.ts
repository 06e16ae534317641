/**
 * Loading a topology without exceptions: the library's entry point for callers that want
 * the problems as data (editors, CI bots, their own cdk8s apps).
 */
import { readFileSync } from 'node:fs';
import { parseTopology, Topology, TopologyError } from '../topology';

/** One problem of a topology file, located. */
export interface TopologyProblem {
  /** The file the problem is in, as it was named to the loader. */
  readonly file: string;
  /** 1-based line, when the problem has a place in the file. */
  readonly line?: number;
  /** 1-based column, when the problem has a place in the file. */
  readonly column?: number;
  /** Path of the offending value, e.g. `clusters[2].network`; empty for the whole file. */
  readonly path: string;
  /** What is wrong and how to fix it (lowercase, no trailing period). */
  readonly message: string;
}

/** A topology that passed every rule. */
export interface ValidTopology {
  /** Always true: narrow a {@link TopologyResult} with `if (result.ok)`. */
  readonly ok: true;
  /** The deeply readonly, defaulted model the constructs take. */
  readonly topology: Topology;
  /** Always empty. */
  readonly problems: readonly [];
}

/** A topology with problems. */
export interface InvalidTopology {
  /** Always false. */
  readonly ok: false;
  /** Never set: nothing may be built from a topology with problems. */
  readonly topology?: undefined;
  /** Every problem at once, sorted by position. */
  readonly problems: readonly TopologyProblem[];
}

/** What loading a topology gave: the validated model, or every problem at once. */
export type TopologyResult = ValidTopology | InvalidTopology;

/**
 * Parses and validates topology text; never throws for a problem of the topology.
 *
 * @param text the YAML text of a `meshfleet.dev/v1alpha1` `MeshTopology`
 * @param file the name problems are reported against
 * @returns the deeply readonly, defaulted model, or every problem sorted by position
 */
export function validateTopologyText(text: string, file: string): TopologyResult {
  try {
    return { ok: true, topology: parseTopology(text, file), problems: [] };
  } catch (e) {
    if (e instanceof TopologyError) return { ok: false, problems: toProblems(e) };
    throw e;
  }
}

/**
 * Reads a topology file and validates it (see {@link validateTopologyText}). An unreadable
 * file is a problem too, not an exception.
 */
export function validateTopologyFile(file: string): TopologyResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, problems: [{ file, path: '', message: `cannot read the topology file: ${(e as NodeJS.ErrnoException).code ?? String(e)}` }] };
  }
  return validateTopologyText(text, file);
}

/** The problems a {@link TopologyError} carries, located and sorted like its message. */
export function toProblems(error: TopologyError): TopologyProblem[] {
  return error.problems
    .map((p) => ({ file: error.file, ...(p.position ? { line: p.position.line, column: p.position.column } : {}), path: p.path, message: p.message }))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.path.localeCompare(b.path));
}
