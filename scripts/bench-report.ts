/**
 * The scale benchmark's markdown report (pure: results in, text out).
 */

/** Resource use of one measured command (medians when repeated). */
export interface Measure {
  /** Wall-clock time, milliseconds. */
  readonly wallMs: number;
  /** User CPU time summed over the command's node processes, milliseconds. */
  readonly userMs: number;
  /** System CPU time summed over the command's node processes, milliseconds. */
  readonly sysMs: number;
  /** Largest peak resident set size of one of its processes, MiB (0 when unknown). */
  readonly rssMiB: number;
}

/** A measurement, or why there is none (a command that does not exist yet, or failed). */
export type Outcome = Measure | { readonly skipped: string };

/** Everything measured for one fleet size. */
export interface SizeResult {
  readonly clusters: number;
  readonly services: number;
  /** Files and bytes of the full synth's output. */
  readonly files: number;
  readonly bytes: number;
  /** `meshfleet synth` into an empty directory. */
  readonly synth: Measure;
  /** Floor A: serialize the same manifests with the same YAML library and write them (measured part only). */
  readonly floorYaml: Measure;
  /** Floor B: a bare cdk8s app with the same API objects (measured part only). */
  readonly floorCdk8s: Measure;
  /** `meshfleet synth` over its previous output after a one-service change. */
  readonly resynth: Outcome;
  /** Files whose content differs after the change, and files the re-synth rewrote (new inode or mtime). */
  readonly changedFiles: number;
  readonly rewrittenFiles: number;
  /** `meshfleet check`, `meshfleet plan` and `npx cdk8s synth`, when measured. */
  readonly check: Outcome;
  readonly plan: Outcome;
  readonly cdk8sSynth: Outcome;
}

/** The machine and the run. */
export interface RunInfo {
  readonly name: string;
  readonly date: string;
  readonly commit: string;
  readonly nproc: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  readonly loadAverage: string;
  /** Runs per size (medians are reported). */
  readonly repeat: readonly number[];
  /** `npx cdk8s --version`: the cdk8s CLI's own start-up. */
  readonly cdk8sStartup: Outcome;
  /** Commands the harness looked for and did not find, with a note. */
  readonly notes: readonly string[];
}

/** Section headings every report has, in order (tests assert them). */
export const REPORT_SECTIONS = [
  'Machine',
  'Full synth',
  'Floors',
  'Growth per doubling',
  'Re-synth after a one-service change',
  'check and plan',
  'npx cdk8s synth',
  'How this was measured',
] as const;

const s = (ms: number) => (ms / 1000).toFixed(2);
const mib = (m: number) => (m ? m.toFixed(0) : 'n/a');
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
const label = (r: SizeResult) => `${r.clusters}×${r.services}`;
const isMeasure = (o: Outcome): o is Measure => !('skipped' in o);
const cells = (o: Outcome) => (isMeasure(o) ? `${s(o.wallMs)} | ${s(o.userMs)} | ${mib(o.rssMiB)}` : `skipped | | `);

/** The report as markdown. */
export function benchReport(info: RunInfo, results: readonly SizeResult[]): string {
  const lines: string[] = [];
  const table = (head: string[], rows: string[][]) => {
    lines.push(`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`), '');
  };
  lines.push(`# meshfleet scale benchmark: ${info.name}`, '');
  lines.push(`Run ${info.date} at commit ${info.commit}; every figure is the median of ${[...new Set(info.repeat)].length === 1 ? info.repeat[0] : info.repeat.join(', ')} run(s)${[...new Set(info.repeat)].length === 1 ? '' : ' (per size)'}. Times in seconds, memory in MiB.`, '');

  lines.push(`## ${REPORT_SECTIONS[0]}`, '');
  table(['nproc', 'CPU', 'memory', 'node', 'OS', 'load average at start'], [[
    String(info.nproc), info.cpu, `${info.memoryGiB.toFixed(1)} GiB`, info.node, info.os, info.loadAverage,
  ]]);

  lines.push(`## ${REPORT_SECTIONS[1]}`, '');
  lines.push('`meshfleet synth` into an empty directory (the whole CLI process: start-up, loading, validation, synthesis, publishing).', '');
  table(['size', 'files', 'MiB', 'wall', 'user CPU', 'sys CPU', 'peak RSS', 'user ÷ floor A', 'user ÷ floor B', 'wall ÷ floor A'], results.map((r) => [
    label(r), String(r.files), (r.bytes / 1024 / 1024).toFixed(1), s(r.synth.wallMs), s(r.synth.userMs), s(r.synth.sysMs), mib(r.synth.rssMiB),
    ratio(r.synth.userMs, r.floorYaml.userMs), ratio(r.synth.userMs, r.floorCdk8s.userMs), ratio(r.synth.wallMs, r.floorYaml.wallMs),
  ]));

  lines.push(`## ${REPORT_SECTIONS[2]}`, '');
  lines.push('Same files and objects. A: a bare script serializing each manifest with js-yaml (same options) and writing it. B: a bare cdk8s app (one `Chart` per directory, one `ApiObject` per manifest, `app.synth()`). Only the serialize-and-write part is timed; peak RSS includes the loaded objects.', '');
  table(['size', 'A wall', 'A user CPU', 'A peak RSS', 'B wall', 'B user CPU', 'B peak RSS'], results.map((r) => [
    label(r), s(r.floorYaml.wallMs), s(r.floorYaml.userMs), mib(r.floorYaml.rssMiB), s(r.floorCdk8s.wallMs), s(r.floorCdk8s.userMs), mib(r.floorCdk8s.rssMiB),
  ]));

  lines.push(`## ${REPORT_SECTIONS[3]}`, '');
  lines.push('Between consecutive sizes: the factor per doubling of the number of files (factor^(1/log2(files ratio))); 1.00× would be constant cost, 2.00× linear.', '');
  const growth: string[][] = [];
  for (let i = 1; i < results.length; i++) {
    const [a, b] = [results[i - 1], results[i]];
    const doublings = Math.log2(b.files / a.files);
    const per = (x: number, y: number) => (doublings > 0 && x > 0 ? `${Math.pow(y / x, 1 / doublings).toFixed(2)}×` : 'n/a');
    growth.push([`${label(a)} → ${label(b)}`, `${(b.files / a.files).toFixed(2)}×`, ratio(b.synth.wallMs, a.synth.wallMs),
      per(a.synth.wallMs, b.synth.wallMs), per(a.synth.userMs, b.synth.userMs), per(a.synth.rssMiB, b.synth.rssMiB)]);
  }
  if (growth.length) table(['sizes', 'files', 'synth wall', 'wall per doubling', 'user CPU per doubling', 'peak RSS per doubling'], growth);
  else lines.push('One size only: no growth to show.', '');

  lines.push(`## ${REPORT_SECTIONS[4]}`, '');
  lines.push('The middle service\'s first caller gets another service account; `meshfleet synth` runs again over the previous output. "rewritten" counts files with a new inode or mtime afterwards.', '');
  table(['size', 'files differing', 'files rewritten', 'wall', 'user CPU', 'peak RSS', 'wall ÷ full synth'], results.map((r) => [
    label(r), String(r.changedFiles), String(r.rewrittenFiles), cells(r.resynth), isMeasure(r.resynth) ? ratio(r.resynth.wallMs, r.synth.wallMs) : 'n/a',
  ]));

  lines.push(`## ${REPORT_SECTIONS[5]}`, '');
  table(['size', 'command', 'wall', 'user CPU', 'peak RSS', 'wall ÷ full synth', 'note'], results.flatMap((r) => (['check', 'plan'] as const).map((c) => {
    const o = r[c];
    return [label(r), `meshfleet ${c}`, cells(o), isMeasure(o) ? ratio(o.wallMs, r.synth.wallMs) : 'n/a', isMeasure(o) ? '' : o.skipped];
  })));

  lines.push(`## ${REPORT_SECTIONS[6]}`, '');
  const startup = info.cdk8sStartup;
  lines.push(`The cdk8s CLI's own start-up (\`npx cdk8s --version\`): ${isMeasure(startup) ? `${s(startup.wallMs)} s wall, ${s(startup.userMs)} s user CPU` : startup.skipped}. Target: \`npx cdk8s synth\` ≤ CLI + that start-up.`, '');
  table(['size', 'wall', 'user CPU', 'peak RSS', 'CLI wall + start-up', 'ratio', 'note'], results.map((r) => {
    const o = r.cdk8sSynth;
    const budget = r.synth.wallMs + (isMeasure(startup) ? startup.wallMs : 0);
    return [label(r), cells(o), s(budget), isMeasure(o) ? ratio(o.wallMs, budget) : 'n/a', isMeasure(o) ? '' : o.skipped];
  }));

  lines.push(`## ${REPORT_SECTIONS[7]}`, '');
  lines.push(
    '`npm run bench -- --sizes 10x100,30x300,100x1000,200x2000 --repeat 3 --name <name>` (scripts/bench.ts). Each measurement is its own child process; ' +
      'every node process it starts preloads scripts/bench-rusage.js, which records `process.resourceUsage()` at exit: user and system CPU are summed over ' +
      'the processes, peak RSS is the largest. Fleets come from scripts/bench-fleet.ts (seed 15): every fifth cluster a remote, 1–3 ports, 1–3 callers, ' +
      'failover, weights, `.global` aliases, cluster-local services, cert-manager trust, External Secrets credentials with PushSecrets, Flux and Argo CD.',
    '',
  );
  for (const note of info.notes) lines.push(`- ${note}`);
  if (info.notes.length) lines.push('');
  return lines.join('\n');
}
