/**
 * Names meshfleet generates from topology names, and the length limits they imply.
 *
 * The one source of truth for these names: the constructs build object names with these
 * functions, and the loader derives each length limit from the same functions, so a name
 * the loader accepts never becomes an object name Kubernetes, Helm or a controller refuses.
 */
import { ARGOCD_GIT_LAYERS, KUSTOMIZE_LAYERS, KustomizeLayer } from './layers';

/**
 * Longest Kubernetes label value. Flux labels every object a `Kustomization` applies with
 * `kustomize.toolkit.fluxcd.io/name: <Kustomization>`, and every object a `HelmRelease`
 * installs with `helm.toolkit.fluxcd.io/name: <HelmRelease>`.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */
export const LABEL_VALUE_MAX = 63;

/**
 * Longest Helm release name (Helm's `chartutil.ValidateReleaseName`: at most 53 characters,
 * so the names charts derive from it fit in 63).
 * @see https://helm.sh/docs/chart_best_practices/conventions/#chart-names
 */
export const HELM_RELEASE_NAME_MAX = 53;

/** Helm release name of the `base` chart (CRDs, reader service account, default validator). */
export const BASE_RELEASE = 'istio-base';

/** Helm release (and Deployment) name of the east-west gateway, as in Istio's multicluster guides. */
export const EAST_WEST_GATEWAY_NAME = 'istio-eastwestgateway';

/**
 * Helm release name of an `istiod` chart install: `istiod`, or `istiod-<revision>` for a
 * revisioned control plane (as `helm install istiod-canary … --set revision=canary` in
 * Istio's canary upgrade), so a canary and the stable control plane are separate releases.
 * @see https://istio.io/latest/docs/setup/upgrade/helm/#canary-upgrade-recommended
 */
export function istiodReleaseName(revision: string | undefined): string {
  return revision ? `istiod-${revision}` : 'istiod';
}

/** The layer directories Flux applies per cluster, plus `flux` (the Flux objects' own directory). */
export const FLUX_KUSTOMIZATION_LAYERS = KUSTOMIZE_LAYERS;

/** Name of the `Kustomization` that applies a cluster's layer: `<cluster>-<layer>`. */
export function fluxKustomizationName(cluster: string, layer: KustomizeLayer): string {
  return `${cluster}-${layer}`;
}

/**
 * Name of a `HelmRelease` the management cluster's Flux installs into another cluster
 * (`delivery.flux.mode: management`): `<cluster>-<release>`, in the Flux namespace.
 */
export function fluxManagedHelmReleaseName(cluster: string, releaseName: string): string {
  return `${cluster}-${releaseName}`;
}

/** Name of the Secret holding the kubeconfig the management cluster's Flux uses for a cluster. */
export function fluxKubeConfigSecretName(cluster: string): string {
  return `${cluster}-kubeconfig`;
}

/** Name of a cluster's child Argo CD `Application` for a layer or chart release: `<cluster>-<component>`. */
export function argoCdApplicationName(cluster: string, component: string): string {
  return `${cluster}-${component}`;
}

/** The Istio Helm releases a cluster may install, for the given stable and canary revisions. */
export function istioReleaseNames(revision: string | undefined, canaryRevision: string | undefined): readonly string[] {
  return [BASE_RELEASE, istiodReleaseName(revision), ...(canaryRevision ? [istiodReleaseName(canaryRevision)] : []), EAST_WEST_GATEWAY_NAME];
}

const longest = (names: readonly string[]) => names.reduce((max, n) => Math.max(max, n.length), 0);

/**
 * Longest revision (stable or canary): `istiod-<revision>` is a Helm release name
 * ({@link HELM_RELEASE_NAME_MAX}), 53 - 7 = 46.
 */
export const MAX_REVISION_LENGTH = HELM_RELEASE_NAME_MAX - (istiodReleaseName('r').length - 'r'.length);

/**
 * Longest cluster name with Flux in `per-cluster` mode: the longest Kustomization name,
 * `<cluster>-control-plane`, is a label value ({@link LABEL_VALUE_MAX}), 63 - 14 = 49.
 */
export const FLUX_MAX_CLUSTER_NAME = LABEL_VALUE_MAX - longest(FLUX_KUSTOMIZATION_LAYERS.map((l) => fluxKustomizationName('', l)));

/**
 * Longest cluster name with Flux in `management` mode, for the given revisions: the
 * cluster's HelmReleases `<cluster>-<release>` (longest `<cluster>-istio-eastwestgateway`,
 * or `<cluster>-istiod-<revision>` for a long revision) and Kustomizations are label values.
 * Without revisions: 63 - 22 = 41.
 */
export function fluxManagementMaxClusterName(revision: string | undefined, canaryRevision: string | undefined): number {
  const helmReleases = istioReleaseNames(revision, canaryRevision).map((r) => fluxManagedHelmReleaseName('', r));
  return Math.min(FLUX_MAX_CLUSTER_NAME, LABEL_VALUE_MAX - longest(helmReleases));
}

/** {@link fluxManagementMaxClusterName} without revisions: 41. */
export const FLUX_MANAGEMENT_MAX_CLUSTER_NAME = fluxManagementMaxClusterName(undefined, undefined);

/** Argo CD components that are Git directories (the charts are the {@link istioReleaseNames}). */
export const ARGOCD_DIRECTORY_COMPONENTS = ARGOCD_GIT_LAYERS;

/** Name of a cluster's root Argo CD `Application` (app of apps). */
export function argoCdRootName(cluster: string): string {
  return `meshfleet-${cluster}`;
}
