/**
 * The meshfleet command line: `synth`, `validate` and `check`. The only module (with
 * main.ts) that touches the file system, the environment or the process exit code.
 */
import { lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { synthesizeFleet } from '../clusters/fleet';
import { loadTopology, TopologyError } from '../topology';
import { failsCheck, findingsJson, formatFindings, publishProblemFinding, runChecks, sortFindings, type Finding } from './check';
import { OutputTree, writeTree } from './output';
import { publishTree, writeScratchPlaceholder } from './publish';
import { outputProblems } from './publish-check';
import { runPlan } from './plan-cli';
import { MARKER_DIR } from './publish-marker';
import { PublishError, refuseTarget, walk } from './publish-target';

/** The bundled example `cdk8s synth` uses when no topology is named. */
export const DEFAULT_TOPOLOGY = 'examples/docs-multi-primary.yaml';
/** Where synthesized directories go by default. */
export const DEFAULT_OUT = 'dist';

/** Options shared by the commands. */
export interface CliOptions {
  readonly topology: string;
  readonly out: string;
}

const USAGE = `usage: meshfleet <command> [--topology FILE] [--out DIR] [-o text|json] [--strict]

commands:
  synth      validate the topology, check the result, and replace DIR with one directory per cluster
  validate   validate the topology only; print every problem
  check      check DIR: schemas and CEL rules, Helm values, Istio's analyzers, cross-cluster
             rules, staleness (exit 0 clean, 1 errors, 2 usage; --strict: warnings are errors)
  plan       preview what a topology change does, per cluster (\`meshfleet plan --help\`)

defaults: --topology $MESHFLEET_TOPOLOGY or ${DEFAULT_TOPOLOGY}, --out $MESHFLEET_OUT or ${DEFAULT_OUT}`;

/** Validates and synthesizes, returning the tree (nothing is written). */
export function synthesize(topologyFile: string): OutputTree {
  return synthesizeFleet(loadTopology(topologyFile));
}

/**
 * `synth`: validate, synthesize, then publish into `out`, writing only the files that
 * changed. `scratch` is the cdk8s CLI's scratch directory, given only under `cdk8s synth`.
 */
export function synthCommand(options: CliOptions, scratch?: string, env: NodeJS.ProcessEnv = {}): string {
  const target = { out: options.out, topology: options.topology, scratch };
  refuseTarget(target);
  const topology = loadTopology(options.topology);
  const tree = synthesizeFleet(topology);
  const findings = runChecks({ topology, output: tree, topologyFile: options.topology });
  if (failsCheck(findings)) throw new CheckFailed(findings);
  const result = publishTree(tree, { ...target, log: (m) => process.stderr.write(`${m}\n`), onStep: testKillHook(env) });
  if (scratch) writeScratchPlaceholder(scratch, options.out, result.files);
  const clusters = new Set([...tree.keys()].filter((f) => f.includes('/')).map((f) => f.split('/')[0]));
  return `meshfleet: ${options.topology} -> ${options.out}/ (${tree.size} files, ${result.written} written, ${result.removed} removed; ${[...clusters].join(', ')})`;
}

/** Thrown by `synth` when the synthesized output fails `check`; nothing was published. */
export class CheckFailed extends Error {
  constructor(public readonly findings: readonly Finding[]) {
    super('the synthesized output fails meshfleet check');
  }
}

/** `check`: lists the differences between `out` and what the topology synthesizes. */
export function staleFiles(options: CliOptions): string[] {
  return outputProblems(synthesize(options.topology), options.out);
}

/**
 * `check`: every finding for `out`: staleness against a fresh synth (read as the publisher
 * owns the directory: marker, manifest, no links followed), then every check of
 * src/check on the files as they are on disk.
 */
export function checkCommand(options: CliOptions): Finding[] {
  const topology = loadTopology(options.topology);
  const expected = synthesizeFleet(topology);
  const stale = outputProblems(expected, options.out).map((p) => publishProblemFinding(p, options.out));
  return sortFindings([...stale, ...runChecks({ topology, output: readOutputDir(options.out), topologyFile: options.topology })]);
}

/**
 * The regular files of an output directory (relative path → content), the publisher's
 * marker folder excepted; symbolic links are not followed. A missing directory reads as empty.
 */
export function readOutputDir(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  try {
    if (!lstatSync(dir).isDirectory()) return files;
    walk(dir, (file, stat) => {
      if (file === MARKER_DIR) return false;
      if (stat.isFile()) {
        try {
          files.set(file, readFileSync(path.join(dir, file), 'utf8'));
        } catch {
          // An unreadable file is reported by the staleness check (outputProblems).
        }
      }
      return stat.isDirectory();
    });
  } catch {
    // An unreadable directory is reported by the staleness check (outputProblems).
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Test-only: `MESHFLEET_TEST_KILL_AT=<n>` kills the process with SIGKILL at publish step n. */
function testKillHook(env: NodeJS.ProcessEnv): ((step: number) => void) | undefined {
  const at = Number(env.MESHFLEET_TEST_KILL_AT);
  if (!(at > 0)) return undefined;
  return (step) => {
    if (step === at) process.kill(process.pid, 'SIGKILL');
  };
}

/**
 * Parses argv (after the node and script names) and runs a command; returns the exit code.
 * `cdk8s.outdir` is the cdk8s CLI's scratch directory: main.ts passes it, the `meshfleet`
 * command never does (a CDK8S_OUTDIR left in the environment means nothing to it).
 */
export function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, cdk8s: { readonly outdir?: string } = {}): number {
  const args = [...argv];
  const command = args.shift();
  const options = {
    topology: env.MESHFLEET_TOPOLOGY || DEFAULT_TOPOLOGY,
    out: env.MESHFLEET_OUT || DEFAULT_OUT,
  };
  if (command === 'plan') return runPlan(args, options);
  let format: 'text' | 'json' = 'text';
  let strict = false;
  while (args.length) {
    const flag = args.shift();
    if (flag === '--strict') {
      strict = true;
      continue;
    }
    const value = args.shift();
    if ((flag === '-o' || flag === '--output') && (value === 'json' || value === 'text')) {
      format = value;
      continue;
    }
    if ((flag !== '--topology' && flag !== '--out') || !value) {
      process.stderr.write(`meshfleet: unexpected argument ${JSON.stringify(flag)}\n${USAGE}\n`);
      return 2;
    }
    options[flag === '--topology' ? 'topology' : 'out'] = value;
  }
  try {
    switch (command) {
      case 'synth':
        process.stdout.write(`${synthCommand(options, cdk8s.outdir, env)}\n`);
        return 0;
      case 'validate':
        // Builds in memory (writes nothing): own objects and patches are checked against the build.
        synthesize(options.topology);
        process.stdout.write(`meshfleet: ${options.topology} is valid\n`);
        return 0;
      case 'check': {
        const findings = checkCommand(options);
        const failed = failsCheck(findings, strict);
        if (format === 'json') process.stdout.write(findingsJson(findings, strict));
        else if (findings.length === 0) process.stdout.write(`meshfleet: ${options.out}/ is up to date with ${options.topology} and passes every check\n`);
        else (failed ? process.stderr : process.stdout).write(formatFindings(findings, strict));
        return failed ? 1 : 0;
      }
      default:
        process.stderr.write(`${USAGE}\n`);
        return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
    }
  } catch (e) {
    if (e instanceof PublishError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    const unchanged = command === 'synth' ? `\n${options.out}/ was left unchanged.` : '';
    if (e instanceof TopologyError) {
      process.stderr.write(`${e.message}${unchanged}\n`);
      return 1;
    }
    if (e instanceof CheckFailed) {
      process.stderr.write(`${formatFindings(e.findings)}meshfleet: the synthesized output fails \`meshfleet check\`; fix the errors above.${unchanged}\n`);
      return 1;
    }
    process.stderr.write(`meshfleet: internal error: ${(e as Error).message}${unchanged}\n`);
    return 70;
  }
}

/** Writes a tree into a fresh temporary directory (for tests and `kubectl kustomize`). */
export function writeTempTree(tree: OutputTree): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshfleet-'));
  rmSync(dir, { recursive: true });
  writeTree(tree, dir);
  return dir;
}
