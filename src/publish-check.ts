/**
 * `check`: how an output directory differs from what the topology synthesizes, read without
 * following symbolic links and without opening anything but regular files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OutputTree } from './output';
import { interruptedPublish } from './publish';
import { MANIFEST, MARKER_DIR, parseManifest, withMarker } from './publish-marker';
import { lineEdits } from './line-edits';
import { kindOf, lstatOrUndefined, walk } from './publish-target';

const DIFF_LINES = 4;
const DIFF_WINDOW = 400;

/**
 * Lists the problems of `out` against `tree`: `missing:`, `differs:` (with the first
 * differing lines), `extra:` (a file meshfleet wrote that the topology no longer produces),
 * `not a regular file:`, `unreadable:` and `interrupted:`. Empty when up to date. Files
 * meshfleet did not write (not in the manifest) are not its business and are not listed.
 */
export function outputProblems(tree: OutputTree, out: string, cwd: string = process.cwd()): string[] {
  const dir = path.resolve(cwd, out);
  const full = withMarker(tree);
  const stat = lstatOrUndefined(dir);
  if (!stat) return [...full.keys()].map((f) => `missing: ${path.join(out, f)}`);
  if (!stat.isDirectory()) return [`not a directory: ${out} is ${kindOf(stat)}`];
  const problems: string[] = [];
  const interrupted = interruptedPublish(dir, out);
  if (interrupted) problems.push(interrupted);

  for (const [file, content] of full) {
    const shown = path.join(out, file);
    const found = readRegular(path.join(dir, file));
    if (found.kind === 'missing') problems.push(`missing: ${shown}`);
    else if (found.kind === 'other') problems.push(`not a regular file: ${shown} is ${found.what}`);
    else if (found.kind === 'unreadable') problems.push(`unreadable: ${shown} (${found.what})`);
    else if (found.kind === 'file' && !found.data.equals(Buffer.from(content, 'utf8'))) problems.push(`differs: ${shown} (- on disk, + synthesized)\n${diff(found.data.toString('utf8'), content)}`);
  }
  for (const file of ownedFiles(dir, problems, out)) {
    if (!full.has(file) && lstatOrUndefined(path.join(dir, file))) problems.push(`extra: ${path.join(out, file)}`);
  }
  return problems;
}

/** Files meshfleet wrote: the manifest's list, or (no manifest yet) every file but the marker's. */
function ownedFiles(dir: string, problems: string[], out: string): string[] {
  const manifest = readRegular(path.join(dir, MANIFEST));
  if (manifest.kind === 'file') {
    try {
      return parseManifest(manifest.data.toString('utf8'));
    } catch (e) {
      problems.push(`damaged: ${path.join(out, MANIFEST)}: ${(e as Error).message}`);
      return [];
    }
  }
  const files: string[] = [];
  try {
    walk(dir, (file, stat) => {
      if (file === MARKER_DIR) return false;
      if (!stat.isDirectory()) files.push(file);
      return stat.isDirectory();
    });
  } catch (e) {
    problems.push(`unreadable: ${out} (${(e as NodeJS.ErrnoException).code})`);
  }
  return files;
}

type Found = { kind: 'file'; data: Buffer } | { kind: 'missing' } | { kind: 'other' | 'unreadable'; what: string };

function readRegular(file: string): Found {
  let fd: number | undefined;
  try {
    const stat = lstatOrUndefined(file);
    if (!stat) return { kind: 'missing' };
    if (!stat.isFile()) return { kind: 'other', what: kindOf(stat) };
    // O_NONBLOCK and fstat: a file swapped for a FIFO after the lstat is reported, not waited on.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    const opened = fs.fstatSync(fd);
    if (!opened.isFile()) return { kind: 'other', what: kindOf(opened) };
    return { kind: 'file', data: fs.readFileSync(fd) };
  } catch (e) {
    return { kind: 'unreadable', what: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * A short unified-style excerpt: the first run of differing lines (found with a longest
 * common subsequence over the next few hundred lines), with the line number where it starts.
 */
export function diff(actual: string, expected: string): string {
  const a = actual.split('\n');
  const b = expected.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  const x = a.slice(start, start + DIFF_WINDOW);
  const y = b.slice(start, start + DIFF_WINDOW);
  // The first run of differing lines: edits up to the first line both keep again.
  const edits = lineEdits(x, y);
  const run = edits.slice(0, edits.findIndex((e) => e.op === ' ') + 1 || edits.length).filter((e) => e.op !== ' ');
  const removed = run.filter((e) => e.op === '-').map((e) => e.line);
  const added = run.filter((e) => e.op === '+').map((e) => e.line);
  const excerpt = (lines: string[], sign: string) => [
    ...lines.slice(0, DIFF_LINES).map((l) => `    ${sign}${l}`),
    ...(lines.length > DIFF_LINES ? [`    ${sign}... (${lines.length - DIFF_LINES} more lines)`] : []),
  ];
  return [`    @@ line ${start + 1} @@`, ...excerpt(removed, '-'), ...excerpt(added, '+')].join('\n');
}
