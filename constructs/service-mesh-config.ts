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
 * (Skeleton: filled in by the global-services work.)
 */
export function serviceMeshConfig(_facts: MeshFacts, _cluster: Cluster): ServiceMeshConfig {
  return {};
}
