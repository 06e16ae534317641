/**
 * Everything one primary needs for the topology's services: routing, aliases, isolation, access.
 */
import { Construct } from 'constructs';
import { ClusterRoutes } from './cluster-routes';
import { ConsumerSidecar } from './consumer-sidecar';
import { GlobalAlias } from './global-alias';
import { GlobalDestinationRule } from './global-destination-rule';
import { ServiceAuthorization } from './service-authorization';
import { MeshService } from '../topology';
import { GLOBAL_ALIAS_SUFFIX, globalAliasHost, principal, serviceHost } from '../topology/service-hosts';
import type { ConsumerNamespace } from '../topology/service-placement';
import { serviceRouting } from '../topology/service-routes';

/**
 * The pod label AuthorizationPolicies select a service's workloads by: `app: <service name>`,
 * the convention of Istio's samples and of the `app` label Istio's telemetry reads.
 */
export const SERVICE_SELECTOR_LABEL = 'app';

/** A global service whose routing a primary carries, with the namespaces that must see it. */
export interface RoutedService {
  readonly service: MeshService;
  /** `exportTo` of its routing objects: its namespace and its callers', sorted. */
  readonly exportTo: readonly string[];
}

/** Properties of a {@link GlobalServices}. */
export interface GlobalServicesProps {
  /** The mesh's trust domain, the first segment of every allowed principal. */
  readonly trustDomain: string;
  /** Global services whose DestinationRule (and VirtualService, alias) this primary carries, sorted. */
  readonly routed: readonly RoutedService[];
  /** Services running in this primary or its remotes, which get an `AuthorizationPolicy` here. */
  readonly guarded: readonly MeshService[];
  /** Namespaces where declared callers run, with what they call: one `Sidecar` each. */
  readonly consumerNamespaces: readonly ConsumerNamespace[];
  /**
   * The namespace of the east-west gateway, which builds per-subset SNI clusters from the
   * DestinationRules it can see; DestinationRules are exported to it.
   * @default "istio-system"
   * @see https://istio.io/latest/docs/ops/deployment/deployment-models/#multiple-networks
   */
  readonly gatewayNamespace?: string;
  /**
   * The mesh root namespace: callers there (gateways) get no Sidecar, since a selector-less
   * Sidecar in the root namespace is the default of every namespace.
   * @default "istio-system"
   * @see https://istio.io/latest/docs/reference/config/networking/sidecar/
   */
  readonly rootNamespace?: string;
}

/**
 * A primary's service config (written to its `mesh` layer):
 * - per global service its workloads call or run: a `DestinationRule`, a weighted
 *   `VirtualService` when the topology gives weights, and the `.global` alias when asked;
 * - per service running in the primary or its remotes: an `AuthorizationPolicy`;
 * - per namespace its callers run in: a `Sidecar` limited to what they call.
 *
 * Without weights no VirtualService is generated for the service host: one that only routed
 * the host to itself would change nothing, yet would claim the host, and Istio does not merge
 * sidecar VirtualServices of one host, so it would conflict with routes users add for
 * canaries or retries.
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0109/
 */
export class GlobalServices extends Construct {
  constructor(scope: Construct, id: string, props: GlobalServicesProps) {
    super(scope, id);
    const { trustDomain } = props;
    const gatewayNamespace = props.gatewayNamespace ?? 'istio-system';
    const rootNamespace = props.rootNamespace ?? 'istio-system';

    for (const { service, exportTo } of props.routed) {
      const key = `${service.namespace}.${service.name}`;
      const host = serviceHost(service);
      const routing = serviceRouting(service);
      new GlobalDestinationRule(this, `destination-rule:${key}`, {
        name: service.name,
        namespace: service.namespace,
        host,
        clusters: service.runsIn,
        subsets: routing.subsets,
        outlierDetection: service.outlierDetection,
        failover: service.failover,
        failoverPriority: service.failoverPriority,
        exportTo: [...new Set([...exportTo, gatewayNamespace])].sort(),
      });
      if (routing.weights) {
        new ClusterRoutes(this, `virtual-service:${key}`, {
          name: service.name,
          namespace: service.namespace,
          hosts: [host],
          destinationHost: host,
          ports: service.ports,
          weights: routing.weights,
          exportTo,
        });
      }
      if (service.globalAlias) {
        new GlobalAlias(this, `alias:${key}`, {
          // Service names are DNS labels, so `<name>.global` can never be another service's name.
          name: `${service.name}.${GLOBAL_ALIAS_SUFFIX}`,
          namespace: service.namespace,
          host: globalAliasHost(service),
          destinationHost: host,
          ports: service.ports,
          weights: routing.weights,
          exportTo,
        });
      }
    }

    for (const service of props.guarded) {
      new ServiceAuthorization(this, `authorization:${service.namespace}.${service.name}`, {
        name: service.name,
        namespace: service.namespace,
        selector: { [SERVICE_SELECTOR_LABEL]: service.name },
        principals: service.consumers.map((c) => principal(trustDomain, c.namespace, c.serviceAccount)),
      });
    }

    for (const { namespace, services } of props.consumerNamespaces) {
      // Never the root namespace: a selector-less Sidecar there would be every namespace's default.
      if (namespace === rootNamespace) continue;
      new ConsumerSidecar(this, `sidecar:${namespace}`, { namespace, hosts: services.flatMap(egressHosts), rootNamespace });
    }
  }
}

/** The `<namespace>/<host>` entries a caller of `service` needs in its Sidecar. */
function egressHosts(service: MeshService): string[] {
  const hosts = [`${service.namespace}/${serviceHost(service)}`];
  if (service.globalAlias && !service.clusterLocal) hosts.push(`${service.namespace}/${globalAliasHost(service)}`);
  return hosts;
}
