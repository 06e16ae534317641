/**
 * Files a topology refers to (Helm values files, kustomize patches, directories of objects),
 * read at the I/O edge and handed to the pure loader.
 *
 * `referencedPaths` lists them from the parsed document; `loadTopology` (or a caller with its
 * own file system) reads them into {@link TopologyInputs}; `parseTopology` only looks them up.
 * Paths are written relative to the topology file's directory and used as written, so the
 * output never depends on where the checkout lives.
 */
import * as path from 'node:path';

/** Why a referenced file or directory could not be read (an errno code such as `ENOENT`). */
export interface ReadFailure {
  readonly error: string;
}

/** The contents of every file and directory a topology refers to, keyed by the path as written. */
export interface TopologyInputs {
  /** File path (relative to the topology) → text. Files of referenced directories are here too, as `<dir>/<name>`. */
  readonly files: ReadonlyMap<string, string | ReadFailure>;
  /** Directory path (relative to the topology) → names of the `.yaml`/`.yml` files directly inside it, sorted. */
  readonly directories: ReadonlyMap<string, readonly string[] | ReadFailure>;
}

/** No referenced files: what `parseTopology` sees when given none. */
export const NO_INPUTS: TopologyInputs = { files: new Map(), directories: new Map() };

/** Whether a looked-up input is a failure. */
export function isReadFailure(value: unknown): value is ReadFailure {
  return typeof value === 'object' && value !== null && 'error' in value;
}

/** The key of a file inside a referenced directory. */
export function directoryEntry(directory: string, name: string): string {
  return path.posix.join(directory, name);
}

/** Whether a written path is usable: relative, non-empty, `/`-separated. */
export function isRelativePath(p: string): boolean {
  return p.length > 0 && !path.posix.isAbsolute(p) && !path.win32.isAbsolute(p) && !p.includes('\\');
}

/**
 * The files and directories a parsed topology document refers to (best effort: a malformed
 * document lists what it can; reading it reports the rest).
 */
export function referencedPaths(data: unknown): { files: string[]; directories: string[] } {
  const files = new Set<string>();
  const directories = new Set<string>();
  const doc = record(data);
  const mesh = record(doc?.mesh);
  const scopes = [mesh, ...list(doc?.clusters).map(record)];
  for (const scope of scopes) {
    const istio = record(scope?.istio);
    for (const entries of Object.values(record(istio?.valuesFiles) ?? {})) for (const f of list(entries)) if (typeof f === 'string') files.add(f);
    for (const patch of list(scope?.patches)) {
      const file = record(patch)?.file;
      if (typeof file === 'string') files.add(file);
    }
    for (const object of list(scope?.objects)) {
      const dir = record(object)?.directory;
      if (typeof dir === 'string') directories.add(dir);
    }
  }
  const usable = (p: string) => isRelativePath(p);
  return { files: [...files].filter(usable).sort(), directories: [...directories].filter(usable).sort() };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
