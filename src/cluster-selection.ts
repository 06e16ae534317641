/**
 * `--cluster NAME`: which files of a synthesized tree belong to which cluster, and how to
 * replace some clusters' files while keeping every other file as it was.
 */
import { OutputTree } from './output';

/**
 * The cluster a file belongs to: `<cluster>/…`, or a fleet-wide directory's per-cluster
 * subdirectory `<dir>/<cluster>/…` (e.g. `argocd/cluster1/`); undefined for fleet-wide files.
 */
export function clusterOfFile(file: string, clusters: ReadonlySet<string>): string | undefined {
  const parts = file.split('/');
  if (clusters.has(parts[0])) return parts[0];
  if (parts.length > 2 && clusters.has(parts[1])) return parts[1];
  return undefined;
}

/** The files of `tree` that belong to one of `selected` (cluster names from `clusters`). */
export function selectClusters(tree: OutputTree, clusters: ReadonlySet<string>, selected: ReadonlySet<string>): OutputTree {
  return new Map([...tree].filter(([file]) => selected.has(clusterOfFile(file, clusters) ?? '')));
}

/**
 * `existing` with the files of the `selected` clusters replaced by those of `fresh`: other
 * clusters' files and fleet-wide files stay exactly as they were. Sorted by path.
 */
export function replaceClusters(existing: OutputTree, fresh: OutputTree, clusters: ReadonlySet<string>, selected: ReadonlySet<string>): OutputTree {
  const kept = [...existing].filter(([file]) => !selected.has(clusterOfFile(file, clusters) ?? ''));
  const merged = [...kept, ...selectClusters(fresh, clusters, selected)];
  return new Map(merged.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
