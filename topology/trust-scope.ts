/**
 * Who holds a plugin CA and who reads whose API server: the scope of trust and
 * remote-cluster credentials, shared by the loader's rules and the constructs.
 *
 * Pure functions of the cluster list; each answer is one pass over the clusters (or the
 * primaries), so a 100-cluster fleet costs at most P x N lookups in total.
 */
import { Cluster } from './types';

/** The placeholder in a secret-store key template that is replaced by a cluster name. */
export const CLUSTER_PLACEHOLDER = '{cluster}';

/**
 * Whether a cluster runs an istiod CA and so needs the plugin CA secret `cacerts`.
 *
 * Only primaries do: a remote's workloads (and its east-west gateway) get their
 * certificates from the primary's istiod over 15012, and the primary that leads the remote
 * writes its `istio-ca-root-cert` ConfigMaps. A `cacerts` in a remote would be an
 * intermediate CA private key that nothing uses.
 * @see https://istio.io/latest/docs/setup/install/multicluster/primary-remote/
 */
export function runsIstiodCa(cluster: Cluster): boolean {
  return cluster.role === 'primary';
}

/**
 * The clusters a primary's istiod reads through a remote secret: every other cluster.
 *
 * That is every other primary and every remote, its own and other primaries' ones. Endpoint
 * discovery is per istiod: to route to a service running in another primary's remote, this
 * istiod must watch that remote's API server too. It will not *lead* such a remote (patch its
 * webhooks, write its ConfigMaps): only the primaries named in the remote's
 * `topology.istio.io/controlPlaneClusters` annotation do.
 * A remote reads nobody (it has no istiod).
 * @see https://istio.io/latest/docs/reference/config/annotations/#TopologyControlPlaneClusters
 */
export function clustersReadBy(clusters: readonly Cluster[], reader: Cluster): readonly Cluster[] {
  if (reader.role !== 'primary') return [];
  return clusters.filter((c) => c.name !== reader.name);
}

/** The primaries that read a cluster through a remote secret: every primary but itself. */
export function readersOf(primaries: readonly Cluster[], cluster: Cluster): readonly Cluster[] {
  return primaries.filter((p) => p.name !== cluster.name);
}

/** A secret-store key template with `{cluster}` replaced by the cluster name. */
export function storeKey(template: string, cluster: string): string {
  return template.split(CLUSTER_PLACEHOLDER).join(cluster);
}
