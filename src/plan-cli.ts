/**
 * `meshfleet plan` on the command line: its flags, and reading the baseline from a directory
 * or from Git. Like src/cli.ts, a module that does I/O; the planning itself is pure (plan/).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseAcknowledgements } from '../plan/guard-rails';
import { PlanBaseline, planCommand, PlanInputError } from '../plan/command';
import { PLAN_EXIT, PlanFormat } from '../plan/report';
import { readInputs, TopologyError } from '../topology';
import { directoryEntry, ReadFailure, referencedPaths, TopologyInputs } from '../topology/inputs';
import { parseSource } from '../topology/source';

/** Usage of `meshfleet plan`. */
export const PLAN_USAGE = `usage: meshfleet plan [--topology FILE] [--out DIR] [--against DIR | --against-ref GIT_REF]
                     [--format text|markdown|json] [--fail-on disruptive]
                     [--acknowledge CODE:SUBJECT]... [--acknowledgements FILE]

compares what the topology synthesizes with DIR (default: the output directory) or with the
output committed at GIT_REF, per cluster in mesh terms, then file by file.
exit: 0 no change, 1 changes, 2 error, 3 an unacknowledged disruptive change with --fail-on disruptive`;

/** Parses `plan`'s flags and runs it; returns the exit code. */
export function runPlan(args: readonly string[], defaults: { topology: string; out: string }): number {
  const options = { topology: defaults.topology, out: defaults.out, against: undefined as string | undefined, ref: undefined as string | undefined, format: 'text' as PlanFormat, failOn: undefined as 'disruptive' | undefined };
  const acknowledgements: string[] = [];
  const files: string[] = [];
  const rest = [...args];
  const fail = (message: string) => {
    process.stderr.write(`meshfleet plan: ${message}\n${PLAN_USAGE}\n`);
    return PLAN_EXIT.error;
  };
  while (rest.length) {
    const flag = rest.shift()!;
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${PLAN_USAGE}\n`);
      return PLAN_EXIT.unchanged;
    }
    const value = rest.shift();
    if (value === undefined) return fail(`${flag} needs a value`);
    switch (flag) {
      case '--topology':
        options.topology = value;
        break;
      case '--out':
        options.out = value;
        break;
      case '--against':
        options.against = value;
        break;
      case '--against-ref':
        options.ref = value;
        break;
      case '--format':
        if (value !== 'text' && value !== 'markdown' && value !== 'json') return fail(`--format must be text, markdown or json (got ${JSON.stringify(value)})`);
        options.format = value;
        break;
      case '--fail-on':
        if (value !== 'disruptive') return fail(`--fail-on must be disruptive (got ${JSON.stringify(value)})`);
        options.failOn = value;
        break;
      case '--acknowledge':
        acknowledgements.push(value);
        break;
      case '--acknowledgements':
        files.push(value);
        break;
      default:
        return fail(`unexpected argument ${JSON.stringify(flag)}`);
    }
  }
  if (options.against && options.ref) return fail('give --against or --against-ref, not both');
  try {
    const problems: string[] = [];
    const acks = parseAcknowledgements(acknowledgements, '--acknowledge');
    problems.push(...acks.problems);
    const all = [...acks.acknowledged];
    for (const file of files) {
      const parsed = parseAcknowledgements(readText(file, 'acknowledgements file').split('\n'), file);
      problems.push(...parsed.problems);
      all.push(...parsed.acknowledged);
    }
    if (problems.length) return fail(problems.join('\n'));
    const baseline = options.ref ? gitBaseline(options.ref, options.out, options.topology) : dirBaseline(options.against ?? options.out);
    const topologyText = readText(options.topology, 'topology file', true);
    const { output, code } = planCommand({
      topologyText,
      topologyFile: options.topology,
      topologyInputs: readInputs(topologyText, path.dirname(options.topology)),
      baseline,
      format: options.format,
      failOn: options.failOn,
      acknowledgements: all,
    });
    process.stdout.write(output);
    return code;
  } catch (e) {
    if (e instanceof TopologyError) process.stderr.write(`${e.message}\n`);
    else if (e instanceof PlanInputError) process.stderr.write(`meshfleet plan: ${e.message}\n`);
    else process.stderr.write(`meshfleet plan: internal error: ${(e as Error).message}\n`);
    return PLAN_EXIT.error;
  }
}

function readText(file: string, what: string, topology = false): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    if (topology) throw new TopologyError(file, [{ path: '', message: `cannot read the topology file: ${code}` }]);
    throw new PlanInputError(`cannot read the ${what} ${file}: ${code}`);
  }
}

/** The output directory as it is on disk (a missing directory is an empty baseline). */
export function dirBaseline(dir: string): PlanBaseline {
  const tree = new Map<string, string>();
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel)).sort()) {
      const child = rel ? `${rel}/${entry}` : entry;
      if (statSync(path.join(dir, child)).isDirectory()) walk(child);
      else tree.set(child, readFileSync(path.join(dir, child), 'utf8'));
    }
  };
  try {
    walk('');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new PlanInputError(`cannot read ${dir}: ${(e as Error).message}`);
  }
  return { label: `${dir.replace(/\/+$/, '')}/`, tree };
}

/**
 * The output committed at a Git ref (read with `git ls-tree` and `git cat-file --batch`), and
 * the topology file as committed there, for when the output holds no stored model.
 */
export function gitBaseline(ref: string, out: string, topologyFile: string): PlanBaseline {
  const git = (args: string[], input?: string): Buffer => {
    try {
      return execFileSync('git', args, { input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      const stderr = String((e as { stderr?: Buffer }).stderr ?? '').trim().split('\n')[0];
      throw new PlanInputError(`git ${args[0]} failed: ${stderr || (e as Error).message}; run plan inside the Git repository and name an existing ref`);
    }
  };
  const root = git(['rev-parse', '--show-toplevel']).toString().trim();
  const rel = (p: string) => path.relative(root, path.resolve(p)).split(path.sep).join('/');
  git(['rev-parse', '--verify', `${ref}^{commit}`]);
  const outRel = rel(out);
  const names = git(['ls-tree', '-r', '-z', '--name-only', ref, '--', `${outRel}/`]).toString().split('\0').filter(Boolean);
  const tree = new Map<string, string>();
  if (names.length) {
    const batch = git(['cat-file', '--batch'], names.map((n) => `${ref}:${n}`).join('\n') + '\n');
    let offset = 0;
    for (const name of names) {
      const eol = batch.indexOf(10, offset);
      const header = batch.subarray(offset, eol).toString();
      const size = Number(header.split(' ')[2]);
      tree.set(name.slice(outRel.length + 1), batch.subarray(eol + 1, eol + 1 + size).toString('utf8'));
      offset = eol + 1 + size + 1;
    }
  }
  const show = (file: string): string | undefined => {
    try {
      return execFileSync('git', ['show', `${ref}:${file}`], { stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 30 }).toString('utf8');
    } catch {
      return undefined;
    }
  };
  const topologyRel = rel(topologyFile);
  const topologyText = show(topologyRel);
  return { label: `git:${ref}:${outRel}/`, tree, topologyText, topologyInputs: topologyText === undefined ? undefined : gitInputs(topologyText, path.posix.dirname(topologyRel), show, (dir) => git(['ls-tree', '--name-only', ref, '--', `${dir}/`]).toString()) };
}

/** The files a committed topology refers to, as committed at the same ref (see `readInputs`). */
function gitInputs(text: string, base: string, show: (file: string) => string | undefined, list: (dir: string) => string): TopologyInputs {
  const source = parseSource(text);
  const files = new Map<string, string | ReadFailure>();
  const directories = new Map<string, readonly string[] | ReadFailure>();
  if (source.syntaxProblems.length) return { files, directories };
  const at = (p: string) => path.posix.normalize(path.posix.join(base, p));
  const read = (key: string, p: string) => files.set(key, show(at(p)) ?? { error: 'ENOENT' });
  const wanted = referencedPaths(source.data);
  for (const f of wanted.files) read(f, f);
  for (const d of wanted.directories) {
    const names = list(at(d))
      .split('\n')
      .filter(Boolean)
      .map((n) => path.posix.basename(n))
      .filter((n) => /\.ya?ml$/.test(n))
      .sort();
    directories.set(d, names);
    for (const n of names) read(directoryEntry(d, n), directoryEntry(d, n));
  }
  return { files, directories };
}
