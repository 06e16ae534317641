/**
 * The opt-in `<name>.<namespace>.global` alias of a service: a name, not a second service.
 *
 * Istio's 1.1–1.7 `.global` mechanism (CoreDNS plugin, ServiceEntries pointing at a remote
 * gateway's port 15443) was removed; it must not be rebuilt. The alias here is three parts:
 * - a `ServiceEntry` for the alias host with ports only, `MESH_INTERNAL`, `resolution: STATIC`
 *   and no endpoints: istiod auto-allocates it a virtual IP (`status.addresses`; not for
 *   `resolution: NONE`), and the sidecar's DNS proxy answers the alias with that IP;
 * - a `VirtualService` on the alias host routing every port to the real
 *   `<name>.<namespace>.svc.cluster.local` host, so upstream TLS, SNI and endpoints are the real
 *   service's and cross-network traffic through the east-west gateway works unchanged;
 * - DNS capture (`ISTIO_META_DNS_CAPTURE`) in the mesh config of the callers' control planes
 *   (see `service-mesh-config.ts`).
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/dns-proxy/
 */
import { Construct } from 'constructs';
import { ClusterRoutes } from './cluster-routes';
import * as networking from '../imports/istio-networking.istio.io';
import { ServicePort } from '../topology';

/** Properties of a {@link GlobalAlias}. */
export interface GlobalAliasProps {
  /** `metadata.name` of both objects. */
  readonly name: string;
  /** `metadata.namespace`: the service's namespace. */
  readonly namespace: string;
  /** The alias host, `<name>.<namespace>.global`. */
  readonly host: string;
  /** The real host the alias routes to, `<name>.<namespace>.svc.cluster.local`. */
  readonly destinationHost: string;
  /** The service's ports (the ServiceEntry declares the same ones). */
  readonly ports: readonly ServicePort[];
  /**
   * Per-cluster weights of the real service. A VirtualService routes to clusters, not to other
   * VirtualServices, so the alias repeats them.
   * @default - no split
   */
  readonly weights?: Readonly<Record<string, number>>;
  /**
   * Namespaces whose proxies see the alias (`spec.exportTo` of both objects).
   * @default - every namespace
   * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-export_to
   */
  readonly exportTo?: readonly string[];
}

/** `ServiceEntry` + `VirtualService` that make `<name>.<namespace>.global` reach the real service. */
export class GlobalAlias extends Construct {
  constructor(scope: Construct, id: string, props: GlobalAliasProps) {
    super(scope, id);
    const exportTo = props.exportTo ? [...props.exportTo] : undefined;
    new networking.ServiceEntry(this, 'ServiceEntry', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        hosts: [props.host],
        exportTo,
        location: networking.ServiceEntrySpecLocation.MESH_UNDERSCORE_INTERNAL,
        // STATIC without endpoints: gets an auto-allocated VIP (NONE would not), and Envoy
        // never resolves the alias through DNS (DNS would); its own cluster stays unused.
        resolution: networking.ServiceEntrySpecResolution.STATIC,
        ports: props.ports.map((p) => ({ name: p.name, number: p.number, protocol: p.protocol })),
      },
    });
    new ClusterRoutes(this, 'Routes', {
      name: props.name,
      namespace: props.namespace,
      hosts: [props.host],
      destinationHost: props.destinationHost,
      ports: props.ports,
      weights: props.weights,
      exportTo,
    });
  }
}
