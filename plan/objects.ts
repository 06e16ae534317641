/**
 * Object-level changes: files added, removed or changed between two output trees, with the
 * changed fields of each manifest. A renamed cluster's files are compared with their
 * counterparts under the new name, so a rename lists only what differs beyond the move.
 */
import { loadAll } from 'js-yaml';
import { leafChanges, namespaceReasons } from './diff';
import type { ClusterRename } from './diff';
import type { FleetPlan, Reason } from './model';

/** One file's change. */
export interface ObjectChange {
  /** Path relative to the output root (the new path for a moved file). */
  readonly file: string;
  readonly kind: 'added' | 'removed' | 'changed' | 'moved';
  /** For a moved file: where it was. */
  readonly from?: string;
  /** Changed fields (`spec.values.global.network`), for a changed or moved-and-changed manifest; at most {@link MAX_FIELDS}. */
  readonly fields: readonly string[];
  /** The topology entries behind the object, when the model knows them (see {@link explainObjects}). */
  readonly because?: readonly Reason[];
}

/** At most this many changed fields are listed per file. */
export const MAX_FIELDS = 20;

/** The file-level difference of two trees (relative path -> content), sorted by file. */
export function diffTrees(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>, renames: readonly ClusterRename[] = []): ObjectChange[] {
  const changes: ObjectChange[] = [];
  // A path segment or name part equal to the old name (`west/`, `kustomization.flux-system.west-base.yaml`).
  const moved = (file: string): string | undefined => {
    let renamed = file;
    for (const { from, to } of renames) renamed = renamed.replace(new RegExp(`(^|[/.-])${escape(from)}(?=[/.-]|$)`, 'g'), `$1${to}`);
    return renamed === file ? undefined : renamed;
  };
  const movedInto = new Map<string, string>();
  for (const file of before.keys()) {
    const to = moved(file);
    if (to && after.has(to) && !before.has(to)) movedInto.set(to, file);
  }
  for (const [file, content] of after) {
    const from = movedInto.get(file);
    const old = before.get(from ?? file);
    if (old === undefined) changes.push({ file, kind: 'added', fields: [] });
    else if (from) {
      const renamed = renames.reduce((text, r) => text.split(r.from).join(r.to), old);
      changes.push({ file, kind: 'moved', from, fields: renamed === content ? [] : changedFields(renamed, content, file) });
    } else if (old !== content) changes.push({ file, kind: 'changed', fields: changedFields(old, content, file) });
  }
  const movedFrom = new Set(movedInto.values());
  for (const file of before.keys()) if (!after.has(file) && !movedFrom.has(file)) changes.push({ file, kind: 'removed', fields: [] });
  return changes.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

function changedFields(before: string, after: string, file: string): string[] {
  if (!/\.ya?ml$/.test(file)) return [];
  let a: unknown[];
  let b: unknown[];
  try {
    a = loadAll(before);
    b = loadAll(after);
  } catch {
    return [];
  }
  const fields = leafChanges(a.length === 1 ? a[0] : a, b.length === 1 ? b[0] : b).map(([path]) => path || '(whole object)');
  return fields.length > MAX_FIELDS ? [...fields.slice(0, MAX_FIELDS), `... ${fields.length - MAX_FIELDS} more`] : fields;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Adds to each object change the topology entries behind its object: a service's routing and
 * policy objects, a namespace's Sidecar and Namespace, the east-west gateway's releases and
 * Gateway. Looked up in the new model, or in the old one for a removed object.
 */
export function explainObjects(objects: readonly ObjectChange[], after: FleetPlan, before?: FleetPlan): ObjectChange[] {
  return objects.map((o) => {
    const because = reasonsFor(o.file, after) ?? (before ? reasonsFor(o.from ?? o.file, before) : undefined);
    return because?.length ? { ...o, because } : o;
  });
}

function reasonsFor(file: string, plan: FleetPlan): readonly Reason[] | undefined {
  const m = /^([^/]+)\/([^/]+)\/([a-z]+)\.(.+)\.yaml$/.exec(file);
  if (!m) return undefined;
  const [, clusterName, layer, kind, rest] = m;
  // `<kind>.<namespace>.<name>.yaml`, or `<kind>.<name>.yaml` for a cluster-scoped object.
  const cut = rest.indexOf('.');
  const [namespace, name] = kind === 'namespace' ? [rest, rest] : [rest.slice(0, cut), rest.slice(cut + 1)];
  const cluster = plan.clusters.find((c) => c.name === clusterName);
  if (!cluster) return undefined;
  if (['destinationrule', 'virtualservice', 'authorizationpolicy', 'serviceentry'].includes(kind)) {
    const key = `${namespace}/${name.replace(/\.global$/, '')}`;
    return cluster.services.find((s) => s.key === key)?.because;
  }
  if (kind === 'sidecar') return cluster.sidecars.find((s) => s.namespace === namespace)?.because;
  if (kind === 'namespace' && layer === 'platform') return namespaceReasons(cluster, namespace);
  if (name === 'istio-eastwestgateway' || name === 'eastwest' || name === 'cross-network-gateway') return cluster.eastWestGateway?.because;
  return undefined;
}
