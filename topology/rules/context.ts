/**
 * What every cross-field rule gets: the draft, indexes over it, and a way to report.
 */
import { Problem } from '../problems';
import { Reader } from '../reader';
import { joinPath } from '../source';
import { ConsumerDraft, ServiceDraft, TopologyDraft } from '../schema';
import { Cluster } from '../types';

const NONE: readonly string[] = Object.freeze([]);

/** Indexes and reporting shared by the rule groups; built once per load. */
export class RuleContext {
  /** Clusters by name (the first one, when a name is duplicated). */
  public readonly clusters: ReadonlyMap<string, Cluster>;
  /** Regions that at least one cluster is in. */
  public readonly regions: ReadonlySet<string>;
  /** Application namespaces present in each cluster (declared, or of services it runs). */
  public readonly namespacesOf: ReadonlyMap<string, ReadonlySet<string>>;
  /** Clusters by application namespace, sorted. */
  private readonly withNamespace: ReadonlyMap<string, readonly string[]>;
  /** Paths (and their parents) where reading the shape reported a problem. */
  private readonly rejected = new Set<string>();

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
    const withNamespace = new Map<string, string[]>();
    for (const name of [...clusters.keys()].sort()) {
      for (const namespace of namespaces.get(name)!) {
        const list = withNamespace.get(namespace);
        if (list) list.push(name);
        else withNamespace.set(namespace, [name]);
      }
    }
    this.withNamespace = withNamespace;
    // Shape problems are all in by now; rules add theirs later and are not "rejected" fields.
    for (const problem of reader.problems) {
      for (let path = problem.path; path && !this.rejected.has(path); path = parentPath(path)) this.rejected.add(path);
    }
  }

  /** Clusters that have an application namespace (declared, or of services they run), sorted. */
  public clustersWithNamespace(namespace: string): readonly string[] {
    return this.withNamespace.get(namespace) ?? NONE;
  }

  /**
   * The clusters a consumer runs in: those the author pinned, or by default every cluster that
   * has its namespace, sorted. The one definition of the default, for the rules and the model.
   */
  public consumerClusters(consumer: ConsumerDraft): readonly string[] {
    return consumer.clusters ?? this.clustersWithNamespace(consumer.namespace);
  }

  /**
   * Whether reading the shape reported a problem at a field or inside it: the author wrote it,
   * but it was invalid and left out of the draft. Rules check this before saying a field is
   * missing or adding up what is left of it, so one mistake gets one problem.
   */
  public wasRejected(subject: object | string, field: string): boolean {
    return this.rejected.has(this.fieldPath(subject, field));
  }

  /**
   * Whether every entry of a service's `runsIn` was read and names a known cluster. When not,
   * that is reported once, and rules about where the service runs hold back: they would only
   * repeat it.
   */
  public runsInResolved(service: ServiceDraft): boolean {
    return !this.wasRejected(service, 'runsIn') && service.runsIn.every((name) => this.clusters.has(name));
  }

  /** Reports a problem on a field of a tracked object (a cluster, service, consumer …). */
  public report(subject: object | string, field: string | undefined, message: string): void {
    this.reader.report(this.fieldPath(subject, field), message);
  }

  private fieldPath(subject: object | string, field: string | undefined): string {
    const base = typeof subject === 'string' ? subject : this.draft.pathOf.get(subject) ?? '';
    return field === undefined ? base : /^[\w-]+$/.test(field) ? joinPath(base, field) : `${base}${field.startsWith('[') ? '' : '.'}${field}`;
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

/** The path of the mapping or list holding a path's value (`services[0].weights.a` → `services[0].weights`). */
function parentPath(path: string): string {
  return path.slice(0, Math.max(0, path.lastIndexOf('.'), path.lastIndexOf('[')));
}
