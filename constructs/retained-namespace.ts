/**
 * Annotations that keep a generated `Namespace` when a GitOps tool would delete it.
 */

/**
 * Set on every `Namespace` meshfleet generates, so that neither Flux nor Argo CD ever deletes
 * one: deleting a namespace deletes everything in it, including the workloads and data users
 * deployed there with other tools (and, for `istio-system`, `cacerts` and the control plane).
 * A namespace dropped from the topology, a renamed or removed cluster, or a deleted
 * Application therefore leaves the namespace in place; delete it by hand once it is empty.
 *
 * - `kustomize.toolkit.fluxcd.io/prune: disabled`: Flux's garbage collection skips the object
 *   (when it leaves Git, and when its `Kustomization` is deleted);
 * - `argocd.argoproj.io/sync-options: Prune=false,Delete=false`: Argo CD neither prunes it
 *   when it leaves Git nor deletes it when its Application is deleted with cascade
 *   (`argocd app delete` cascades by default);
 * - `argocd.argoproj.io/compare-options: IgnoreExtraneous`: a namespace left behind that way
 *   does not keep its Application OutOfSync, which would hold back the sync waves after it.
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/#prune
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/#no-prune-resources
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/#no-resource-deletion
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/compare-options/
 */
export const RETAINED_NAMESPACE_ANNOTATIONS: Readonly<Record<string, string>> = {
  'argocd.argoproj.io/compare-options': 'IgnoreExtraneous',
  'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
};
