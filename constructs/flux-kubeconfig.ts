/**
 * Where Flux applies a cluster's objects from, and the kubeconfig Secret it uses to get there.
 *
 * This is the one convention shared by every Flux object meshfleet generates: the layer
 * `Kustomization`s (delivery) and the control-plane `HelmRelease`s. In `management` mode the
 * management cluster's Flux drives every other cluster through `spec.kubeConfig.secretRef`,
 * naming a Secret `<cluster>-kubeconfig` (key `value`) in the Flux namespace of the
 * management cluster; in `per-cluster` mode, and for the management cluster itself, Flux
 * runs in the target cluster and no kubeconfig is set.
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/#kubeconfig-remote-clusters
 * @see https://fluxcd.io/flux/components/helm/helmreleases/#kubeconfig-remote-clusters
 */
import { Delivery } from '../topology';
import { fluxKubeConfigSecretName as kubeConfigSecretName } from '../topology/generated-names';

/** Key of the kubeconfig inside a `<cluster>-kubeconfig` Secret (what `flux create secret` and Cluster API use). */
export const FLUX_KUBECONFIG_SECRET_KEY = 'value';

/** `spec.kubeConfig` of a Flux object that acts on a remote cluster. */
export interface FluxKubeConfig {
  readonly secretRef: { readonly name: string; readonly key: string };
}

/** Name of the Secret holding a cluster's kubeconfig, in the management cluster's Flux namespace. */
export function fluxKubeConfigSecretName(cluster: string): string {
  return kubeConfigSecretName(cluster);
}

/**
 * The cluster whose Flux applies the objects meant for `cluster`: the management cluster in
 * `management` mode, the cluster itself otherwise (or when Flux is off).
 */
export function fluxHostCluster(delivery: Delivery, cluster: string): string {
  return delivery.flux?.mode === 'management' && delivery.flux.managementCluster ? delivery.flux.managementCluster : cluster;
}

/**
 * `spec.kubeConfig` for a Flux object (`Kustomization`, `HelmRelease`) that acts on `cluster`,
 * or `undefined` when Flux runs in that cluster (per-cluster mode, the management cluster
 * itself, or Flux off).
 */
export function fluxKubeConfig(delivery: Delivery, cluster: string): FluxKubeConfig | undefined {
  if (fluxHostCluster(delivery, cluster) === cluster) return undefined;
  return { secretRef: { name: fluxKubeConfigSecretName(cluster), key: FLUX_KUBECONFIG_SECRET_KEY } };
}
