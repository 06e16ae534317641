/**
 * The topology loader: text in, validated model out (or every problem at once).
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import * as path from 'node:path';
import { directoryEntry, NO_INPUTS, ReadFailure, referencedPaths, TopologyInputs } from './inputs';
import { TopologyError } from './problems';
import { Reader } from './reader';
import { validateTopology } from './rules';
import { readTopology } from './schema';
import { parseSource } from './source';
import { Topology } from './types';

/**
 * Largest topology file the loader reads (32 MiB). This bounds memory: a plain document
 * needs about 40 bytes per byte of text, one that has problems (or anchors) up to about 150
 * while every position is worked out; a compact 100,000-service fleet is about 15 MiB.
 */
export const MAX_TOPOLOGY_BYTES = 32 * 1024 * 1024;

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
 *
 * Only regular files of at most {@link MAX_TOPOLOGY_BYTES} are read: each is opened without
 * blocking and checked with `fstat` before a byte is read, so a FIFO, a device such as
 * `/dev/zero` or a directory is refused instead of hanging or exhausting memory.
 */
export function loadTopology(file: string): Topology {
  let text: string;
  try {
    text = readRegularFile(file);
  } catch (e) {
    throw new TopologyError(file, [{ path: '', message: readProblem(e) }]);
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
  const failure = (e: unknown): ReadFailure => ({ error: e instanceof FileRefused ? e.message : (e as NodeJS.ErrnoException).code ?? String(e) });
  const read = (rel: string) => {
    try {
      files.set(rel, readRegularFile(path.join(base, rel)));
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

/** A file refused before reading: its message says why (lowercase, for a problem). */
class FileRefused extends Error {}

function readProblem(e: unknown): string {
  return e instanceof FileRefused ? e.message : `cannot read the topology file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
}

/** Reads a regular file of at most {@link MAX_TOPOLOGY_BYTES}, refusing anything else before reading. */
function readRegularFile(file: string): string {
  // O_NONBLOCK: opening a FIFO with no writer must not hang (it is refused below).
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new FileRefused(`the topology must be a regular file, not ${fileKind(stat)}: name a YAML file`);
    if (stat.size > MAX_TOPOLOGY_BYTES) {
      throw new FileRefused(`the topology file is too large (${stat.size} bytes): the limit is ${MAX_TOPOLOGY_BYTES} bytes (32 MiB); split the fleet or write lists in flow style`);
    }
    // Read at most one byte past the limit: the file may grow after fstat.
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_TOPOLOGY_BYTES) + 1);
    let length = 0;
    for (let n; length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0; ) length += n;
    if (length > MAX_TOPOLOGY_BYTES) {
      throw new FileRefused(`the topology file is too large (more than ${MAX_TOPOLOGY_BYTES} bytes, 32 MiB): split the fleet or write lists in flow style`);
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

function fileKind(stat: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'a special file';
}

/** Freezes a model in place, iteratively: its depth and size never grow the call stack. */
function deepFreeze<T>(value: T): T {
  const pending: unknown[] = [value];
  while (pending.length) {
    const next = pending.pop();
    if (next && typeof next === 'object' && !Object.isFrozen(next)) {
      Object.freeze(next);
      for (const child of Object.values(next)) pending.push(child);
    }
  }
  return value;
}
