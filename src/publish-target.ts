/**
 * Deciding whether meshfleet may publish into a directory: refusals by path (the working
 * directory, a repository root, the topology file's directory, ...), by kind (not a real
 * directory) and by ownership (a directory with files meshfleet did not write).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GENERATED_MARK, MANIFEST, MARKER_DIR, parseManifest } from './publish-marker';

/** A publish meshfleet refuses or cannot do; the message says why and what to do. Exit 1. */
export class PublishError extends Error {}

/** Where a publish is going, and what to keep away from. */
export interface TargetOptions {
  /** The output directory as the user named it (used in messages). */
  readonly out: string;
  /** The working directory, which the output may be neither equal to nor contain. @default process.cwd() */
  readonly cwd?: string;
  /** The topology file, which the output may not be, hold or contain. */
  readonly topology?: string;
  /** The cdk8s CLI's scratch directory (only under `cdk8s synth`). */
  readonly scratch?: string;
}

/** Who owns the files of an existing output directory. */
export interface Ownership {
  /** Files meshfleet wrote there (from the manifest, or every file of an adopted directory). */
  readonly files: ReadonlySet<string>;
  /** How ownership was established. */
  readonly source: 'absent' | 'manifest' | 'adopted';
}

const FOREIGN_SHOWN = 10;

/**
 * Throws a {@link PublishError} when `options.out` must not be published into because of
 * where it is or what it is. Reads the file system, changes nothing.
 */
export function refuseTarget(options: TargetOptions): void {
  const cwd = options.cwd ?? process.cwd();
  const target = path.resolve(cwd, options.out);
  const refuse = (why: string, fix = 'name a dedicated output directory such as dist') => {
    throw new PublishError(`meshfleet: refusing to publish into ${options.out}: ${why}; ${fix}`);
  };
  const stat = lstatOrUndefined(target);
  if (stat?.isSymbolicLink()) refuse('it is a symbolic link, which meshfleet neither follows nor replaces', 'name the real directory instead');
  const real = realpathOfPrefix(target);
  const cwdReal = fs.realpathSync(cwd);
  if (contains(real, cwdReal)) refuse(real === cwdReal ? 'it is the working directory' : 'it contains the working directory');
  if (stat && fs.existsSync(path.join(target, '.git'))) refuse('it is the root of a git repository');
  if (options.topology !== undefined) {
    const topology = realpathOfPrefix(path.resolve(cwd, options.topology));
    if (real === topology) refuse('it is the topology file');
    if (real === path.dirname(topology)) refuse('it is the directory that holds the topology file');
    if (contains(real, topology)) refuse('it contains the topology file');
  }
  if (options.scratch !== undefined) {
    const scratch = realpathOfPrefix(path.resolve(cwd, options.scratch));
    if (contains(real, scratch) || contains(scratch, real)) {
      refuse(`it is${real === scratch ? '' : contains(real, scratch) ? ' a parent of' : ' inside'} the cdk8s CLI's scratch directory ${options.scratch} (\`output:\` in cdk8s.yaml), which the cdk8s CLI deletes before every run`, 'set MESHFLEET_OUT to a dedicated directory such as dist');
    }
  }
  if (stat && !stat.isDirectory()) refuse(`it is ${kindOf(stat)}, not a directory`, 'remove it or name another output directory');
  for (let dir = path.dirname(real); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, MANIFEST))) refuse(`it is inside ${dir}, another output directory of meshfleet`, 'publish into that directory, or into one outside it');
  }
}

/**
 * Reads who owns the files of `dir`: the manifest if there is one; otherwise the directory
 * must be absent, empty, or hold only files that carry meshfleet's generated-by line (output
 * of a meshfleet older than the marker), else a {@link PublishError} names the others.
 */
export function readOwnership(dir: string, shownAs: string): Ownership {
  if (!lstatOrUndefined(dir)) return { files: new Set(), source: 'absent' };
  const manifest = path.join(dir, MANIFEST);
  let text: string | undefined;
  try {
    text = fs.readFileSync(manifest, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new PublishError(`meshfleet: cannot read the marker ${path.join(shownAs, MANIFEST)} (${(e as NodeJS.ErrnoException).code}); make it a readable file`);
    }
  }
  if (text !== undefined) {
    try {
      return { files: new Set(parseManifest(text)), source: 'manifest' };
    } catch (e) {
      throw new PublishError(`meshfleet: ${path.join(shownAs, MANIFEST)}: ${(e as Error).message}; restore it from git (it lists the files meshfleet wrote)`);
    }
  }
  const files = new Set<string>();
  const foreign: string[] = [];
  walk(dir, (file, stat) => {
    if (file === MARKER_DIR) return false;
    if (stat.isDirectory()) return true;
    if (stat.isFile() && carriesMark(path.join(dir, file))) files.add(file);
    else foreign.push(stat.isFile() ? file : `${file} (${kindOf(stat)})`);
    return false;
  });
  if (foreign.length) {
    const shown = foreign.sort().slice(0, FOREIGN_SHOWN).map((f) => `\n  ${path.join(shownAs, f)}`).join('');
    const more = foreign.length > FOREIGN_SHOWN ? `\n  ... and ${foreign.length - FOREIGN_SHOWN} more` : '';
    throw new PublishError(
      `meshfleet: refusing to publish into ${shownAs}: it holds ${foreign.length} file${foreign.length === 1 ? '' : 's'} meshfleet did not write` +
        `${shown}${more}\nmeshfleet publishes only into an absent or empty directory, or one it wrote (marked by ${MANIFEST}); name a dedicated output directory`,
    );
  }
  return { files, source: 'adopted' };
}

/**
 * Visits every entry below `dir` without following symbolic links, in sorted order;
 * `visit` returns true to descend into a directory.
 */
export function walk(dir: string, visit: (file: string, stat: fs.Stats) => boolean): void {
  const pending = [''];
  while (pending.length) {
    const rel = pending.pop()!;
    const names = fs.readdirSync(path.join(dir, rel)).sort().reverse();
    for (const name of names) {
      const file = rel ? `${rel}/${name}` : name;
      const stat = fs.lstatSync(path.join(dir, file));
      if (visit(file, stat) && stat.isDirectory()) pending.push(file);
    }
  }
}

/** True when the first bytes of a regular file carry meshfleet's generated-by line. */
export function carriesMark(file: string): boolean {
  let fd: number | undefined;
  try {
    // O_NONBLOCK: if the file was swapped for a FIFO since it was listed, do not hang.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    if (!fs.fstatSync(fd).isFile()) return false;
    const head = Buffer.alloc(512);
    const length = fs.readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, length).toString('utf8').includes(GENERATED_MARK);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Describes a non-directory for messages: `a regular file`, `a FIFO`, ... */
export function kindOf(stat: fs.Stats): string {
  if (stat.isFile()) return 'a regular file';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  return 'a device';
}

/** lstat, or undefined when nothing is there. */
export function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** True when `outer` is `inner` or one of its ancestors (both absolute, normalized). */
function contains(outer: string, inner: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** The real path of the longest existing prefix of `file`, with the rest appended. */
function realpathOfPrefix(file: string): string {
  const rest: string[] = [];
  let cursor = file;
  for (;;) {
    try {
      return path.join(fs.realpathSync(cursor), ...rest);
    } catch {
      const parent = path.dirname(cursor);
      if (parent === cursor) return file;
      rest.unshift(path.basename(cursor));
      cursor = parent;
    }
  }
}
