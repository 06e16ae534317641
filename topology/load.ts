/**
 * The topology loader: text in, validated model out (or every problem at once).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { directoryEntry, NO_INPUTS, ReadFailure, referencedPaths, TopologyInputs } from './inputs';
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
 * @param inputs the files and directories the topology refers to (values files, patches,
 *   objects), read by the caller; see {@link referencedPaths}
 * @throws TopologyError listing every problem, each with file:line:column and path
 */
export function parseTopology(text: string, file: string, inputs: TopologyInputs = NO_INPUTS): Topology {
  const source = parseSource(text);
  if (source.syntaxProblems.length) throw new TopologyError(file, source.syntaxProblems);
  const reader = new Reader(source);
  const draft = readTopology(reader, source.data, inputs, file);
  const topology = draft ? validateTopology(draft, reader) : undefined;
  if (reader.problems.length || !topology) throw new TopologyError(file, reader.problems);
  return deepFreeze(topology);
}

/**
 * Reads a topology file from disk, and the files it refers to (values files, patches, object
 * directories, relative to its directory), and validates it (see {@link parseTopology}).
 */
export function loadTopology(file: string): Topology {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TopologyError(file, [{ path: '', message: `cannot read the topology file: ${(e as NodeJS.ErrnoException).code ?? String(e)}` }]);
  }
  return parseTopology(text, file, readInputs(text, path.dirname(file)));
}

/** Reads what a topology text refers to, relative to `base`; failures are recorded, not thrown. */
export function readInputs(text: string, base: string): TopologyInputs {
  const source = parseSource(text);
  if (source.syntaxProblems.length) return NO_INPUTS;
  const wanted = referencedPaths(source.data);
  const files = new Map<string, string | ReadFailure>();
  const directories = new Map<string, readonly string[] | ReadFailure>();
  const failure = (e: unknown): ReadFailure => ({ error: (e as NodeJS.ErrnoException).code ?? String(e) });
  const read = (rel: string) => {
    try {
      files.set(rel, readFileSync(path.join(base, rel), 'utf8'));
    } catch (e) {
      files.set(rel, failure(e));
    }
  };
  for (const rel of wanted.files) read(rel);
  for (const rel of wanted.directories) {
    try {
      const names = readdirSync(path.join(base, rel), { withFileTypes: true })
        .filter((d) => d.isFile() && /\.ya?ml$/.test(d.name))
        .map((d) => d.name)
        .sort();
      directories.set(rel, names);
      for (const name of names) read(directoryEntry(rel, name));
    } catch (e) {
      directories.set(rel, failure(e));
    }
  }
  return { files, directories };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
