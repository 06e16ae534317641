/**
 * The layer directories of a cluster's output: the one source of truth for their names and
 * order. Charts (`src/layer-chart.ts`), Flux and Argo CD delivery, the loader's hatch rules and
 * the generated-name limits all read these lists.
 *
 * A GitOps tool applies the first five in this order (`reader` and `control-plane` both follow
 * `base`, independently of each other):
 * - `platform`: namespaces, trust (`cacerts`) and remote-cluster credentials;
 * - `base`: the Istio `base` chart (Flux `HelmRepository`/`HelmRelease`): the CRDs and the
 *   reader service account;
 * - `reader`: the reader service account's token Secret (and its `PushSecret`), which the
 *   primaries need to read this cluster, and which needs the service account from `base`;
 * - `control-plane`: istiod (and a canary istiod) and the east-west gateway (Flux `HelmRelease`s);
 * - `mesh`: Istio configuration (`Gateway`, `VirtualService`, `DestinationRule`, policies),
 *   which needs the Istio CRDs and istiod's validating webhook;
 * - `flux`: the Flux objects that apply the layers above, in order (bootstrap entry point);
 * - `istioctl`: `IstioOperator` files for `istioctl install`; never applied by GitOps.
 */

/** Layers a cluster's top-level `kustomization.yaml` includes and Flux applies, in apply order. */
export const APPLIED_LAYERS = ['platform', 'base', 'reader', 'control-plane', 'mesh'] as const;
/** One of {@link APPLIED_LAYERS}. */
export type AppliedLayer = (typeof APPLIED_LAYERS)[number];

/**
 * Layers whose directory is a kustomize root: the applied layers plus `flux`. Flux applies each
 * with a `Kustomization` of its own, and a user may add objects or patches to each.
 */
export const KUSTOMIZE_LAYERS = [...APPLIED_LAYERS, 'flux'] as const;
/** One of {@link KUSTOMIZE_LAYERS}. */
export type KustomizeLayer = (typeof KUSTOMIZE_LAYERS)[number];

/** Every layer directory of a cluster. */
export const LAYERS = [...KUSTOMIZE_LAYERS, 'istioctl'] as const;
/** One of {@link LAYERS}. */
export type Layer = (typeof LAYERS)[number];

/**
 * Layers Argo CD applies as Git directories. `base` and `control-plane` hold Flux
 * `HelmRelease`s only: Argo CD installs the same charts from Helm sources instead.
 */
export const ARGOCD_GIT_LAYERS = ['platform', 'reader', 'mesh'] as const satisfies readonly AppliedLayer[];
/** One of {@link ARGOCD_GIT_LAYERS}. */
export type ArgoCdGitLayer = (typeof ARGOCD_GIT_LAYERS)[number];
