/**
 * Scale benchmark: measures meshfleet against two floors on generated fleets and writes a
 * markdown report (see scripts/bench-report.ts for what it contains).
 *
 *   npm run bench -- [--sizes 10x100,30x300,100x1000,200x2000] [--repeat 3|3,3,1,1] [--name NAME]
 *                    [--out FILE] [--root CHECKOUT] [--no-cdk8s] [--work DIR]
 *
 * --repeat gives the runs per size (a list: one per size, the last repeating); --root
 * measures another checkout of meshfleet (e.g. an export of main, for a before/after).
 *
 * Writes bench/<name>.md (default name: today's date) unless --out names another file.
 * It measures; it asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generatedTopology } from './bench-fleet';
import { benchReport, Measure, Outcome, RunInfo, SizeResult } from './bench-report';

// The fleet generators, for tests that need a big topology.
export { generatedTopology, uniformTopology } from './bench-fleet';

const ROOT = path.resolve(__dirname, '..');
const RUSAGE_HOOK = path.join(__dirname, 'bench-rusage.js');
const TASKS = path.join(__dirname, 'bench-tasks.ts');

/** Options of {@link runBench}. */
export interface BenchOptions {
  /** Fleet sizes as [clusters, services]. */
  readonly sizes: ReadonlyArray<readonly [number, number]>;
  /** Runs per measurement, per size (the last one repeats for further sizes); the report shows medians. */
  readonly repeat: readonly number[];
  /**
   * The checkout to measure (its bin/meshfleet.js, and the working directory of
   * `npx cdk8s synth`); the harness and the floors always come from this one.
   * @default - this checkout
   */
  readonly root?: string;
  /** Report name (heading). */
  readonly name: string;
  /** Where the report goes. */
  readonly out: string;
  /** Whether to measure `npx cdk8s synth` too. */
  readonly cdk8s: boolean;
  /** Scratch directory (removed afterwards when the harness made it). */
  readonly work?: string;
  /** Progress lines go here. */
  readonly log?: (line: string) => void;
}

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly measure: Measure;
}

/**
 * Runs one command in a child process and measures it (all node processes it starts).
 *
 * The command runs under a `/bin/sh` that forks it instead of exec'ing it: Linux carries a
 * process' peak RSS over `execve`, so a command forked straight from this (large) process
 * would report this process' peak as its own.
 */
function measure(work: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Run {
  const record = path.join(work, `rusage-${process.hrtime.bigint()}.jsonl`);
  const start = process.hrtime.bigint();
  const child = spawnSync('/bin/sh', ['-c', '"$@"; exit $?', 'sh', command, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      CDK8S_CHECK_UPGRADE: 'false',
      ...env,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} -r ${RUSAGE_HOOK}`.trim(),
      MESHFLEET_BENCH_RUSAGE: record,
    },
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const usages = existsSync(record)
    ? readFileSync(record, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { user: number; sys: number; maxRss: number })
    : [];
  rmSync(record, { force: true });
  return {
    status: child.status ?? 1,
    stdout: child.stdout ?? '',
    stderr: child.stderr ?? String(child.error ?? ''),
    measure: {
      wallMs,
      userMs: usages.reduce((n, u) => n + u.user, 0) / 1000,
      sysMs: usages.reduce((n, u) => n + u.sys, 0) / 1000,
      rssMiB: Math.max(0, ...usages.map((u) => u.maxRss)) / 1024,
    },
  };
}

function mustSucceed(what: string, run: Run): Run {
  if (run.status !== 0) throw new Error(`bench: ${what} failed (exit ${run.status}):\n${run.stderr.slice(0, 2000)}`);
  return run;
}

/** A floor task: the process' peak RSS, with wall and CPU of its measured part only. */
function floor(work: string, task: string, objects: string, dir: string): Measure {
  rmSync(dir, { recursive: true, force: true });
  const run = mustSucceed(task, measure(work, process.execPath, ['-r', 'ts-node/register', TASKS, task, objects, dir]));
  const part = JSON.parse(run.stdout.trim().split('\n').pop()!) as Omit<Measure, 'rssMiB'>;
  rmSync(dir, { recursive: true, force: true });
  return { ...part, rssMiB: run.measure.rssMiB };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function medianOf(measures: readonly Measure[]): Measure {
  return {
    wallMs: median(measures.map((m) => m.wallMs)),
    userMs: median(measures.map((m) => m.userMs)),
    sysMs: median(measures.map((m) => m.sysMs)),
    rssMiB: median(measures.map((m) => m.rssMiB)),
  };
}

function outcomeOf(outcomes: readonly Outcome[]): Outcome {
  const skipped = outcomes.find((o) => 'skipped' in o);
  return skipped ?? medianOf(outcomes as Measure[]);
}

/** Every file under `dir`: relative path → [content hash, inode:mtime]. */
function snapshot(dir: string): Map<string, [string, string]> {
  const out = new Map<string, [string, string]>();
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      const abs = path.join(dir, child);
      if (entry.isDirectory()) walk(child);
      else {
        const st = statSync(abs);
        out.set(child, [createHash('sha1').update(readFileSync(abs)).digest('hex'), `${st.ino}:${st.mtimeMs}`]);
      }
    }
  };
  walk('');
  return out;
}

/** Commands `meshfleet help` lists (usage lines `  <command>  <text>`). */
function cliCommands(work: string, cli: string): Set<string> {
  const run = measure(work, process.execPath, [cli, 'help']);
  const usage = `${run.stdout}\n${run.stderr}`;
  return new Set([...usage.matchAll(/^ {2}([a-z][a-z-]*)\s/gm)].map((m) => m[1]));
}

/** `meshfleet <command>`, or a note why it was not measured. */
function cliCommand(work: string, cli: string, commands: ReadonlySet<string>, command: string, topology: string, out: string): Outcome {
  if (!commands.has(command)) return { skipped: `\`meshfleet ${command}\` does not exist yet (not in \`meshfleet help\`)` };
  let run = measure(work, process.execPath, [cli, command, '--topology', topology, '--out', out]);
  // A command without --out answers with its usage (exit 2): try the topology alone.
  if (run.status === 2) run = measure(work, process.execPath, [cli, command, '--topology', topology]);
  if (run.status !== 0) return { skipped: `exit ${run.status}: ${run.stderr.trim().split('\n')[0]?.slice(0, 200) ?? ''}` };
  return run.measure;
}

function benchSize(work: string, clusters: number, services: number, repeat: number, options: BenchOptions, commands: ReadonlySet<string>): SizeResult {
  const log = options.log ?? (() => undefined);
  const root = options.root ?? ROOT;
  const cli = path.join(root, 'bin', 'meshfleet.js');
  const dir = path.join(work, `${clusters}x${services}`);
  mkdirSync(dir, { recursive: true });
  const [topologyA, topologyB] = [path.join(dir, 'topology.yaml'), path.join(dir, 'topology-changed.yaml')];
  writeFileSync(topologyA, generatedTopology(clusters, services));
  writeFileSync(topologyB, generatedTopology(clusters, services, { changed: true }));
  const objects = path.join(dir, 'objects.ndjson');
  mustSucceed('prep', measure(work, process.execPath, ['-r', 'ts-node/register', TASKS, 'prep', topologyA, objects]));
  const out = path.join(dir, 'out');
  const runs: Array<Record<'synth' | 'floorYaml' | 'floorCdk8s', Measure> & Record<'resynth' | 'check' | 'plan' | 'cdk8sSynth', Outcome>> = [];
  let files = 0;
  let bytes = 0;
  let changedFiles = 0;
  let rewrittenFiles = 0;
  for (let i = 0; i < repeat; i++) {
    log(`${clusters}x${services} run ${i + 1}/${repeat}: synth`);
    rmSync(out, { recursive: true, force: true });
    const synth = mustSucceed('meshfleet synth', measure(work, process.execPath, [cli, 'synth', '--topology', topologyA, '--out', out])).measure;
    const before = snapshot(out);
    if (i === 0) {
      files = before.size;
      bytes = [...before.keys()].reduce((n, f) => n + statSync(path.join(out, f)).size, 0);
    }
    log(`${clusters}x${services} run ${i + 1}/${repeat}: re-synth after a one-service change`);
    const again = measure(work, process.execPath, [cli, 'synth', '--topology', topologyB, '--out', out]);
    const resynth: Outcome = again.status === 0 ? again.measure : { skipped: `exit ${again.status}: ${again.stderr.trim().split('\n')[0]}` };
    if (i === 0) {
      const after = snapshot(out);
      const keys = new Set([...before.keys(), ...after.keys()]);
      changedFiles = [...keys].filter((f) => before.get(f)?.[0] !== after.get(f)?.[0]).length;
      rewrittenFiles = [...after.keys()].filter((f) => before.get(f)?.[1] !== after.get(f)?.[1]).length;
    }
    log(`${clusters}x${services} run ${i + 1}/${repeat}: check, plan`);
    const check = cliCommand(work, cli, commands, 'check', topologyB, out);
    const plan = cliCommand(work, cli, commands, 'plan', topologyB, out);
    log(`${clusters}x${services} run ${i + 1}/${repeat}: floors`);
    const floorYaml = floor(work, 'floor-yaml', objects, path.join(dir, 'floor-yaml'));
    const floorCdk8s = floor(work, 'floor-cdk8s', objects, path.join(dir, 'floor-cdk8s'));
    let cdk8sSynth: Outcome = { skipped: 'not measured (--no-cdk8s)' };
    if (options.cdk8s) {
      log(`${clusters}x${services} run ${i + 1}/${repeat}: npx cdk8s synth`);
      const scratch = path.join(dir, 'cdk8s-out');
      const dist = path.join(dir, 'cdk8s-dist');
      const run = measure(work, 'npx', ['cdk8s', 'synth', '--output', scratch], { MESHFLEET_TOPOLOGY: topologyA, MESHFLEET_OUT: dist }, root);
      cdk8sSynth = run.status === 0 ? run.measure : { skipped: `exit ${run.status}: ${run.stderr.trim().split('\n')[0]}` };
      rmSync(scratch, { recursive: true, force: true });
      rmSync(dist, { recursive: true, force: true });
    }
    runs.push({ synth, resynth, check, plan, floorYaml, floorCdk8s, cdk8sSynth });
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    clusters, services, files, bytes, changedFiles, rewrittenFiles,
    synth: medianOf(runs.map((r) => r.synth)),
    floorYaml: medianOf(runs.map((r) => r.floorYaml)),
    floorCdk8s: medianOf(runs.map((r) => r.floorCdk8s)),
    resynth: outcomeOf(runs.map((r) => r.resynth)),
    check: outcomeOf(runs.map((r) => r.check)),
    plan: outcomeOf(runs.map((r) => r.plan)),
    cdk8sSynth: outcomeOf(runs.map((r) => r.cdk8sSynth)),
  };
}

function repeatAt(repeat: readonly number[], i: number): number {
  return repeat[Math.min(i, repeat.length - 1)];
}

function git(args: string[]): string {
  const run = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : 'unknown';
}

/** Runs the benchmark, writes the report and returns its text. */
export function runBench(options: BenchOptions): string {
  const work = options.work ?? mkdtempSync(path.join(os.tmpdir(), 'meshfleet-bench-'));
  mkdirSync(work, { recursive: true });
  try {
    const root = options.root ?? ROOT;
    const commands = cliCommands(work, path.join(root, 'bin', 'meshfleet.js'));
    const notes: string[] = [];
    for (const c of ['check', 'plan']) if (!commands.has(c)) notes.push(`\`meshfleet ${c}\` does not exist yet on this commit: skipped with a message.`);
    let cdk8sStartup: Outcome = { skipped: 'not measured (--no-cdk8s)' };
    if (options.cdk8s) {
      const startups = Array.from({ length: Math.max(...options.repeat) }, () => measure(work, 'npx', ['cdk8s', '--version'], {}, root));
      cdk8sStartup = startups.every((r) => r.status === 0) ? medianOf(startups.map((r) => r.measure)) : { skipped: 'npx cdk8s --version failed' };
    }
    const info: RunInfo = {
      name: options.name,
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      commit: options.root ? `${path.resolve(options.root)} (measured with the harness of ${git(['rev-parse', '--short', 'HEAD'])})` : `${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain']) ? ' (with uncommitted changes)' : ''}`,
      nproc: os.availableParallelism(),
      cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
      memoryGiB: os.totalmem() / 1024 ** 3,
      node: process.version,
      os: `${os.type()} ${os.release()}`,
      loadAverage: os.loadavg().map((l) => l.toFixed(2)).join(' '),
      repeat: options.sizes.map((_, i) => repeatAt(options.repeat, i)),
      cdk8sStartup,
      notes,
    };
    const results: SizeResult[] = [];
    let report = '';
    mkdirSync(path.dirname(options.out), { recursive: true });
    // The report is rewritten after each size, so a long run that is stopped keeps what it measured.
    options.sizes.forEach(([c, s], i) => {
      results.push(benchSize(work, c, s, repeatAt(options.repeat, i), options, commands));
      report = benchReport(info, results);
      writeFileSync(options.out, report);
    });
    return report;
  } finally {
    if (!options.work) rmSync(work, { recursive: true, force: true });
  }
}

/** Parses the command line (see the file comment). */
export function parseBenchArgs(argv: readonly string[], today = new Date().toISOString().slice(0, 10)): BenchOptions {
  const args = [...argv];
  let sizes: Array<[number, number]> = [[10, 100], [30, 300], [100, 1000], [200, 2000]];
  let repeat = [3];
  let name = today;
  let out: string | undefined;
  let cdk8s = true;
  let work: string | undefined;
  let root: string | undefined;
  while (args.length) {
    const flag = args.shift()!;
    const value = () => {
      const v = args.shift();
      if (v === undefined) throw new Error(`bench: ${flag} needs a value`);
      return v;
    };
    if (flag === '--sizes') {
      sizes = value().split(',').map((size) => {
        const m = /^(\d+)x(\d+)$/.exec(size.trim());
        if (!m) throw new Error(`bench: --sizes takes CLUSTERSxSERVICES[,…], e.g. 10x100,30x300 (got ${JSON.stringify(size)})`);
        return [Number(m[1]), Number(m[2])] as [number, number];
      });
    } else if (flag === '--repeat') {
      const given = value();
      repeat = given.split(',').map(Number);
      if (repeat.some((r) => !Number.isInteger(r) || r < 1)) throw new Error(`bench: --repeat takes a number of runs (at least 1), or one per size: 3,3,1 (got ${JSON.stringify(given)})`);
    } else if (flag === '--name') name = value();
    else if (flag === '--out') out = value();
    else if (flag === '--no-cdk8s') cdk8s = false;
    else if (flag === '--work') work = value();
    else if (flag === '--root') root = path.resolve(value());
    else throw new Error(`bench: unknown argument ${JSON.stringify(flag)}: use --sizes, --repeat, --name, --out, --root, --no-cdk8s or --work`);
  }
  return { sizes, repeat, name, out: out ?? path.join(ROOT, 'bench', `${name}.md`), cdk8s, work, root };
}

if (require.main === module) {
  try {
    const options = parseBenchArgs(process.argv.slice(2));
    runBench({ ...options, log: (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`) });
    process.stdout.write(`bench: report written to ${path.relative(process.cwd(), options.out)}\n`);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
