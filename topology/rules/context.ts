/**
 * What every cross-field rule gets: the draft, indexes over it, and a way to report.
 */
import { Problem } from '../problems';
import { Reader } from '../reader';
import { joinPath } from '../source';
import { TopologyDraft } from '../schema';
import { Cluster } from '../types';

/** Indexes and reporting shared by the rule groups; built once per load. */
export class RuleContext {
  /** Clusters by name (the first one, when a name is duplicated). */
  public readonly clusters: ReadonlyMap<string, Cluster>;
  /** Regions that at least one cluster is in. */
  public readonly regions: ReadonlySet<string>;
  /** Application namespaces present in each cluster (declared, or of services it runs). */
  public readonly namespacesOf: ReadonlyMap<string, ReadonlySet<string>>;

  constructor(
    public readonly draft: TopologyDraft,
    private readonly reader: Reader,
  ) {
    const clusters = new Map<string, Cluster>();
    for (const c of draft.clusters) if (c.name && !clusters.has(c.name)) clusters.set(c.name, c);
    this.clusters = clusters;
    this.regions = new Set(draft.clusters.map((c) => c.region).filter(Boolean));
    const namespaces = new Map<string, Set<string>>();
    for (const c of clusters.values()) namespaces.set(c.name, new Set(c.namespaces));
    for (const s of draft.services) for (const name of s.runsIn) namespaces.get(name)?.add(s.namespace);
    this.namespacesOf = namespaces;
  }

  /** Reports a problem on a field of a tracked object (a cluster, service, consumer …). */
  public report(subject: object | string, field: string | undefined, message: string): void {
    const base = typeof subject === 'string' ? subject : this.draft.pathOf.get(subject) ?? '';
    const path = field === undefined ? base : /^[\w-]+$/.test(field) ? joinPath(base, field) : `${base}${field.startsWith('[') ? '' : '.'}${field}`;
    this.reader.report(path, message);
  }

  /** Path of a tracked object (`clusters[2]`). */
  public pathOf(subject: object): string {
    return this.draft.pathOf.get(subject) ?? '';
  }

  /** Position of `value` in a list field of a tracked object, as the author wrote it (0 if not found). */
  public indexIn(subject: object, field: string, value: unknown): number {
    let node: unknown = this.draft.raw;
    for (const part of `${this.pathOf(subject)}.${field}`.match(/[^.[\]]+/g) ?? []) {
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
    }
    return Array.isArray(node) ? Math.max(0, node.indexOf(value)) : 0;
  }

  /** Every problem reported so far (shape and rules). */
  public get problems(): readonly Problem[] {
    return this.reader.problems;
  }
}

/** A group of cross-field rules. */
export type RuleGroup = (ctx: RuleContext) => void;
