/**
 * The DNS names a shared service answers to, as Istio and Kubernetes spell them.
 */

/** The Kubernetes cluster domain; Istio multicluster assumes the same one in every cluster. */
export const CLUSTER_DOMAIN = 'cluster.local';

/** The suffix of the opt-in alias names (`<name>.<namespace>.global`). */
export const GLOBAL_ALIAS_SUFFIX = 'global';

/** A service's name and namespace: all a host name is made of. */
export interface ServiceName {
  readonly name: string;
  readonly namespace: string;
}

/**
 * The service's fully qualified Kubernetes host, `<name>.<namespace>.svc.cluster.local`: the
 * host Istio merges across clusters (namespace sameness) and routes with VirtualServices and
 * DestinationRules.
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/multicluster/
 */
export function serviceHost(service: ServiceName): string {
  return `${service.name}.${service.namespace}.svc.${CLUSTER_DOMAIN}`;
}

/**
 * The service's `.global` alias, `<name>.<namespace>.global`, answered by the sidecar's DNS
 * proxy from a `ServiceEntry` and routed to {@link serviceHost} by a `VirtualService`.
 */
export function globalAliasHost(service: ServiceName): string {
  return `${service.name}.${service.namespace}.${GLOBAL_ALIAS_SUFFIX}`;
}

/** The SPIFFE-derived principal of a workload identity, as AuthorizationPolicy spells it (no `spiffe://`). */
export function principal(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}
