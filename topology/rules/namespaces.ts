/**
 * Cross-field rules about reserved namespaces: application namespaces (of services, of
 * clusters, of the canary) must not be namespaces that Kubernetes, Istio or the GitOps tools
 * own, because meshfleet labels application namespaces for sidecar injection and writes
 * each service's policies into its namespace.
 */
import { RuleContext } from './context';
import { MESH_ROOT_NAMESPACE } from '../service-placement';

const KUBERNETES = 'is a Kubernetes system namespace: meshfleet would label it for sidecar injection and inject the cluster\'s own components';

/** Why a namespace cannot hold applications, or `undefined` when it can. */
export function reservedNamespaceReason(ctx: RuleContext, namespace: string): string | undefined {
  const { flux, argocd } = ctx.draft.delivery;
  if (namespace === MESH_ROOT_NAMESPACE) {
    return `is Istio's root namespace: an AuthorizationPolicy or DestinationRule there applies to the whole mesh, not to one service`;
  }
  if (namespace === 'kube-system' || namespace === 'kube-public' || namespace === 'kube-node-lease') return KUBERNETES;
  if (namespace === 'flux-system' || namespace === flux?.namespace) {
    return 'is the Flux namespace: meshfleet would label it for sidecar injection and inject the Flux controllers';
  }
  if (namespace === 'argocd' || namespace === argocd?.namespace) {
    return 'is the Argo CD namespace: meshfleet would label it for sidecar injection and inject Argo CD';
  }
  return undefined;
}

/** Refuses reserved namespaces as service, cluster and canary namespaces. */
export function namespaceRules(ctx: RuleContext): void {
  const advice = 'use an application namespace';
  for (const service of ctx.draft.services) {
    const reason = service.namespace && reservedNamespaceReason(ctx, service.namespace);
    if (reason) ctx.report(service, 'namespace', `"${service.namespace}" ${reason}; ${advice}`);
  }
  for (const cluster of ctx.draft.clusters) {
    for (const namespace of cluster.namespaces) {
      const reason = reservedNamespaceReason(ctx, namespace);
      if (reason) ctx.report(cluster, `namespaces[${ctx.indexIn(cluster, 'namespaces', namespace)}]`, `"${namespace}" ${reason}; ${advice}`);
    }
  }
  for (const namespace of ctx.draft.mesh.istio.canary?.namespaces ?? []) {
    const reason = reservedNamespaceReason(ctx, namespace);
    if (reason) {
      ctx.report(`mesh.istio.canary.namespaces[${ctx.indexIn({}, 'mesh.istio.canary.namespaces', namespace)}]`, undefined, `"${namespace}" ${reason}; ${advice}`);
    }
  }
}
