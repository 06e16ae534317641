/**
 * The per-file table of a mutation run (scripts/mutation.sh): reads Stryker's incremental
 * reports (mutation-testing-report-schema JSON, one per batch) and prints a Markdown table
 * of each mutated file, then one line per batch with its run time.
 *
 *   node scripts/mutation-summary.mjs reports/mutation/*.json
 *
 * Score is Stryker's: (killed + timeout) / (killed + timeout + survived + no coverage).
 * Runtime errors (a mutant that makes a test file fail to load, e.g. a topology that no
 * longer parses at the top of a suite) and static mutants skipped by `ignoreStatic` are
 * outside the score, as in Stryker's own report; they get columns of their own.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const STATUSES = ['Killed', 'Survived', 'NoCoverage', 'Timeout', 'RuntimeError', 'CompileError', 'Ignored'];

/** @param {Record<string, number>} c */
function score(c) {
  const detected = c.Killed + c.Timeout;
  const valid = detected + c.Survived + c.NoCoverage;
  return valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(2)} %`;
}

const reports = process.argv.slice(2).filter((file) => file.endsWith('.json'));
if (reports.length === 0) {
  console.error('mutation-summary: no report given: pass reports/mutation/*.json (run npm run mutation first)');
  process.exit(1);
}

const rows = [];
const batches = [];
for (const report of reports) {
  const batch = path.basename(report, '.json');
  const { files } = JSON.parse(readFileSync(report, 'utf8'));
  const total = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  for (const [file, { mutants }] of Object.entries(files)) {
    const c = Object.fromEntries(STATUSES.map((s) => [s, 0]));
    for (const mutant of mutants) {
      c[mutant.status] = (c[mutant.status] ?? 0) + 1;
      total[mutant.status] = (total[mutant.status] ?? 0) + 1;
    }
    rows.push({ file, batch, c });
  }
  const secondsFile = report.replace(/\.json$/, '.seconds');
  const seconds = existsSync(secondsFile) ? Number(readFileSync(secondsFile, 'utf8')) : undefined;
  batches.push({ batch, total, seconds });
}

rows.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
console.log('| file | batch | mutants | killed | survived | no coverage | timeout | errors | static (ignored) | score |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const { file, batch, c } of rows) {
  const run = c.Killed + c.Survived + c.NoCoverage + c.Timeout + c.RuntimeError + c.CompileError;
  console.log(`| \`${file}\` | ${batch} | ${run} | ${c.Killed} | ${c.Survived} | ${c.NoCoverage} | ${c.Timeout} | ${c.RuntimeError + c.CompileError} | ${c.Ignored} | ${score(c)} |`);
}
console.log('');
// The run time is the last run's: an incremental rerun retests only what changed.
console.log('| batch | mutants | score | last run time |');
console.log('| --- | --- | --- | --- |');
for (const { batch, total: c, seconds } of batches) {
  const run = c.Killed + c.Survived + c.NoCoverage + c.Timeout + c.RuntimeError + c.CompileError;
  console.log(`| ${batch} | ${run} | ${score(c)} | ${seconds === undefined ? 'n/a' : `${Math.round(seconds)} s`} |`);
}
