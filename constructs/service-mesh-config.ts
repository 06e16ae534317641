/**
 * The part of a cluster's istiod `meshConfig` that follows from the topology's services.
 */
import { Cluster, MeshFacts } from '../topology';

/** `meshConfig` fields contributed by services (cluster-local hosts, DNS capture). */
export interface ServiceMeshConfig {
  /** `meshConfig.serviceSettings` entries. */
  readonly serviceSettings?: readonly { readonly settings: { readonly clusterLocal: boolean }; readonly hosts: readonly string[] }[];
  /** `meshConfig.defaultConfig.proxyMetadata` entries. */
  readonly proxyMetadata?: Readonly<Record<string, string>>;
}

/**
 * What the services of the topology need from this cluster's istiod mesh config.
 *
 * Only a primary's mesh config is read by a proxy: a primary's istiod injects and configures
 * its remotes' sidecars with its own `meshConfig` (the remote profile renders no mesh
 * ConfigMap), so a remote gets `{}` and its needs are met by its primary.
 *
 * - `serviceSettings`: the hosts of every cluster-local service, `clusterLocal: true`, in
 *   every primary. Each istiod applies the setting to the endpoints it hands its own proxies,
 *   and a primary discovers other clusters' endpoints through remote secrets, so a primary
 *   without the setting would send its callers to another cluster's replicas.
 *   @see https://istio.io/latest/docs/ops/configuration/traffic-management/multicluster/#keeping-traffic-in-cluster
 * - `proxyMetadata.ISTIO_META_DNS_CAPTURE: "true"` in a primary whose clusters call a
 *   `.global` alias, or call a service with no replica (hence possibly no Service object, so
 *   no kube-dns record) in the caller's cluster: the sidecar's DNS proxy answers both. Since
 *   Istio 1.25 ServiceEntry addresses are allocated by istiod, so
 *   `ISTIO_META_DNS_AUTO_ALLOCATE` (deprecated) is not set.
 *   @see https://istio.io/latest/docs/ops/configuration/traffic-management/dns-proxy/
 */
export function serviceMeshConfig(facts: MeshFacts, cluster: Cluster): ServiceMeshConfig {
  if (cluster.role !== 'primary') return {};
  const placement = facts.servicePlacement;
  const hosts = placement.clusterLocalHosts;
  return {
    serviceSettings: hosts.length ? [{ settings: { clusterLocal: true }, hosts }] : undefined,
    proxyMetadata: placement.dnsCaptureIn(cluster.name) ? { ISTIO_META_DNS_CAPTURE: 'true' } : undefined,
  };
}
