/**
 * Check 5: the output is what the topology synthesizes (hand edits and stale output show
 * as a line diff).
 */
import type { Finding } from './finding';
import { lineEdits } from '../line-edits';
import type { Tree } from './output-objects';

/** Code of a stale, missing or extra file. */
export const STALE_CODE = 'MF010';

const MAX_DIFF_LINES = 40;

/** A unified-style line diff (`-` expected, `+` found), at most {@link MAX_DIFF_LINES} lines. */
export function lineDiff(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const [x, y] = [a.slice(start, endA), b.slice(start, endB)];
  const out: string[] = [`@@ line ${start + 1} @@`];
  if (x.length * y.length <= 250_000) {
    // LCS over the differing middle part only.
    out.push(...lineEdits(x, y).map((e) => `${e.op} ${e.line}`));
  } else {
    out.push(...x.map((l) => `- ${l}`), ...y.map((l) => `+ ${l}`));
  }
  return out.length > MAX_DIFF_LINES + 1 ? [...out.slice(0, MAX_DIFF_LINES + 1), `  ... (${out.length - MAX_DIFF_LINES - 1} more lines)`].join('\n') : out.join('\n');
}

/** One finding per file that differs from, is missing from, or is not in what the topology synthesizes. */
export function staleFindings(expected: Tree, actual: Tree, topologyFile = 'the topology'): Finding[] {
  const findings: Finding[] = [];
  const fix = `run \`meshfleet synth\` and commit the result; to change the output, edit ${topologyFile}, not the files`;
  for (const [file, content] of expected) {
    const found = actual.get(file);
    if (found === undefined) {
      findings.push({ severity: 'error', code: STALE_CODE, message: 'missing: the topology synthesizes this file', cluster: file.split('/')[0], file, fix });
    } else if (found !== content) {
      findings.push({ severity: 'error', code: STALE_CODE, message: `differs from what the topology synthesizes (- synthesized, + found):\n${lineDiff(content, found)}`, cluster: file.split('/')[0], file, fix });
    }
  }
  for (const file of actual.keys()) {
    if (!expected.has(file)) findings.push({ severity: 'error', code: STALE_CODE, message: 'extra: the topology does not synthesize this file', cluster: file.split('/')[0], file, fix });
  }
  return findings;
}

/**
 * A problem of the publisher's on-disk comparison (src/publish-check.ts `outputProblems`:
 * `missing: <out>/<file>`, `differs: <out>/<file> (- on disk, + synthesized)` and its
 * indented diff, `extra: ...`, `interrupted: ...` ...) as an MF010 finding.
 */
export function publishProblemFinding(problem: string, out: string): Finding {
  const [first, ...diffLines] = problem.split('\n');
  const match = /^([a-z ]+): (.*)$/.exec(first);
  const what = match ? match[1] : 'stale';
  let rest = match ? match[2] : first;
  let file: string | undefined;
  const prefix = `${out.replace(/\/+$/, '')}/`;
  if (rest.startsWith(prefix)) {
    const cut = rest.indexOf(' ', prefix.length);
    file = cut < 0 ? rest.slice(prefix.length) : rest.slice(prefix.length, cut);
    rest = cut < 0 ? '' : rest.slice(cut + 1);
  }
  const detail = diffLines.map((l) => l.replace(/^ {4}/, ''));
  // With the file named by the finding, the first line keeps what happened and its detail;
  // a problem of the whole directory (interrupted, damaged ...) keeps its text as it is.
  const message = [file ? `${what}${rest ? ` ${rest}` : ''}` : first, ...detail].join('\n');
  return {
    severity: 'error',
    code: STALE_CODE,
    message,
    ...(file ? { cluster: file.split('/')[0], file } : {}),
    fix: 'run `meshfleet synth` (or `npx cdk8s synth`) and commit the result; to change the output, edit the topology, not the files',
  };
}
