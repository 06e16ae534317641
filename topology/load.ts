/**
 * The topology loader: text in, validated model out (or every problem at once).
 */
import { readFileSync } from 'node:fs';
import { TopologyError } from './problems';
import { Reader } from './reader';
import { validateTopology } from './rules';
import { readTopology } from './schema';
import { parseSource } from './source';
import { Topology } from './types';

/**
 * Parses and validates topology text. Pure: no I/O, no clock, no environment.
 *
 * @param text the YAML text of a `MeshTopology`
 * @param file the name to report problems against (`examples/mesh.yaml`)
 * @throws TopologyError listing every problem, each with file:line:column and path
 */
export function parseTopology(text: string, file: string): Topology {
  const source = parseSource(text);
  if (source.syntaxProblems.length) throw new TopologyError(file, source.syntaxProblems);
  const reader = new Reader(source);
  const draft = readTopology(reader, source.data);
  const topology = draft ? validateTopology(draft, reader) : undefined;
  if (reader.problems.length || !topology) throw new TopologyError(file, reader.problems);
  return deepFreeze(topology);
}

/** Reads a topology file from disk and validates it (see {@link parseTopology}). */
export function loadTopology(file: string): Topology {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TopologyError(file, [{ path: '', message: `cannot read the topology file: ${(e as NodeJS.ErrnoException).code ?? String(e)}` }]);
  }
  return parseTopology(text, file);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
