/**
 * What `synth` remembers about its last publish, so the next run can skip the clusters whose
 * output cannot have changed: `.meshfleet/cache/state.json` beside the output (ignored by git
 * through its own `.meshfleet/cache/.gitignore`; never part of the output).
 *
 * Per cluster it holds the input fingerprint the files were built from
 * (src/cluster-fingerprint.ts), the layers that held objects (Flux wiring reads them), every
 * file's size, modification and change time and inode as published (like git's index), and
 * the few objects the cross-cluster checks read from a cluster they do not rebuild
 * (src/check/run-checks.ts, `fleetDigest`). A cluster is skipped only when its fingerprint
 * matches and every one of its files is exactly as published: same stat, changed before the
 * state was written (a file changed in the same clock tick as the state is never trusted).
 * Anything else (no state, a damaged one, another build, a changed or missing file, an
 * interrupted publish) means the cluster is built again.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OutputObject } from './check/output-objects';
import { SYNTH_STATE, SYNTH_STATE_DIR } from './publish-marker';

/** Directory of the state (inside the marker directory). */
export const STATE_DIR = SYNTH_STATE_DIR;
/** The state file. */
export const STATE_FILE = SYNTH_STATE;
const STATE_GITIGNORE = `${STATE_DIR}/.gitignore`;
const STATE_VERSION = 1;

/** A published file as `lstat` saw it: path, size, mtime (ms), ctime (ms), inode. */
export type FileRecord = readonly [string, number, number, number, number];

/** What the state keeps of one cluster. */
export interface ClusterRecord {
  readonly fingerprint: string;
  /** Applied layers that held objects (what a Flux host lists). */
  readonly layers: readonly string[];
  /** The cluster's files (its directory and fleet-wide subdirectories), sorted. */
  readonly files: readonly FileRecord[];
  /** The objects cross-cluster checks read from this cluster when it is not rebuilt. */
  readonly digest: readonly OutputObject[];
}

/** The whole state. */
export interface SynthState {
  readonly meshfleetState: typeof STATE_VERSION;
  readonly clusters: Readonly<Record<string, ClusterRecord>>;
}

/** A state read back, with the time it was written. */
export interface LoadedState {
  readonly state: SynthState;
  /** mtime (ms) of the state file: files changed at or after it are not trusted. */
  readonly writtenMs: number;
  /** Inode and size of the state file (a publish since has replaced or removed it). */
  readonly ino: number;
  readonly size: number;
}

/**
 * A hash of the running meshfleet code: every `.js`, `.ts` and `.json` file of the tree the
 * running module was loaded from (compiled `lib/` or the sources), and the versions of the
 * packages it depends on. A new build never reuses output of an old one.
 */
export function codeHash(packageRoot: string, runningFile: string): string {
  const hash = createHash('sha256');
  const lib = path.join(packageRoot, 'lib');
  const roots = runningFile.startsWith(lib + path.sep)
    ? [lib]
    : ['clusters', 'constructs', 'imports', 'plan', 'src', 'topology', 'index.ts', 'main.ts'].map((d) => path.join(packageRoot, d));
  const files: string[] = [];
  const visit = (p: string) => {
    const stat = fs.lstatSync(p, { throwIfNoEntry: false });
    if (stat?.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
    else if (stat?.isFile() && /\.(js|ts|json)$/.test(p) && !p.endsWith('.d.ts')) files.push(p);
  };
  roots.forEach(visit);
  for (const file of files.sort()) hash.update(`${path.relative(packageRoot, file)}\0`).update(fs.readFileSync(file)).update('\0');
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dep of Object.keys(pkg.dependencies ?? {}).sort()) {
    let version = 'unknown';
    try {
      version = (JSON.parse(fs.readFileSync(require.resolve(`${dep}/package.json`, { paths: [packageRoot] }), 'utf8')) as { version?: string }).version ?? version;
    } catch {
      // A package without an exported package.json: its name alone.
    }
    hash.update(`${dep}@${version}\0`);
  }
  return hash.digest('hex');
}

/** Reads the state of an output directory; undefined when absent, damaged or of another format. */
export function readState(dir: string): LoadedState | undefined {
  try {
    const file = path.join(dir, STATE_FILE);
    const stat = fs.lstatSync(file);
    if (!stat.isFile()) return undefined;
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as SynthState;
    if (state?.meshfleetState !== STATE_VERSION || typeof state.clusters !== 'object' || state.clusters === null) return undefined;
    return { state, writtenMs: stat.mtimeMs, ino: stat.ino, size: stat.size };
  } catch {
    return undefined;
  }
}

/** Removes the state (a publish that keeps none). */
export function removeState(dir: string): void {
  fs.rmSync(path.join(dir, STATE_DIR), { recursive: true, force: true });
}

/** Writes the state atomically (temporary file, then rename). */
export function writeState(dir: string, state: SynthState): void {
  const stateDir = path.join(dir, STATE_DIR);
  fs.mkdirSync(stateDir, { recursive: true });
  fs.writeFileSync(path.join(dir, STATE_GITIGNORE), '# meshfleet: what synth remembers to skip unchanged clusters; never commit it\n*\n');
  const file = path.join(dir, STATE_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(state));
  fs.renameSync(temporary, file);
}

/** The current record of files (sorted by path); a file that cannot be read is left out. */
export function fileRecords(dir: string, files: Iterable<string>): FileRecord[] {
  const out: FileRecord[] = [];
  for (const file of [...files].sort()) {
    const stat = fs.lstatSync(path.join(dir, file), { throwIfNoEntry: false });
    if (stat?.isFile()) out.push([file, stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino]);
  }
  return out;
}

/**
 * Whether every recorded file is still exactly as published: owned (in the manifest), a
 * regular file with the same size, times and inode, and changed before the state was written.
 */
export function filesUnchanged(dir: string, records: readonly FileRecord[], owned: ReadonlySet<string>, writtenMs: number): boolean {
  for (const [file, size, mtimeMs, ctimeMs, ino] of records) {
    if (!owned.has(file)) return false;
    const stat = fs.lstatSync(path.join(dir, file), { throwIfNoEntry: false });
    if (!stat?.isFile() || stat.size !== size || stat.mtimeMs !== mtimeMs || stat.ctimeMs !== ctimeMs || stat.ino !== ino) return false;
    if (stat.ctimeMs >= writtenMs) return false;
  }
  return true;
}
