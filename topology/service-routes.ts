/**
 * How a global service's traffic is split: the DestinationRule subsets meshfleet declares for
 * it and the weighted routes of its VirtualService, from per-cluster `weights` and app
 * `versions`, alone or combined.
 *
 * Subsets that select `topology.istio.io/cluster` exist only where a route uses them:
 * `istioctl analyze` reports an unused one (IST0173). Version subsets (pod labels such as
 * `version: v2`) are always declared, so an unweighted service's own VirtualService can use them.
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/multicluster/
 * @see https://istio.io/latest/docs/concepts/traffic-management/#destination-rules
 */
import { MeshService } from './types';

/** The label istiod sets on every endpoint from its cluster's `clusterName`. */
export const CLUSTER_SUBSET_LABEL = 'topology.istio.io/cluster';

/** A DestinationRule subset. */
export interface RouteSubset {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The subsets of a service's DestinationRule and the weights of its VirtualService routes. */
export interface ServiceRouting {
  /** Subsets, in a stable order (by cluster, then version in author order). */
  readonly subsets: readonly RouteSubset[];
  /** Percent per subset name, summing to 100; absent when traffic is not split (no VirtualService). */
  readonly weights?: Readonly<Record<string, number>>;
}

/**
 * The routing of a validated service:
 * - `weights` and weighted `versions`: one subset per cluster and version, `<cluster>-<version>`,
 *   selecting both, weighted clusterWeight × versionWeight / 100 (the rules keep that whole);
 * - `weights` only: one subset per cluster with a non-zero weight, plus the version subsets;
 * - weighted `versions` only: one subset per version, weighted, wherever it runs (locality-aware);
 * - neither: only the version subsets, and no VirtualService.
 */
export function serviceRouting(service: Pick<MeshService, 'weights' | 'versions'>): ServiceRouting {
  const clusters = Object.entries(service.weights ?? {}).filter(([, w]) => w > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const weightedVersions = service.versions.some((v) => v.weight !== undefined);
  const versionSubsets = service.versions.map((v) => ({ name: v.name, labels: { ...v.labels } }));
  if (clusters.length && weightedVersions) {
    const subsets: RouteSubset[] = [];
    const weights: Record<string, number> = {};
    for (const [cluster, cw] of clusters) {
      for (const v of service.versions) {
        const weight = (cw * (v.weight ?? 0)) / 100;
        if (weight <= 0) continue;
        const name = `${cluster}-${v.name}`;
        subsets.push({ name, labels: { [CLUSTER_SUBSET_LABEL]: cluster, ...v.labels } });
        weights[name] = weight;
      }
    }
    return { subsets, weights };
  }
  if (clusters.length) {
    return {
      subsets: [...clusters.map(([cluster]) => ({ name: cluster, labels: { [CLUSTER_SUBSET_LABEL]: cluster } })), ...versionSubsets],
      weights: Object.fromEntries(clusters),
    };
  }
  if (weightedVersions) {
    return { subsets: versionSubsets, weights: Object.fromEntries(service.versions.filter((v) => (v.weight ?? 0) > 0).map((v) => [v.name, v.weight!])) };
  }
  return { subsets: versionSubsets };
}
