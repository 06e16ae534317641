/**
 * The `Gateway` that opens the east-west gateway's port 15443 to other networks.
 */
import { Construct } from 'constructs';
import { ISTIO_SYSTEM_NAMESPACE } from './secret-names';
import * as networking from '../imports/istio-networking.istio.io';
import { Cluster, MeshFacts } from '../topology';

/** Label selecting the east-west gateway pods (the `istio` label the `gateway` chart derives from `istio-eastwestgateway`). */
export const EAST_WEST_GATEWAY_SELECTOR: Readonly<Record<string, string>> = { istio: 'eastwestgateway' };

/**
 * Whether a cluster carries the {@link CrossNetworkGateway}: a primary of a multi-network mesh
 * that runs the east-west gateway itself or has a remote that does. Its istiod configures those
 * gateway pods, and istiod may send a network's callers to any gateway of the endpoints' network
 * (preferring the endpoints' cluster), so every east-west gateway of such a mesh accepts 15443.
 * @see https://istio.io/latest/docs/setup/install/multicluster/primary-remote_multi-network/
 */
export function hasCrossNetworkGateway(facts: MeshFacts, cluster: Cluster): boolean {
  return cluster.role === 'primary' && facts.eastWestPlacement.carriesCrossNetworkGateway(cluster.name);
}

/** Properties of a {@link CrossNetworkGateway}. */
export interface CrossNetworkGatewayProps {
  /**
   * Namespace of the `Gateway` (the sample has none; Istio's guides apply it to `istio-system`).
   * @default "istio-system"
   */
  readonly namespace?: string;
}

/**
 * `Gateway cross-network-gateway`: Istio's `samples/multicluster/expose-services.yaml`, with its
 * namespace set. Port 15443 in `AUTO_PASSTHROUGH` mode routes on the SNI the calling sidecar
 * sets, so the sidecars' mTLS runs end to end through the gateway and no certificate sits on it
 * (a `MUTUAL` server with a `credentialName` would terminate that mTLS; the topology refuses it).
 *
 * It goes to the primaries that {@link hasCrossNetworkGateway} names: a primary's istiod
 * configures the gateway pods of its own cluster and of its remotes, so one object there
 * exposes both.
 * @see https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/#expose-services-in-cluster1
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSmode
 */
export class CrossNetworkGateway extends Construct {
  constructor(scope: Construct, id: string, props: CrossNetworkGatewayProps = {}) {
    super(scope, id);
    new networking.Gateway(this, 'Resource', {
      metadata: { name: 'cross-network-gateway', namespace: props.namespace ?? ISTIO_SYSTEM_NAMESPACE },
      spec: {
        selector: { ...EAST_WEST_GATEWAY_SELECTOR },
        servers: [
          {
            port: { number: 15443, name: 'tls', protocol: 'TLS' },
            tls: { mode: networking.GatewaySpecServersTlsMode.AUTO_UNDERSCORE_PASSTHROUGH },
            hosts: ['*.local'],
          },
        ],
      },
    });
  }
}
