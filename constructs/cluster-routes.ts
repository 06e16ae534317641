/**
 * A VirtualService that sends a service's traffic to its real host, optionally split by cluster.
 */
import { Construct } from 'constructs';
import * as networking from '../imports/istio-networking.istio.io';
import { IstioProtocol, ServicePort } from '../topology';
import { compareCodePoints } from '../topology/compare';

/** Which VirtualService route list a port's traffic is matched by. */
export type RouteKind = 'http' | 'tcp';

/**
 * The route list Istio applies to a port of this protocol.
 *
 * HTTP-family ports get `http` routes. Everything else is routed per connection by `tcp`
 * routes: TLS and HTTPS (application TLS the sidecar does not terminate) because a sidecar's
 * outbound TLS listener falls back to `tcp` routes (no SNI list to keep in sync), and MONGO,
 * MYSQL and REDIS because their protocol filters are off by default, so Istio treats them as
 * TCP.
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
export function routeKind(protocol: IstioProtocol): RouteKind {
  switch (protocol) {
    case 'HTTP':
    case 'HTTP2':
    case 'GRPC':
    case 'GRPC-WEB':
      return 'http';
    default:
      return 'tcp';
  }
}

/** Properties of a {@link ClusterRoutes}. */
export interface ClusterRoutesProps {
  /** `metadata.name`. */
  readonly name: string;
  /** `metadata.namespace`: the service's namespace. */
  readonly namespace: string;
  /**
   * The hosts this VirtualService answers for (`spec.hosts`).
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService
   */
  readonly hosts: readonly string[];
  /** The service's real host every route goes to (`destination.host`), e.g. `reviews.bookinfo.svc.cluster.local`. */
  readonly destinationHost: string;
  /** The service's ports, in author order; one route per port, matched by port number. */
  readonly ports: readonly ServicePort[];
  /**
   * Percent of traffic per DestinationRule subset, keyed by subset name (a cluster, an app
   * version, or `<cluster>-<version>`; see `serviceRouting`). Subsets with weight 0 get no destination.
   * @default - all traffic to the host, whichever cluster serves it (locality-aware)
   * @see https://istio.io/latest/docs/ops/configuration/traffic-management/multicluster/
   */
  readonly weights?: Readonly<Record<string, number>>;
  /**
   * Namespaces whose proxies see this VirtualService (`spec.exportTo`).
   * @default - every namespace
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService-export_to
   */
  readonly exportTo?: readonly string[];
}

/** `VirtualService` routing each port of `hosts` to `destinationHost`, weighted across per-cluster subsets when given. */
export class ClusterRoutes extends Construct {
  constructor(scope: Construct, id: string, props: ClusterRoutesProps) {
    super(scope, id);
    const weighted = Object.entries(props.weights ?? {})
      .filter(([, weight]) => weight > 0)
      .sort(([a], [b]) => compareCodePoints(a, b));
    const http: networking.VirtualServiceSpecHttp[] = [];
    const tcp: networking.VirtualServiceSpecTcp[] = [];
    for (const port of props.ports) {
      const destination = (subset?: string) => ({ host: props.destinationHost, subset, port: { number: port.number } });
      const route = weighted.length
        ? weighted.map(([cluster, weight]) => ({ destination: destination(cluster), weight }))
        : [{ destination: destination() }];
      if (routeKind(port.protocol) === 'http') http.push({ name: port.name, match: [{ port: port.number }], route });
      else tcp.push({ match: [{ port: port.number }], route });
    }
    new networking.VirtualService(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        hosts: [...props.hosts],
        exportTo: props.exportTo ? [...props.exportTo] : undefined,
        http: http.length ? http : undefined,
        tcp: tcp.length ? tcp : undefined,
      },
    });
  }
}
