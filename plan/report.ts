/**
 * A plan's result, and its text, Markdown and JSON renderings.
 */
import { ClusterRename, PlanChange, PlanDiff } from './diff';
import { Disruption, disruptionId } from './guard-rails';
import { FleetPlan, sortKeys } from './model';
import { ObjectChange } from './objects';
import { meshMermaid } from './picture';
import { SourceLocator } from './source-locator';

/** Version of the JSON report's shape (`meshfleet plan --format json`). */
export const PLAN_REPORT_VERSION = 1;

/** Exit codes, as `flux diff`: 0 nothing changes, 1 changes, 2 error; 3 an unacknowledged disruptive change under `--fail-on disruptive`. */
export const PLAN_EXIT = { unchanged: 0, changed: 1, error: 2, disruptive: 3 } as const;

/** Everything a plan found. */
export interface PlanResult {
  readonly diff: PlanDiff;
  readonly disruptions: readonly Disruption[];
  readonly objects: readonly ObjectChange[];
  /** What the new model is compared against (`dist/` or `git:<ref>:dist/`). */
  readonly against: string;
  /** The new model (for the picture). */
  readonly plan: FleetPlan;
}

/** At most this many files are listed in the Markdown report (the rest are counted). */
export const MARKDOWN_OBJECT_LIMIT = 150;

/** Report formats. */
export type PlanFormat = 'text' | 'markdown' | 'json';

/** Whether a plan changes anything. */
export function hasChanges(result: PlanResult): boolean {
  return result.diff.changes.length > 0 || result.objects.length > 0;
}

/** Renders a plan result. `locator` resolves topology entries to `path (file:line:col)`. */
export function renderPlan(result: PlanResult, format: PlanFormat, locator?: SourceLocator): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(sortKeys(jsonReport(result, locator)), null, 2)}\n`;
    case 'markdown':
      return markdownReport(result, locator);
    case 'text':
      return textReport(result, locator);
  }
}

function where(locator: SourceLocator | undefined, ref: string): { path: string; at?: string } {
  return locator ? locator.locate(ref) : { path: ref };
}

function because(change: { because: readonly { text: string; source: string }[] }, locator?: SourceLocator): string {
  return change.because
    .map((r) => {
      const { path, at } = where(locator, r.source);
      return `${r.text} (${path}${at ? ` at ${at}` : ''})`;
    })
    .join('; ');
}

/** The JSON report (documented in README, "Reviewing changes"). */
export function jsonReport(result: PlanResult, locator?: SourceLocator): unknown {
  const reason = (r: { text: string; source: string }) => ({ text: r.text, source: r.source, ...where(locator, r.source) });
  return {
    version: PLAN_REPORT_VERSION,
    against: result.against,
    changed: hasChanges(result),
    renames: result.diff.renames,
    addedClusters: result.diff.addedClusters,
    removedClusters: result.diff.removedClusters,
    changes: result.diff.changes.map((c) => ({ ...c, because: c.because.map(reason) })),
    disruptions: result.disruptions.map((d) => ({ id: disruptionId(d), ...d, because: d.because.map(reason) })),
    objects: result.objects.map((o) => (o.because ? { ...o, because: o.because.map(reason) } : o)),
  };
}

function grouped(changes: readonly PlanChange[]): Map<string, PlanChange[]> {
  const byCluster = new Map<string, PlanChange[]>();
  for (const c of changes) byCluster.set(c.cluster, [...(byCluster.get(c.cluster) ?? []), c]);
  return byCluster;
}

function renameText(r: ClusterRename): string {
  return `${r.from} -> ${r.to}`;
}

function textReport(result: PlanResult, locator?: SourceLocator): string {
  if (!hasChanges(result)) return `meshfleet plan: no changes against ${result.against}\n`;
  const out: string[] = [`meshfleet plan against ${result.against}: ${summaryLine(result)}`];
  if (result.disruptions.length) {
    out.push('', 'DISRUPTIVE CHANGES');
    for (const d of result.disruptions) {
      out.push(`  ! ${disruptionId(d)}${d.acknowledged ? ' (acknowledged)' : ''}: ${d.summary}`);
      out.push(`    consequence: ${d.consequence}`, `    procedure: ${d.procedure}`, `    because: ${because(d, locator)}`);
    }
  }
  for (const [cluster, changes] of grouped(result.diff.changes)) {
    out.push('', cluster === '*' ? 'fleet-wide' : `cluster ${cluster}`);
    for (const c of changes) out.push(`  ${sign(c.kind)} [${c.category}] ${c.summary}`, `      because: ${because(c, locator)}`);
  }
  if (result.objects.length) {
    out.push('', `objects (${result.objects.length} files)`);
    const { listed, movedOnly } = listedObjects(result);
    if (movedOnly) out.push(`  > ${movedOnly}`);
    for (const o of listed) {
      out.push(`  ${sign(o.kind)} ${o.from ? `${o.from} -> ` : ''}${o.file}${o.fields.length ? `: ${o.fields.join(', ')}` : ''}`);
      if (o.because) out.push(`      because: ${because({ because: o.because }, locator)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function markdownReport(result: PlanResult, locator?: SourceLocator): string {
  if (!hasChanges(result)) return `### meshfleet plan\n\nNo changes against \`${result.against}\`.\n`;
  const out: string[] = ['### meshfleet plan', '', `Against \`${result.against}\`: ${summaryLine(result)}`];
  if (result.disruptions.length) {
    out.push('', '#### :warning: Disruptive changes', '');
    for (const d of result.disruptions) {
      out.push(`- **\`${disruptionId(d)}\`**${d.acknowledged ? ' (acknowledged)' : ''}: ${md(d.summary)}`);
      out.push(`  - *Consequence*: ${md(d.consequence)}`, `  - *Procedure*: ${md(d.procedure)}`, `  - *Because*: ${md(because(d, locator))}`);
    }
  }
  out.push('', '#### Per cluster', '');
  for (const [cluster, changes] of grouped(result.diff.changes)) {
    out.push(`**${cluster === '*' ? 'fleet-wide' : `cluster \`${cluster}\``}**`, '');
    for (const c of changes) out.push(`- ${sign(c.kind)} \`${c.category}\` ${md(c.summary)} — ${md(because(c, locator))}`);
    out.push('');
  }
  const changedClusters = new Set(result.diff.changes.map((c) => c.cluster).filter((c) => c !== '*' && result.plan.clusters.some((p) => p.name === c)));
  if (changedClusters.size) {
    const highlight = new Set<string>([...changedClusters, ...result.diff.changes.filter((c) => c.category === 'service' || c.category === 'callers' || c.category === 'routes').map((c) => c.subject)]);
    out.push('<details><summary>Picture of the changed clusters</summary>', '', '```mermaid', meshMermaid(result.plan, { clusters: changedClusters, highlight }).trimEnd(), '```', '', '</details>', '');
  }
  if (result.objects.length) {
    out.push(`<details><summary>Objects: ${result.objects.length} files</summary>`, '');
    const { listed: all, movedOnly } = listedObjects(result);
    if (movedOnly) out.push(`- > ${md(movedOnly)}`);
    // A pull-request comment holds at most 65,536 characters.
    const listed = all.slice(0, MARKDOWN_OBJECT_LIMIT);
    if (all.length > listed.length) out.push(`- … and ${all.length - listed.length} more: run \`meshfleet plan --format json\` for all of them`);
    for (const o of listed) {
      const why = o.because ? ` — ${md(because({ because: o.because }, locator))}` : '';
      out.push(`- ${sign(o.kind)} \`${o.from ? `${o.from} -> ` : ''}${o.file}\`${o.fields.length ? `: ${o.fields.map((f) => `\`${f}\``).join(', ')}` : ''}${why}`);
    }
    out.push('', '</details>', '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function summaryLine(result: PlanResult): string {
  const clusters = new Set(result.diff.changes.map((c) => c.cluster).filter((c) => c !== '*'));
  const parts = [
    `${clusters.size} cluster(s) change`,
    ...(result.diff.renames.length ? [`renamed: ${result.diff.renames.map(renameText).join(', ')}`] : []),
    `${result.diff.changes.length} mesh change(s)`,
    `${result.objects.length} file(s)`,
    `${result.disruptions.length} disruptive (${result.disruptions.filter((d) => !d.acknowledged).length} unacknowledged)`,
  ];
  return parts.join(', ');
}

function sign(kind: string): string {
  return kind === 'added' ? '+' : kind === 'removed' ? '-' : kind === 'renamed' || kind === 'moved' ? '>' : '~';
}

function md(text: string): string {
  return text.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;')).replace(/\|/g, '\\|');
}

/**
 * The object changes a human reads: files a rename only moved (same content once the name is
 * replaced) are summed up in one line per rename; the JSON report lists them all.
 */
function listedObjects(result: PlanResult): { listed: readonly ObjectChange[]; movedOnly?: string } {
  const moved = result.objects.filter((o) => o.kind === 'moved' && !o.fields.length);
  if (!moved.length) return { listed: result.objects };
  const renames = result.diff.renames.map(renameText).join(', ');
  return {
    listed: result.objects.filter((o) => !(o.kind === 'moved' && !o.fields.length)),
    movedOnly: `${moved.length} file(s) only moved by the rename (${renames}): same content with the new name`,
  };
}
