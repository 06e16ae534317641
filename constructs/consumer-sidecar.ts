/**
 * The namespace-wide Sidecar that limits callers' proxies to the services they are declared to call.
 */
import { Construct } from 'constructs';
import * as networking from '../imports/istio-networking.istio.io';

/** Properties of a {@link ConsumerSidecar}. */
export interface ConsumerSidecarProps {
  /** The callers' namespace (`metadata.namespace`). */
  readonly namespace: string;
  /**
   * Hosts the namespace's proxies may reach, as `<namespace>/<host>`; the namespace is the one
   * of the Service or ServiceEntry (its VirtualServices and DestinationRules come with it).
   * @see https://istio.io/latest/docs/reference/config/networking/sidecar/#IstioEgressListener
   */
  readonly hosts: readonly string[];
  /**
   * The mesh root namespace, always imported whole (`<root>/*`): istiod, gateways.
   * @default "istio-system"
   */
  readonly rootNamespace?: string;
}

/**
 * `Sidecar default` (no workload selector: the namespace-wide one) with one egress listener
 * listing only `hosts` plus the root namespace, so proxies neither receive config for the
 * rest of the fleet nor have a route to it.
 *
 * A host outside the list is unknown to the proxy: with the default
 * `outboundTrafficPolicy: ALLOW_ANY` the call leaves as plain TCP through the passthrough
 * cluster (so a mesh service, which requires mTLS, refuses it; a non-mesh host still works),
 * with `REGISTRY_ONLY` it is blocked.
 * @see https://istio.io/latest/docs/reference/config/networking/sidecar/
 */
export class ConsumerSidecar extends Construct {
  constructor(scope: Construct, id: string, props: ConsumerSidecarProps) {
    super(scope, id);
    const root = `${props.rootNamespace ?? 'istio-system'}/*`;
    new networking.Sidecar(this, 'Resource', {
      metadata: { name: 'default', namespace: props.namespace },
      spec: { egress: [{ hosts: [root, ...[...new Set(props.hosts)].filter((h) => h !== root).sort()] }] },
    });
  }
}
