/**
 * Publishing a synthesized tree into an output directory meshfleet owns, writing only the
 * files whose content changed.
 *
 * The directory itself is never renamed or removed. A publish (1) stages the new contents
 * of the changed files in `.meshfleet/staging/`, (2) commits by writing the journal (the
 * list of directory creations, renames and removals) atomically, (3) applies the journal,
 * then (4) removes the staging area and the journal. A kill before (2) leaves the complete
 * old output (the next run removes the staged files); a kill after (2) leaves a journal that
 * the next run completes, since every operation in it can be repeated safely.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OutputTree } from './output';
import { isPlainRelativePath, JOURNAL, LOCK, MANIFEST, MARKER_DIR, STAGING, SYNTH_STATE, withMarker } from './publish-marker';
import { carriesMark, kindOf, lstatOrUndefined, PublishError, readOwnership, refuseTarget, TargetOptions, walk } from './publish-target';

/** How to publish; see {@link TargetOptions} for what is refused. */
export interface PublishOptions extends TargetOptions {
  /** Told of every step that changes the file system (tests kill the process at one). */
  readonly onStep?: (step: number, what: string) => void;
  /** Throws when a directory cannot be written. @default fs.accessSync(dir, W_OK | X_OK) */
  readonly checkWritable?: (dir: string) => void;
  /** Receives messages about recovered runs (the CLI prints them on stderr). @default - dropped */
  readonly log?: (message: string) => void;
  /**
   * Files that stay as they are: owned, already holding what the caller wants (it checked,
   * see src/synth-state.ts). They are listed in the manifest but neither read, written nor
   * removed. They must not be in the tree. @default - none
   */
  readonly unchanged?: ReadonlySet<string>;
  /**
   * Runs under the lock, once an interrupted publish is completed or rolled back and before
   * anything is planned or changed; a throw aborts the publish (nothing changed). @default - nothing
   */
  readonly beforePublish?: () => void;
  /** Runs once the output is published, before the lock is released. @default - nothing */
  readonly afterPublish?: () => void;
}

/** What a publish did. */
export interface PublishResult {
  /** Files in the output directory that meshfleet owns now (the marker included). */
  readonly files: number;
  /** Files written because they were new or their content changed. */
  readonly written: number;
  /** Files removed because the topology no longer produces them. */
  readonly removed: number;
}

/** One repeatable operation of a journal; paths are relative to the output directory. */
type Op = readonly ['mkdir', string] | readonly ['rename', string, string] | readonly ['unlink', string] | readonly ['rmdir', string];

const JOURNAL_VERSION = 1;
const CONFLICTS_SHOWN = 10;
const LOCK_ATTEMPTS = 100;

/**
 * Makes `options.out` hold exactly `tree` (plus the marker), leaving files meshfleet did not
 * write alone. Throws a {@link PublishError} (nothing changed) when the target is refused,
 * not writable, locked by a live run, or has files in the way.
 */
export function publishTree(tree: OutputTree, options: PublishOptions): PublishResult {
  refuseTarget(options);
  const dir = path.resolve(options.cwd ?? process.cwd(), options.out);
  const shown = options.out;
  const log = options.log ?? (() => undefined);
  let counter = 0;
  const step = (what: string) => options.onStep?.(++counter, what);
  const writable = (target: string) => {
    try {
      (options.checkWritable ?? ((d: string) => fs.accessSync(d, fs.constants.W_OK | fs.constants.X_OK)))(target);
    } catch (e) {
      const where = path.relative(dir, target) || '.';
      throw new PublishError(`meshfleet: cannot publish into ${shown}: ${where === '.' ? 'the directory' : where.startsWith('..') ? target : path.join(shown, where)} is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); make it writable and run again (nothing was changed)`);
    }
  };

  // Everything up to the lock only reads, so a refusal changes nothing.
  const ownership = readOwnership(dir, shown);
  if (ownership.source === 'absent') writable(nearestExisting(dir));
  else {
    writable(dir);
    if (lstatOrUndefined(path.join(dir, MARKER_DIR))) writable(path.join(dir, MARKER_DIR));
  }
  fs.mkdirSync(path.join(dir, MARKER_DIR), { recursive: true });
  const release = acquireLock(dir, shown, log);
  step('lock');
  try {
    recover(dir, shown, log, step);
    removeOldLeftovers(dir, shown, log, step);
    options.beforePublish?.();
    const unchanged = options.unchanged ?? new Set<string>();
    const full = withMarker(tree, unchanged);
    const plan = planPublish(full, unchanged, dir, shown, readOwnership(dir, shown).files);
    for (const target of plan.touchedDirs) writable(target);
    if (plan.ops.length) {
      // What synth remembered of the old output no longer holds (src/synth-state.ts).
      fs.rmSync(path.join(dir, SYNTH_STATE), { force: true });
      stage(dir, plan.writes, step);
      commit(dir, plan.ops);
      step('commit');
      apply(dir, plan.ops, step);
      finish(dir, step);
    }
    options.afterPublish?.();
    return { files: full.size + unchanged.size, written: plan.writes.length, removed: plan.removed };
  } catch (e) {
    if (e instanceof PublishError || !(e as NodeJS.ErrnoException).code) throw e;
    throw new PublishError(`meshfleet: publishing into ${shown} failed: ${(e as Error).message}; ${shown} holds the previous output or an interrupted publish, which the next synth completes or rolls back`);
  } finally {
    release();
  }
}

/**
 * Under `cdk8s synth`: the cdk8s CLI deletes its scratch directory before running the app
 * and fails when the app did not create it. One small file there (not a copy of the output)
 * keeps it working; the file names where the output went.
 */
export function writeScratchPlaceholder(scratch: string, out: string, files: number): void {
  fs.mkdirSync(scratch, { recursive: true });
  fs.writeFileSync(path.join(scratch, 'meshfleet-output.yaml'), `# meshfleet published ${files} files into ${out}/, not here: this is the cdk8s CLI's scratch directory.\n`);
}

/**
 * Completes or rolls back an interrupted publish of `dir` (caller holds the lock): a
 * committed journal is applied; staged files without a journal are removed.
 */
export function recover(dir: string, shown: string, log: (message: string) => void, step: (what: string) => void = () => undefined): void {
  const journal = path.join(dir, JOURNAL);
  if (fs.existsSync(journal)) {
    log(`meshfleet: ${shown} holds a publish that was interrupted after it was committed; completing it`);
    apply(dir, readJournal(journal, path.join(shown, JOURNAL)), step);
    finish(dir, step);
    return;
  }
  const leftovers = [STAGING, `${JOURNAL}.tmp`].filter((f) => lstatOrUndefined(path.join(dir, f)));
  if (leftovers.length) {
    log(`meshfleet: removing the staged files of an interrupted publish (${shown} still holds the previous output, complete)`);
    for (const f of leftovers) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
    step('roll back');
  }
}

/** Describes an interrupted publish of `dir` for `check`, or undefined when there is none. */
export function interruptedPublish(dir: string, shown: string): string | undefined {
  if (lstatOrUndefined(path.join(dir, JOURNAL))) return `interrupted: ${shown} holds a committed publish that was interrupted (${path.join(shown, JOURNAL)}); run synth to complete it`;
  if (lstatOrUndefined(path.join(dir, STAGING))) return `interrupted: ${shown} holds the staged files of an interrupted publish (${path.join(shown, STAGING)}); run synth to remove them`;
  return undefined;
}

interface Plan {
  readonly ops: Op[];
  readonly writes: ReadonlyArray<readonly [string, string]>;
  readonly removed: number;
  readonly touchedDirs: ReadonlySet<string>;
}

/** Compares the wanted tree with the directory; the journal that makes them equal. */
function planPublish(full: OutputTree, unchanged: ReadonlySet<string>, dir: string, shown: string, owned: ReadonlySet<string>): Plan {
  const dirs = new Map<string, 'dir' | 'absent' | 'blocked'>([['', 'dir']]);
  const conflicts: string[] = [];
  const mkdirs: string[] = [];
  const touched = new Set<string>();
  // The state of a directory of the output, its ancestors first; never follows a symlink.
  const dirState = (sub: string): 'dir' | 'absent' | 'blocked' => {
    const known = dirs.get(sub);
    if (known) return known;
    const parent = parentOf(sub);
    const parentState = dirState(parent);
    let state: 'dir' | 'absent' | 'blocked' = parentState;
    if (parentState === 'dir') {
      const stat = lstatOrUndefined(path.join(dir, sub));
      state = !stat ? 'absent' : stat.isDirectory() ? 'dir' : 'blocked';
      if (stat && state === 'blocked') conflicts.push(`${sub} (${kindOf(stat)} where meshfleet needs a directory)`);
    }
    if (state === 'absent') {
      mkdirs.push(sub);
      if (parentState === 'dir') touched.add(path.join(dir, parent));
    }
    dirs.set(sub, state);
    return state;
  };

  const writes: Array<readonly [string, string]> = [];
  for (const [file, content] of full) {
    const parent = parentOf(file);
    const state = dirState(parent);
    if (state === 'blocked') continue;
    if (state === 'absent') {
      writes.push([file, content]);
      continue;
    }
    const abs = path.join(dir, file);
    const stat = lstatOrUndefined(abs);
    if (stat && !owned.has(file) && !file.startsWith(`${MARKER_DIR}/`)) conflicts.push(`${file} (meshfleet did not write it)`);
    else if (stat?.isDirectory()) conflicts.push(`${file} (a directory where meshfleet writes a file)`);
    else if (!stat || !stat.isFile() || !sameContent(abs, stat, content)) {
      writes.push([file, content]);
      touched.add(path.join(dir, parent));
    }
  }
  if (conflicts.length) {
    const shownList = conflicts.slice(0, CONFLICTS_SHOWN).map((c) => `\n  ${path.join(shown, c)}`).join('');
    const more = conflicts.length > CONFLICTS_SHOWN ? `\n  ... and ${conflicts.length - CONFLICTS_SHOWN} more` : '';
    throw new PublishError(`meshfleet: refusing to publish into ${shown}: ${conflicts.length} path${conflicts.length === 1 ? ' is' : 's are'} in the way${shownList}${more}\nmove them away and run again (nothing was changed)`);
  }

  const needed = new Set<string>();
  for (const file of [...full.keys(), ...unchanged]) for (let d = parentOf(file); d && !needed.has(d); d = parentOf(d)) needed.add(d);
  const unlinks: string[] = [];
  const rmdirs = new Set<string>();
  for (const file of [...owned].sort()) {
    if (full.has(file) || unchanged.has(file) || dirState(parentOf(file)) !== 'dir') continue; // gone with its directory, or behind a symlink
    const stat = lstatOrUndefined(path.join(dir, file));
    if (!stat || stat.isDirectory()) continue; // already gone, or now the user's directory
    unlinks.push(file);
    touched.add(path.join(dir, parentOf(file)));
    for (let d = parentOf(file); d && !needed.has(d); d = parentOf(d)) rmdirs.add(d);
  }
  // mkdirs found while removing (a directory behind a missing parent) are not needed.
  const created = mkdirs.filter((d) => needed.has(d));
  const renames = writes.map(([file], index): Op => ['rename', `${STAGING}/${index}`, file]);
  const isManifest = (op: Op) => op[op.length - 1] === MANIFEST;
  const ops: Op[] = [
    ...created.map((d): Op => ['mkdir', d]),
    ...renames.filter((op) => !isManifest(op)),
    ...unlinks.map((f): Op => ['unlink', f]),
    ...[...rmdirs].sort((a, b) => depth(b) - depth(a) || (a < b ? -1 : 1)).map((d): Op => ['rmdir', d]),
    ...renames.filter(isManifest), // last: the marker lists the new files once they are all in place
  ];
  for (const d of rmdirs) touched.add(path.join(dir, parentOf(d)));
  touched.add(path.join(dir, MARKER_DIR));
  return { ops, writes, removed: unlinks.length, touchedDirs: touched };
}

function sameContent(file: string, stat: fs.Stats, content: string): boolean {
  const wanted = Buffer.from(content, 'utf8');
  if (stat.size !== wanted.length) return false;
  try {
    return fs.readFileSync(file).equals(wanted);
  } catch {
    return false; // unreadable: replace it (the rename needs the directory's permission only)
  }
}

function stage(dir: string, writes: ReadonlyArray<readonly [string, string]>, step: (what: string) => void): void {
  const staging = path.join(dir, STAGING);
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging);
  try {
    writes.forEach(([file, content], index) => {
      fs.writeFileSync(path.join(staging, String(index)), content);
      step(`stage ${file}`);
    });
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

/** The commit point: the journal appears whole (temporary file, fsync, rename) or not at all. */
function commit(dir: string, ops: readonly Op[]): void {
  const journal = path.join(dir, JOURNAL);
  const temporary = `${journal}.tmp`;
  const fd = fs.openSync(temporary, 'w');
  try {
    fs.writeSync(fd, `${JSON.stringify({ meshfleetJournal: JOURNAL_VERSION, ops })}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, journal);
  fsyncDir(path.dirname(journal));
}

function readJournal(file: string, shown: string): Op[] {
  const broken = (why: string) =>
    new PublishError(`meshfleet: ${shown} is damaged (${why}); the output may be half-published: remove ${shown} and the directory ${path.join(path.dirname(shown), 'staging')}, then run synth again`);
  let parsed: { meshfleetJournal?: unknown; ops?: unknown };
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw broken((e as Error).message);
  }
  if (parsed.meshfleetJournal !== JOURNAL_VERSION || !Array.isArray(parsed.ops)) throw broken('unknown format');
  for (const op of parsed.ops) {
    const ok =
      Array.isArray(op) &&
      ((op.length === 2 && ['mkdir', 'unlink', 'rmdir'].includes(op[0])) || (op.length === 3 && op[0] === 'rename')) &&
      op.slice(1).every((p: unknown) => typeof p === 'string' && isPlainRelativePath(p));
    if (!ok) throw broken(`bad operation ${JSON.stringify(op)}`);
  }
  return parsed.ops as Op[];
}

/** Applies a journal; every operation is skipped when it was already done. */
function apply(dir: string, ops: readonly Op[], step: (what: string) => void): void {
  for (const op of ops) {
    const target = path.join(dir, op[op.length - 1]);
    try {
      if (op[0] === 'mkdir') fs.mkdirSync(target);
      else if (op[0] === 'rename') {
        const from = path.join(dir, op[1]);
        if (lstatOrUndefined(from)) fs.renameSync(from, target);
      } else if (op[0] === 'unlink') fs.unlinkSync(target);
      else fs.rmdirSync(target);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const done = (op[0] === 'mkdir' && code === 'EEXIST') || (op[0] === 'unlink' && code === 'ENOENT') || (op[0] === 'rmdir' && ['ENOENT', 'ENOTEMPTY', 'EEXIST'].includes(code ?? ''));
      if (!done) throw e;
    }
    step(`${op[0]} ${op[op.length - 1]}`);
  }
}

function finish(dir: string, step: (what: string) => void): void {
  fs.rmSync(path.join(dir, STAGING), { recursive: true, force: true });
  step('remove staging');
  fs.rmSync(path.join(dir, JOURNAL), { force: true });
  step('remove journal');
}

/**
 * Takes `.meshfleet/lock` for this process (the pid is written first, then hard-linked into
 * place, so the lock never exists without its pid). A lock whose process is gone is taken over.
 */
function acquireLock(dir: string, shown: string, log: (message: string) => void): () => void {
  const lock = path.join(dir, LOCK);
  const mine = `${lock}.${process.pid}`;
  removeDeadLockTemporaries(path.dirname(lock));
  fs.writeFileSync(mine, `${process.pid}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(mine, lock);
        return () => {
          if (readPid(lock) === process.pid) fs.rmSync(lock, { force: true });
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = readPid(lock);
      if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
        throw new PublishError(`meshfleet: ${shown} is being published by another meshfleet run (pid ${holder}); wait for it to finish, then run again (if there is no such process, remove ${path.join(shown, LOCK)})`);
      }
      if (attempt >= LOCK_ATTEMPTS) throw new PublishError(`meshfleet: another meshfleet run is taking the lock ${path.join(shown, LOCK)} at the same time; run again`);
      if (takeOver(lock, holder)) log(`meshfleet: taking over the lock of a meshfleet run that no longer exists (pid ${holder ?? 'unknown'})`);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // another run is taking it over: look again
    }
  } finally {
    fs.rmSync(mine, { force: true });
  }
}

/**
 * Removes a lock whose holder is gone, if it still names that holder. One run at a time does
 * this (guarded by `lock.takeover`), so two runs that saw the same dead holder cannot both
 * remove the lock, the second one removing the lock the first has just taken.
 */
function takeOver(lock: string, deadHolder: number | undefined): boolean {
  const guard = `${lock}.takeover`;
  try {
    fs.writeFileSync(guard, `${process.pid}\n`, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const guardian = readPid(guard);
    if (guardian === undefined || !isAlive(guardian)) fs.rmSync(guard, { force: true });
    return false;
  }
  try {
    if (readPid(lock) !== deadHolder) return false;
    fs.rmSync(lock, { force: true });
    return true;
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

function removeDeadLockTemporaries(markerDir: string): void {
  for (const name of fs.readdirSync(markerDir)) {
    const pid = /^lock\.(\d+)$/.exec(name)?.[1];
    if (pid && !isAlive(Number(pid))) fs.rmSync(path.join(markerDir, name), { force: true });
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes `<out>.tmp-XXXXXX` and `<out>.tmp-XXXXXX.old` directories that meshfleet before
 * the journal left beside the output when it was killed, if all their files are generated.
 */
function removeOldLeftovers(dir: string, shown: string, log: (message: string) => void, step: (what: string) => void): void {
  const parent = path.dirname(dir);
  const pattern = new RegExp(`^${escapeRegExp(path.basename(dir))}\\.tmp-[A-Za-z0-9]{6}(\\.old)?$`);
  for (const name of fs.readdirSync(parent).filter((n) => pattern.test(n)).sort()) {
    const leftover = path.join(parent, name);
    if (!lstatOrUndefined(leftover)?.isDirectory() || !onlyGenerated(leftover)) continue;
    fs.rmSync(leftover, { recursive: true, force: true });
    log(`meshfleet: removed ${path.join(path.dirname(shown), name)}, left beside ${shown} by an interrupted run of an older meshfleet`);
    step(`remove ${name}`);
  }
}

function onlyGenerated(dir: string): boolean {
  let only = true;
  walk(dir, (file, stat) => {
    if (stat.isDirectory()) return true;
    if (!stat.isFile() || !carriesMark(path.join(dir, file))) only = false;
    return false;
  });
  return only;
}

function nearestExisting(file: string): string {
  let cursor = file;
  while (!lstatOrUndefined(cursor) && path.dirname(cursor) !== cursor) cursor = path.dirname(cursor);
  return cursor;
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function parentOf(file: string): string {
  const cut = file.lastIndexOf('/');
  return cut < 0 ? '' : file.slice(0, cut);
}

function depth(file: string): number {
  return file.split('/').length;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
