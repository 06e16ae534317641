/**
 * Helm values of the Istio charts for one cluster, built once and rendered for Flux,
 * Argo CD and (translated) `istioctl`.
 */
import { Cluster, MeshFacts } from '../topology';

/** A Helm values tree. */
export type HelmValues = { readonly [key: string]: unknown };

/** Values for each Istio chart a cluster installs. */
export interface ControlPlaneValues {
  /** Chart `base`. */
  readonly base: HelmValues;
  /** Chart `istiod`. */
  readonly istiod: HelmValues;
  /** Chart `gateway` as the east-west gateway, when the cluster runs one. */
  readonly eastWestGateway?: HelmValues;
}

/**
 * The Istio chart values for a cluster's role in the mesh.
 * (Skeleton: filled in by the control-plane work.)
 */
export function controlPlaneValues(facts: MeshFacts, cluster: Cluster): ControlPlaneValues {
  return {
    base: {},
    istiod: {
      global: { meshID: facts.topology.mesh.id, multiCluster: { clusterName: cluster.name }, network: cluster.network },
      meshConfig: { trustDomain: facts.topology.mesh.trustDomain },
    },
  };
}
