/**
 * The line edit script both diffs of the output are built from (`check`'s on-disk excerpt in
 * src/publish-check.ts and the in-memory MF010 diff in src/check/staleness.ts).
 */

/** One line of an edit script: kept (` `), only in the first text (`-`) or only in the second (`+`). */
export interface LineEdit {
  readonly op: ' ' | '-' | '+';
  readonly line: string;
}

/**
 * A shortest edit script from `x` to `y` by longest common subsequence (quadratic: callers
 * bound the input). On a tie a removal comes before an addition.
 */
export function lineEdits(x: readonly string[], y: readonly string[]): LineEdit[] {
  // lcs[i][j]: length of the longest common subsequence of x[i..] and y[j..]
  const lcs = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const edits: LineEdit[] = [];
  let [i, j] = [0, 0];
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      edits.push({ op: ' ', line: x[i] });
      i++;
      j++;
    } else if (j < y.length && (i === x.length || lcs[i][j + 1] > lcs[i + 1][j])) {
      edits.push({ op: '+', line: y[j++] });
    } else {
      edits.push({ op: '-', line: x[i++] });
    }
  }
  return edits;
}
