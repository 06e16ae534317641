/**
 * The meshfleet command line: `synth`, `validate`, `check`, `init`, `version` and `completion`.
 * The only module (with main.ts) that touches the file system, the environment, the clock
 * or the process exit code. Argument parsing is commander's; each command's handler is a
 * thin function below that delegates to pure code.
 *
 * Exit codes: 0 ok, 1 problems (topology problems, stale output, refused publish), 2 usage
 * errors, 70 internal errors. Publishing itself (refusals, marker, journal, lock) and the
 * comparison `check` makes live in src/publish*.ts.
 */
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { synthesizeFleet, synthesizeFleetWithLayers } from '../clusters/fleet';
import { planFleet } from '../plan/model';
import { loadTopology, MeshFacts, Topology, TopologyError } from '../topology';
import { DIGEST_KINDS, failsCheck, Finding, fleetDigest, formatFindings, OutputObject, outputObjects, publishProblemFinding, runChecks, runClusterwiseChecks, sortFindings } from './check';
import { fluxHostCluster } from '../constructs/flux-kubeconfig';
import { clusterFingerprints } from './cluster-fingerprint';
import { clusterOfFile, replaceClusters, selectClusters } from './cluster-selection';
import { COMPLETION_SHELLS, CompletionCommand, CompletionShell, completionScript } from './completion';
import { didYouMean } from './did-you-mean';
import { JSON_SCHEMA_FILE } from '../topology/json-schema';
import { STARTER_MODELS as INIT_MODELS, StarterModel as InitModel, starterTopology } from './init';
import { OutputTree, writeTree } from './output';
import { publishTree, writeScratchPlaceholder } from './publish';
import { outputProblems } from './publish-check';
import { MARKER_DIR } from './publish-marker';
import { lstatOrUndefined, PublishError, readOwnership, refuseTarget, walk } from './publish-target';
import { ClusterRecord, codeHash, fileRecords, filesUnchanged, LoadedState, readState, removeState, STATE_FILE, writeState } from './synth-state';
import { JOURNAL, STAGING } from './publish-marker';
import { runPlan } from './plan-cli';
import { toProblems, TopologyProblem } from './topology-result';
import { toYamlStream } from './yaml-stream';

/** The bundled example `cdk8s synth` uses when no topology is named. */
export const DEFAULT_TOPOLOGY = 'examples/docs-multi-primary.yaml';
/** Where synthesized directories go by default. */
export const DEFAULT_OUT = 'dist';
/** The `--out` value that writes one YAML stream to stdout instead of a directory. */
export const STDOUT = '-';

/** Options shared by the commands. */
export interface CliOptions {
  readonly topology: string;
  readonly out: string;
  /** Only these clusters' files (see `--cluster`). @default - every cluster */
  readonly clusters?: readonly string[];
}

/** A mistake in how the command was called: exit code 2. */
class UsageError extends Error {}

/** Validates and synthesizes, returning the tree (nothing is written). */
export function synthesize(topologyFile: string): OutputTree {
  return synthesizeFleet(loadTopology(topologyFile));
}

/** One difference between an output directory and what the topology synthesizes. */
export interface StaleFile {
  /** `missing`, `differs`, `extra`, `not a regular file`, `unreadable`, `damaged`, `interrupted`, ... */
  readonly state: string;
  /** The file's path, `--out` included; null when the problem is not about one file. */
  readonly file: string | null;
  /** The whole report line(s), as `check` prints them (`differs` adds the first differing lines). */
  readonly message: string;
}

/**
 * `check`'s staleness part: the differences between `out` and what the topology synthesizes
 * (for the selected clusters). `topology` and `expected` are passed when already at hand.
 */
export function staleEntries(options: CliOptions, topology = loadTopology(options.topology), expected = synthesizeFleet(topology, buildSelection(topology, options.clusters))): StaleFile[] {
  const names = clusterNames(topology);
  const selected = options.clusters ? new Set(options.clusters) : undefined;
  return outputProblems(expected, options.out)
    .map((message) => staleFile(message, options.out))
    .filter((s) => {
      if (!selected) return true;
      const rel = s.file === null ? '' : path.relative(path.normalize(options.out), s.file);
      // Problems of the directory itself stay; files count only when they are a selected cluster's.
      return rel === '' || rel.startsWith('..') ? true : selected.has(clusterOfFile(rel, names) ?? '');
    });
}

/**
 * What to build for a `--cluster` selection: only the selected clusters (and the fleet-wide
 * files), unless one of them is a Flux host of others (its `flux` layer lists theirs) or the
 * topology has fleet-wide patches; then every cluster.
 */
function buildSelection(topology: Topology, clusters: readonly string[] | undefined): { clusters?: ReadonlySet<string> } {
  if (!clusters || topology.mesh.patches.length) return {};
  const selected = new Set(clusters);
  const { delivery } = topology;
  if (delivery.flux && topology.clusters.some((c) => fluxHostCluster(delivery, c.name) !== c.name && selected.has(fluxHostCluster(delivery, c.name)))) return {};
  return { clusters: selected };
}

/** Splits one of `outputProblems`' reports into its state and file. */
function staleFile(message: string, out: string): StaleFile {
  const first = message.split('\n')[0];
  const cut = first.indexOf(': ');
  const state = cut < 0 ? first : first.slice(0, cut);
  const rest = cut < 0 ? '' : first.slice(cut + 2);
  const file = state === 'interrupted' ? null : rest.split(/ \(| is |: /)[0] || path.normalize(out);
  return { state, file, message };
}

/** {@link staleEntries} as `check` prints them. */
export function staleFiles(options: CliOptions): string[] {
  return staleEntries(options).map((s) => s.message);
}

/** Whether a file holds an object of a kind {@link fleetDigest} keeps (its name is `<kind>.<namespace>.<name>.yaml`). */
function isDigestFile(file: string): boolean {
  const kind = path.basename(file).split('.')[0];
  return [...DIGEST_KINDS].some((k) => k.toLowerCase() === kind);
}

/** A tree restricted to the `--cluster` selection (all of it without one). */
function only(topology: Topology, tree: OutputTree, clusters: readonly string[] | undefined): OutputTree {
  return clusters ? selectClusters(tree, clusterNames(topology), new Set(clusters)) : tree;
}

function clusterNames(topology: Topology): ReadonlySet<string> {
  return new Set(topology.clusters.map((c) => c.name));
}

/** Rejects `--cluster` names the topology does not have (usage error, with a suggestion). */
function checkClusterNames(topology: Topology, file: string, clusters: readonly string[] | undefined): void {
  const known = clusterNames(topology);
  for (const name of clusters ?? []) {
    if (known.has(name)) continue;
    const guess = didYouMean(name, known);
    throw new UsageError(`--cluster ${JSON.stringify(name)}: ${file} has no such cluster${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}; it has ${[...known].sort().join(', ')}`);
  }
}

/**
 * The files meshfleet wrote into `out` (its manifest), with their current content: what
 * `synth --cluster` keeps for the clusters it does not rewrite.
 */
function ownedTree(out: string): Map<string, string> {
  const dir = path.resolve(out);
  const files = new Map<string, string>();
  for (const file of [...readOwnership(dir, out).files].sort()) {
    if (file === MARKER_DIR || file.startsWith(`${MARKER_DIR}/`)) continue;
    const abs = path.join(dir, file);
    if (lstatSync(abs, { throwIfNoEntry: false })?.isFile()) files.set(file, readFileSync(abs, 'utf8'));
  }
  return files;
}

/** What `check` found: the stale files, and every finding (staleness included, as MF010). */
export interface CheckOutcome {
  readonly stale: readonly StaleFile[];
  readonly findings: readonly Finding[];
}

/**
 * `check`: staleness against a fresh synth (read as the publisher owns the directory: marker,
 * manifest, no links followed), then every check of src/check on the files as they are on
 * disk. With `--cluster`, only findings of those clusters (and fleet-wide ones) are kept.
 */
export function checkCommand(options: CliOptions, topology = loadTopology(options.topology), fix = fixCommand(options)): CheckOutcome {
  const stale = staleEntries(options, topology);
  const names = clusterNames(topology);
  const selected = options.clusters ? new Set(options.clusters) : undefined;
  // Cluster by cluster; with --cluster, only the selected clusters' files (and the fleet-wide
  // ones) are read whole, the others only for what cross-cluster checks read of them.
  const mine = (file: string) => !selected || !names.has(clusterOfFile(file, names) ?? '') || selected.has(clusterOfFile(file, names)!);
  const digests = selected ? fleetDigest(outputObjects(readOutputDir(options.out, (f) => !mine(f) && isDigestFile(f))).objects) : [];
  const findings = runClusterwiseChecks({ topology, output: readOutputDir(options.out, mine), digests }).findings
    .filter((f) => !selected || f.file === undefined || selected.has(clusterOfFile(f.file, names) ?? ''));
  const staleFindings = stale.map((s) => ({
    ...publishProblemFinding(s.message, options.out),
    fix: `run \`${fix}\` and commit the result; to change the output, edit the topology, not the files`,
  }));
  return { stale, findings: sortFindings([...staleFindings, ...findings]) };
}

/**
 * The regular files of an output directory (relative path → content), the publisher's
 * marker folder excepted; symbolic links are not followed. A missing directory reads as empty.
 * `wanted` picks the files read (by relative path). @default every file
 */
export function readOutputDir(dir: string, wanted: (file: string) => boolean = () => true): Map<string, string> {
  const files = new Map<string, string>();
  try {
    if (!lstatSync(dir).isDirectory()) return files;
    walk(dir, (file, stat) => {
      if (file === MARKER_DIR) return false;
      if (stat.isFile() && wanted(file)) {
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

/** Writes a tree into a fresh temporary directory (for tests and `kubectl kustomize`). */
export function writeTempTree(tree: OutputTree): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshfleet-'));
  rmSync(dir, { recursive: true });
  writeTree(tree, dir);
  return dir;
}

/** The one-line summary `synth` prints: clusters, objects, files, time. */
export function synthSummary(
  tree: OutputTree,
  out: string,
  clusters: readonly string[],
  seconds: number,
  changes?: { readonly written: number; readonly removed: number; readonly rebuilt?: number; readonly unchanged?: number },
): string {
  const objects = [...tree.keys()].filter((f) => f.endsWith('.yaml') && !f.endsWith('kustomization.yaml')).length;
  const names = clusters.length <= 8 ? ` (${clusters.join(', ')})` : '';
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const skip = changes?.rebuilt !== undefined ? `; ${changes.rebuilt} of ${changes.rebuilt + (changes.unchanged ?? 0)} clusters rebuilt, ${changes.unchanged ?? 0} unchanged` : '';
  const changed = changes ? ` (${changes.written} written, ${changes.removed} removed${skip})` : '';
  return `meshfleet: ${plural(clusters.length, 'cluster')}${names}, ${plural(objects, 'object')}, ${plural(tree.size, 'file')}${changed} -> ${out}/ in ${seconds.toFixed(2)} s`;
}

/** Quotes a command-line word for a POSIX shell when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** The `synth` command line that rewrites what `check` found stale, with check's own flags. */
export function fixCommand(flags: { readonly topology?: string; readonly out?: string; readonly clusters?: readonly string[] }): string {
  const words = ['npx', 'meshfleet', 'synth'];
  if (flags.topology !== undefined) words.push('--topology', flags.topology);
  if (flags.out !== undefined) words.push('--out', flags.out);
  for (const c of flags.clusters ?? []) words.push('--cluster', c);
  return words.map(shellWord).join(' ');
}

/** The directory of meshfleet's package.json (the checkout, or the installed package). */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'meshfleet') return dir;
    if (path.dirname(dir) === dir) throw new Error('cannot find the meshfleet package (its package.json)');
  }
}

/** The meshfleet package's version (from its package.json). */
export function version(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'meshfleet' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

/** The JSON `validate -o json` prints (documented in README.md, "Commands"). */
export interface ValidateReport {
  readonly kind: 'ValidateResult';
  readonly topology: string;
  readonly valid: boolean;
  readonly problems: readonly TopologyProblem[];
}

/** The JSON `check -o json` prints (documented in README.md, "Commands"). */
export interface CheckReport {
  readonly kind: 'CheckResult';
  readonly topology: string;
  readonly out: string;
  /** No topology problem and no stale file (other findings may remain: see `errors`). */
  readonly upToDate: boolean;
  readonly problems: readonly TopologyProblem[];
  readonly stale: readonly StaleFile[];
  /** Every finding of every check (staleness included, as MF010), `--strict` applied. */
  readonly findings: readonly Finding[];
  readonly errors: number;
  readonly warnings: number;
  /** The command that rewrites the stale files; null when there is nothing to fix that way. */
  readonly fix: string | null;
}

/** Output of a command: where `run` writes what. */
interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** The cdk8s CLI's scratch directory, under `cdk8s synth` only (main.ts passes it). */
  readonly scratch?: string;
  /** Whether stderr is a terminal (progress is shown only then). */
  readonly interactive?: boolean;
}

/** A fleet with at least this many clusters shows `synth` progress on an interactive stderr. */
export const PROGRESS_MIN_CLUSTERS = 20;

/**
 * `synth`'s progress reporter: phase lines on stderr for a large fleet when stderr is a
 * terminal (like kubectl and helm, nothing extra when it is not: CI logs stay clean).
 */
export function progressReporter(interactive: boolean, clusters: number, err: (text: string) => void): (phase: string) => void {
  if (!interactive || clusters < PROGRESS_MIN_CLUSTERS) return () => undefined;
  const started = process.hrtime.bigint();
  return (phase) => err(`meshfleet: ${phase} (${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s)\n`);
}

/** Flags as commander parsed them: absent unless given. */
interface Flags {
  readonly topology?: string;
  readonly out?: string;
  readonly cluster?: string[];
  readonly output?: 'text' | 'json';
  readonly quiet?: boolean;
  readonly strict?: boolean;
}

function resolve(flags: Flags, env: NodeJS.ProcessEnv): CliOptions {
  return {
    topology: flags.topology ?? (env.MESHFLEET_TOPOLOGY || DEFAULT_TOPOLOGY),
    out: flags.out ?? (env.MESHFLEET_OUT || DEFAULT_OUT),
    clusters: flags.cluster,
  };
}

function synthAction(flags: Flags, io: Io): number {
  const started = process.hrtime.bigint();
  const options = resolve(flags, io.env);
  const target = { out: options.out, topology: options.topology, scratch: io.scratch };
  try {
    // Refusals first: they need no topology and say more than its problems would.
    if (options.out !== STDOUT) refuseTarget(target);
    const topology = loadTopology(options.topology);
    checkClusterNames(topology, options.topology, options.clusters);
    const names = clusterNames(topology);
    const progress = progressReporter(io.interactive ?? false, names.size, io.err);
    if (options.out === STDOUT) {
      progress(`synthesizing ${names.size} clusters and ${topology.services.length} services`);
      const fresh = synthesizeFleet(topology);
      // What `check` would reject is never published (nor streamed).
      if (refused(runChecks({ topology, output: fresh, topologyFile: options.topology }), options.out, io)) return 1;
      io.out(toYamlStream(only(topology, fresh, options.clusters)));
      return 0;
    }
    let result: SynthResult;
    try {
      result = synthInto(options, topology, progress, io, true);
    } catch (e) {
      if (!(e instanceof SkipInvalidated)) throw e;
      // Another run published while this one built: build everything again.
      result = synthInto(options, topology, progress, io, false);
    }
    if (result === 'refused') return 1;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const written = options.clusters ? topology.clusters.map((c) => c.name).filter((c) => options.clusters!.includes(c)) : [...names];
    if (!flags.quiet) io.out(`${synthSummary(result.files, options.out, written, seconds, result.changes)}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof TopologyError)) throw e;
    io.err(`${e.message}${options.out === STDOUT ? '' : `\n${options.out}/ was left unchanged.`}\n`);
    return 1;
  }
}

/** Prints the findings when they fail the check (nothing is published then); returns whether they did. */
function refused(findings: readonly Finding[], out: string, io: Io): boolean {
  if (!failsCheck(findings)) return false;
  const unchanged = out === STDOUT ? '' : `\n${out}/ was left unchanged.`;
  io.err(`${formatFindings(findings)}meshfleet: the synthesized output fails \`meshfleet check\`; fix the errors above.${unchanged}\n`);
  return true;
}

/** The state changed between reading it and taking the publish lock. */
class SkipInvalidated extends Error {}

type SynthResult = 'refused' | { readonly files: OutputTree; readonly changes: { readonly written: number; readonly removed: number; readonly rebuilt?: number; readonly unchanged?: number } };

/**
 * `synth` into a directory. Clusters whose input fingerprint matches the one recorded with
 * their files, and whose files are exactly as published (src/synth-state.ts), are neither
 * built, rendered, checked nor written: their files stay as they are. Everything else is
 * built, checked (with the skipped clusters' recorded digests for the cross-cluster checks)
 * and published; the state is recorded under the publish lock.
 */
function synthInto(options: CliOptions, topology: Topology, progress: (phase: string) => void, io: Io, maySkip: boolean): SynthResult {
  const dir = path.resolve(options.out);
  const names = clusterNames(topology);
  const loaded = maySkip ? readState(dir) : undefined;
  // The fleet's model (large) is needed only while building: it goes out of scope after.
  const { prints, skipped, built } = ((): { prints: Map<string, string>; skipped: Map<string, ClusterRecord>; built: ReturnType<typeof synthesizeFleetWithLayers> } => {
    const facts = new MeshFacts(topology);
    const plan = planFleet(topology, facts);
    const fingerprints = clusterFingerprints(topology, plan, { version: version(), code: codeHash(packageRoot(), __filename) });
    const unchanged = loaded && !options.clusters ? skippableClusters(dir, options.out, topology, fingerprints, loaded) : new Map<string, ClusterRecord>();
    const toBuild = topology.clusters.map((c) => c.name).filter((c) => !unchanged.has(c));
    progress(`synthesizing ${unchanged.size ? `${toBuild.length} of ` : ''}${names.size} clusters and ${topology.services.length} services`);
    const layersOf = new Map([...unchanged].map(([c, r]) => [c, r.layers]));
    return { prints: fingerprints, skipped: unchanged, built: synthesizeFleetWithLayers(topology, { facts, plan, ...(unchanged.size ? { clusters: new Set(toBuild), layersOf } : {}) }) };
  })();
  const rebuilt = topology.clusters.map((c) => c.name).filter((c) => !skipped.has(c));
  let fresh = built.tree;
  progress(`checking ${fresh.size} files`);
  // Cluster by cluster (one cluster's objects at a time), with the digests of the skipped ones.
  const checked = runClusterwiseChecks({ topology, output: fresh, digests: [...skipped.values()].flatMap((r) => r.digest) });
  if (failsCheck(checked.findings)) {
    // The findings to show are those of the whole output.
    if (skipped.size) return synthInto(options, topology, progress, io, false);
    if (refused(runChecks({ topology, output: fresh, topologyFile: options.topology }), options.out, io)) return 'refused';
  }
  const selected = options.clusters ? new Set(options.clusters) : undefined;
  const tree = selected ? replaceClusters(ownedTree(options.out), fresh, names, selected) : fresh;
  if (selected) fresh = selectClusters(fresh, names, selected);
  const unchanged = new Set([...skipped.values()].flatMap((r) => r.files.map((f) => f[0])));
  let stateIntact = false;
  progress(`publishing into ${options.out}/`);
  const result = publishTree(tree, {
    out: options.out,
    topology: options.topology,
    scratch: io.scratch,
    unchanged,
    log: (m) => io.err(`${m}\n`),
    onStep: testKillHook(io.env),
    beforePublish: () => {
      // Every publish removes the state before it changes anything: the same state means no other run published since.
      const now = lstatOrUndefined(path.join(dir, STATE_FILE));
      stateIntact = now !== undefined && loaded !== undefined && now.ino === loaded.ino && now.mtimeMs === loaded.writtenMs && now.size === loaded.size;
      if (skipped.size && !stateIntact) throw new SkipInvalidated();
    },
    afterPublish: () => {
      // With --cluster, the other clusters' files stay as they were, and so do their records.
      const kept = selected ? (stateIntact ? loaded : undefined) : { state: { meshfleetState: 1 as const, clusters: Object.fromEntries(skipped) }, writtenMs: 0, ino: 0, size: 0 };
      recordState(dir, topology, names, prints, built.layers, fresh, checked.digests, kept);
    },
  });
  if (io.scratch) writeScratchPlaceholder(io.scratch, options.out, result.files);
  const files = new Map<string, string>([...fresh].map(([f]) => [f, '']));
  if (!selected) for (const f of unchanged) files.set(f, '');
  return { files, changes: { ...result, ...(loaded && !selected ? { rebuilt: rebuilt.length, unchanged: skipped.size } : {}) } };
}

/**
 * The clusters `synth` may leave as they are, with their records: fingerprint unchanged and
 * every file exactly as published, in a directory meshfleet owns by its manifest, with no
 * interrupted publish and no fleet-wide patch (which must match in some cluster).
 */
function skippableClusters(dir: string, shown: string, topology: Topology, prints: ReadonlyMap<string, string>, loaded: LoadedState): Map<string, ClusterRecord> {
  const skipped = new Map<string, ClusterRecord>();
  if (topology.mesh.patches.length || lstatOrUndefined(path.join(dir, JOURNAL)) || lstatOrUndefined(path.join(dir, STAGING))) return skipped;
  let owned: ReadonlySet<string>;
  try {
    const ownership = readOwnership(dir, shown);
    if (ownership.source !== 'manifest') return skipped;
    owned = ownership.files;
  } catch {
    return skipped; // publishTree reports it
  }
  for (const [name, fingerprint] of prints) {
    const record = Object.prototype.hasOwnProperty.call(loaded.state.clusters, name) ? loaded.state.clusters[name] : undefined;
    if (!record || record.fingerprint !== fingerprint || !Array.isArray(record.files) || !record.files.length) continue;
    if (filesUnchanged(dir, record.files, owned, loaded.writtenMs)) skipped.set(name, record);
  }
  return skipped;
}

/**
 * Records the state after a publish (under its lock): the rebuilt clusters' fingerprints,
 * layers, file stats and digests, and the other clusters' records as they were. Failing to
 * write it only costs the next run its skipping: the state is removed then.
 */
function recordState(
  dir: string,
  topology: Topology,
  names: ReadonlySet<string>,
  prints: ReadonlyMap<string, string>,
  layers: ReadonlyMap<string, readonly string[]>,
  fresh: OutputTree,
  digests: ReadonlyMap<string, readonly OutputObject[]>,
  previous: LoadedState | undefined,
): void {
  try {
    if (topology.mesh.patches.length) {
      removeState(dir);
      return;
    }
    const filesOf = new Map<string, string[]>();
    for (const file of fresh.keys()) {
      const cluster = clusterOfFile(file, names);
      if (cluster === undefined) continue;
      const list = filesOf.get(cluster);
      if (list) list.push(file);
      else filesOf.set(cluster, [file]);
    }
    const clusters: Record<string, ClusterRecord> = {};
    for (const c of topology.clusters) {
      const built = layers.get(c.name);
      if (built && filesOf.has(c.name)) {
        clusters[c.name] = { fingerprint: prints.get(c.name)!, layers: built, files: fileRecords(dir, filesOf.get(c.name)!), digest: digests.get(c.name) ?? [] };
      } else if (previous && Object.prototype.hasOwnProperty.call(previous.state.clusters, c.name)) {
        clusters[c.name] = previous.state.clusters[c.name];
      }
    }
    writeState(dir, { meshfleetState: 1, clusters });
  } catch {
    try {
      removeState(dir);
    } catch {
      // The next run finds a state whose files do not match, and builds again.
    }
  }
}

function validateAction(flags: Flags, io: Io): number {
  const { topology } = resolve(flags, io.env);
  let problems: readonly TopologyProblem[] = [];
  let error: TopologyError | undefined;
  try {
    // Builds in memory (writes nothing): own objects and patches are checked against the build.
    synthesize(topology);
  } catch (e) {
    if (!(e instanceof TopologyError)) throw e;
    error = e;
    problems = toProblems(e);
  }
  if (flags.output === 'json') {
    const report: ValidateReport = { kind: 'ValidateResult', topology, valid: !problems.length, problems };
    io.out(`${JSON.stringify(report, null, 2)}\n`);
  } else if (error) {
    io.err(`${error.message}\n`);
  } else if (!flags.quiet) {
    io.out(`meshfleet: ${topology} is valid\n`);
  }
  return problems.length ? 1 : 0;
}

function checkAction(flags: Flags, io: Io): number {
  const options = resolve(flags, io.env);
  const strict = flags.strict ?? false;
  const fix = fixCommand({ topology: flags.topology, out: flags.out, clusters: flags.cluster });
  let outcome: CheckOutcome = { stale: [], findings: [] };
  let problems: readonly TopologyProblem[] = [];
  let error: TopologyError | undefined;
  try {
    const topology = loadTopology(options.topology);
    checkClusterNames(topology, options.topology, options.clusters);
    outcome = checkCommand(options, topology, fix);
  } catch (e) {
    if (!(e instanceof TopologyError)) throw e;
    error = e;
    problems = toProblems(e);
  }
  const { stale } = outcome;
  const findings = outcome.findings.map((f) => (strict && f.severity === 'warning' ? { ...f, severity: 'error' as const } : f));
  const failed = problems.length > 0 || failsCheck(findings);
  if (flags.output === 'json') {
    const report: CheckReport = {
      kind: 'CheckResult',
      topology: options.topology,
      out: options.out,
      upToDate: !problems.length && !stale.length,
      problems,
      stale,
      findings,
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
      fix: stale.length ? fix : null,
    };
    io.out(`${JSON.stringify(report, null, 2)}\n`);
  } else if (error) {
    io.err(`${error.message}\n`);
  } else if (findings.length) {
    const stalePart = stale.length ? `meshfleet: ${options.out}/ is stale; run \`${fix}\` and commit\n` : '';
    (failed ? io.err : io.out)(`${formatFindings(findings)}${stalePart}`);
  } else if (!flags.quiet) {
    io.out(`meshfleet: ${options.out}/ is up to date with ${options.topology} and passes every check\n`);
  }
  return failed ? 1 : 0;
}

function initAction(flags: { model?: InitModel; file?: string; force?: boolean; quiet?: boolean }, io: Io): number {
  const model = flags.model ?? 'multi-primary';
  const file = flags.file ?? 'mesh.yaml';
  // The `$schema` comment names the schema shipped in this package, relative to the written file.
  const schemaFile = path.join(packageRoot(), JSON_SCHEMA_FILE);
  const schema = path.relative(path.dirname(path.resolve(file === STDOUT ? 'mesh.yaml' : file)), schemaFile).split(path.sep).join('/');
  const text = starterTopology({ model, schema });
  if (file === STDOUT) {
    io.out(text);
    return 0;
  }
  try {
    // 'wx' fails if the file exists, atomically (no check-then-write race); --force replaces it.
    writeFileSync(file, text, { flag: flags.force ? 'w' : 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.err(code === 'EEXIST'
      ? `meshfleet: ${file} already exists; pass --force to overwrite it, or --file to write another file\n`
      : `meshfleet: cannot write ${file} (${code ?? String(e)})\n`);
    return 1;
  }
  if (!flags.quiet) io.out(`meshfleet: wrote a ${model} topology to ${file}; next: npx meshfleet validate --topology ${shellWord(file)}\n`);
  return 0;
}

/** A parser for an option that may be given once (and, with `choices`, only these values). */
function once(choices?: readonly string[]) {
  return (value: string, previous: unknown) => {
    if (previous !== undefined) throw new InvalidArgumentError('given more than once; give it once');
    if (choices && !choices.includes(value)) throw new InvalidArgumentError(`must be one of ${choices.join(', ')}`);
    return value;
  };
}

const topologyOption = () =>
  new Option('-f, --topology <file>', `topology file (default: $MESHFLEET_TOPOLOGY or ${DEFAULT_TOPOLOGY})`).argParser(once());
const clusterOption = () =>
  new Option('--cluster <name>', "only this cluster's directories (repeatable); other files stay as they are").argParser(
    (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
  );
const outputOption = () => new Option('-o, --output <format>', 'output format: text or json').argParser(once(['text', 'json']));
const quietOption = () => new Option('-q, --quiet', 'print nothing on success');

/** The values completion offers for each option value, by long flag. */
const COMPLETION_VALUES: Readonly<Record<string, Pick<CompletionCommand['options'][number], 'value' | 'choices'>>> = {
  '--topology': { value: 'file' },
  '--out': { value: 'directory' },
  '--cluster': { value: 'word' },
  '--output': { value: 'word', choices: ['text', 'json'] },
  '--model': { value: 'word', choices: INIT_MODELS },
  '--file': { value: 'file' },
};

/** Builds the command tree; `result` receives each command's exit code. */
function program(io: Io, result: (code: number) => void): Command {
  // Errors read like every other meshfleet message: `meshfleet: unknown option '--x'`.
  const output = { writeOut: io.out, writeErr: io.err, outputError: (text: string, write: (t: string) => void) => write(`meshfleet: ${text.replace(/^error: /, '')}`) };
  const root = new Command('meshfleet')
    .description('Multi-cluster Istio meshes as per-cluster GitOps directories, from one topology file')
    .version(version(), '--version', 'print the version and exit')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    .showSuggestionAfterError(true)
    .showHelpAfterError("(run 'meshfleet --help' for usage)")
    .configureOutput(output)
    .exitOverride();
  const command = (name: string, description: string) =>
    root
      .command(name)
      .description(description)
      .helpOption('-h, --help', 'show help for this command')
      .showHelpAfterError(`(run 'meshfleet ${name} --help' for usage)`)
      .configureOutput(output)
      .exitOverride();

  command('synth', 'validate the topology and write one directory per cluster')
    .addOption(topologyOption())
    .addOption(new Option('--out <dir>', `output directory, or - for one YAML stream on stdout (default: $MESHFLEET_OUT or ${DEFAULT_OUT})`).argParser(once()))
    .addOption(clusterOption())
    .addOption(quietOption())
    .action((flags: Flags) => result(synthAction(flags, io)));
  command('validate', 'validate the topology only and print every problem')
    .addOption(topologyOption())
    .addOption(outputOption())
    .addOption(quietOption())
    .action((flags: Flags) => result(validateAction(flags, io)));
  command('check', 'check the output directory: schemas and CEL rules, Helm values, Istio analyzers, cross-cluster rules, staleness')
    .addOption(topologyOption())
    .addOption(new Option('--out <dir>', `output directory to check (default: $MESHFLEET_OUT or ${DEFAULT_OUT})`).argParser(once()))
    .addOption(clusterOption())
    .addOption(outputOption())
    .addOption(new Option('--strict', 'treat warnings as errors'))
    .addOption(quietOption())
    .action((flags: Flags) => result(checkAction(flags, io)));
  // Listed for help and completion; `run` hands `plan` to src/plan-cli.ts before parsing.
  command('plan', "preview what a topology change does, per cluster (run 'meshfleet plan --help')");
  command('init', 'write a commented starter topology')
    .addOption(new Option('--model <model>', `deployment model: ${INIT_MODELS.join(', ')} (default: multi-primary)`).argParser(once(INIT_MODELS)))
    .addOption(new Option('--file <file>', 'file to write, or - for stdout (default: mesh.yaml)').argParser(once()))
    .addOption(new Option('--force', 'overwrite the file if it exists'))
    .addOption(quietOption())
    .action((flags: { model?: InitModel; file?: string; force?: boolean; quiet?: boolean }) => result(initAction(flags, io)));
  command('version', 'print the version').action(() => {
    io.out(`${version()}\n`);
    result(0);
  });
  command('completion', 'print a shell completion script (source <(meshfleet completion bash))')
    .argument('<shell>', `one of ${COMPLETION_SHELLS.join(', ')}`, (value: string) => {
      if (!(COMPLETION_SHELLS as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${COMPLETION_SHELLS.join(', ')}`);
      return value;
    })
    .action((shell: CompletionShell) => {
      io.out(completionScript(shell, 'meshfleet', completionCommands(root)));
      result(0);
    });
  return root;
}

/** The command tree as completion sees it. */
function completionCommands(root: Command): CompletionCommand[] {
  const commands: CompletionCommand[] = root.commands.map((c) => ({
    name: c.name(),
    description: c.description(),
    options: [...c.options, c.createOption('-h, --help', 'show help for this command')].map((o) => ({
      flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
      description: o.description,
      ...(o.required || o.optional ? COMPLETION_VALUES[o.long ?? ''] ?? { value: 'word' as const } : {}),
    })),
    ...(c.name() === 'completion' ? { argumentChoices: COMPLETION_SHELLS } : {}),
  }));
  return [...commands, { name: 'help', description: 'show help for a command', options: [], argumentChoices: root.commands.map((c) => c.name()) }];
}

/**
 * Parses argv (after the node and script names), runs the command and returns its exit code:
 * 0 ok, 1 problems, 2 usage errors, 70 internal errors. `cdk8s.outdir` is the cdk8s CLI's
 * scratch directory: main.ts passes it, the `meshfleet` command never does (a CDK8S_OUTDIR
 * left in the environment means nothing to it).
 */
export function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, cdk8s: { readonly outdir?: string } = {}): number {
  const io: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), env, scratch: cdk8s.outdir, interactive: process.stderr.isTTY === true };
  let code = 0;
  // `plan` parses its own flags (src/plan-cli.ts).
  if (argv[0] === 'plan') return runPlan(argv.slice(1), { topology: env.MESHFLEET_TOPOLOGY || DEFAULT_TOPOLOGY, out: env.MESHFLEET_OUT || DEFAULT_OUT });
  const root = program(io, (c) => (code = c));
  if (!argv.length) {
    io.out(root.helpInformation());
    return 0;
  }
  try {
    root.parse([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UsageError) {
      io.err(`meshfleet: ${e.message}\n`);
      return 2;
    }
    if (e instanceof TopologyError || e instanceof PublishError) {
      io.err(`${e.message}\n`);
      return 1;
    }
    io.err(`meshfleet: internal error: ${(e as Error).message}\n`);
    return 70;
  }
}
