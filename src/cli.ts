/**
 * The meshfleet command line: `synth`, `validate` and `check`. The only module (with
 * main.ts) that touches the file system, the environment or the process exit code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { synthesizeFleet } from '../clusters/fleet';
import { loadTopology, TopologyError } from '../topology';
import { OutputTree, writeTree } from './output';
import { publishTree, writeScratchPlaceholder } from './publish';
import { outputProblems } from './publish-check';
import { PublishError, refuseTarget } from './publish-target';
import { runPlan } from './plan-cli';

/** The bundled example `cdk8s synth` uses when no topology is named. */
export const DEFAULT_TOPOLOGY = 'examples/docs-multi-primary.yaml';
/** Where synthesized directories go by default. */
export const DEFAULT_OUT = 'dist';

/** Options shared by the commands. */
export interface CliOptions {
  readonly topology: string;
  readonly out: string;
}

const USAGE = `usage: meshfleet <command> [--topology FILE] [--out DIR]

commands:
  synth      validate the topology and replace DIR with one directory per cluster
  validate   validate the topology only; print every problem
  check      fail if DIR is not exactly what the topology synthesizes (stale output)
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
  const tree = synthesize(options.topology);
  const result = publishTree(tree, { ...target, log: (m) => process.stderr.write(`${m}\n`), onStep: testKillHook(env) });
  if (scratch) writeScratchPlaceholder(scratch, options.out, result.files);
  const clusters = new Set([...tree.keys()].filter((f) => f.includes('/')).map((f) => f.split('/')[0]));
  return `meshfleet: ${options.topology} -> ${options.out}/ (${tree.size} files, ${result.written} written, ${result.removed} removed; ${[...clusters].join(', ')})`;
}

/** `check`: lists the differences between `out` and what the topology synthesizes. */
export function staleFiles(options: CliOptions): string[] {
  return outputProblems(synthesize(options.topology), options.out);
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
  while (args.length) {
    const flag = args.shift();
    const value = args.shift();
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
        const stale = staleFiles(options);
        if (!stale.length) {
          process.stdout.write(`meshfleet: ${options.out}/ is up to date with ${options.topology}\n`);
          return 0;
        }
        process.stderr.write(`meshfleet: ${options.out}/ is stale; run \`npx cdk8s synth\` (or \`meshfleet synth\`) and commit:\n${stale.map((s) => `  ${s}`).join('\n')}\n`);
        return 1;
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
