/**
 * Exposing a primary's istiod (xDS/CA on 15012, sidecar injection and validation webhooks on
 * 15017) on its east-west gateway, for the remote clusters it serves.
 */
import { Construct } from 'constructs';
import { EAST_WEST_GATEWAY_SELECTOR } from './cross-network-gateway';
import { ISTIO_SYSTEM_NAMESPACE } from './secret-names';
import * as networking from '../imports/istio-networking.istio.io';

/** Properties of an {@link ExposeIstiod}. */
export interface ExposeIstiodProps {
  /**
   * Control-plane revisions to expose, each reached by remotes at `istiod-<revision>`
   * (the stable one first, then a canary). `undefined` is the unrevisioned `istiod`.
   * @see https://istio.io/latest/docs/setup/install/multicluster/primary-remote_multi-network/#expose-the-control-plane-in-cluster1
   */
  readonly revisions: readonly (string | undefined)[];
  /**
   * Namespace of the objects (the samples have none; Istio's guides apply them to `istio-system`).
   * @default "istio-system"
   */
  readonly namespace?: string;
}

/**
 * `Gateway istiod-gateway` and one `VirtualService` per revision, as Istio's
 * `samples/multicluster/expose-istiod.yaml` (unrevisioned: `istiod-vs`, any SNI) and
 * `expose-istiod-rev.yaml.tmpl` (revision `r`: `istiod-vs-r`, SNI `istiod-r.istio-system.svc`),
 * with namespaces set. Both ports pass TLS through to istiod, so remotes verify istiod's own
 * certificate.
 */
export class ExposeIstiod extends Construct {
  constructor(scope: Construct, id: string, props: ExposeIstiodProps) {
    super(scope, id);
    const namespace = props.namespace ?? ISTIO_SYSTEM_NAMESPACE;
    // The revisioned template names the webhook port tls-webhook, the plain sample tls-istiodwebhook.
    const webhookPortName = props.revisions[0] ? 'tls-webhook' : 'tls-istiodwebhook';
    new networking.Gateway(this, 'gateway', {
      metadata: { name: 'istiod-gateway', namespace },
      spec: {
        selector: { ...EAST_WEST_GATEWAY_SELECTOR },
        servers: [
          { port: { name: 'tls-istiod', number: 15012, protocol: 'tls' }, tls: { mode: networking.GatewaySpecServersTlsMode.PASSTHROUGH }, hosts: ['*'] },
          { port: { name: webhookPortName, number: 15017, protocol: 'tls' }, tls: { mode: networking.GatewaySpecServersTlsMode.PASSTHROUGH }, hosts: ['*'] },
        ],
      },
    });
    for (const revision of props.revisions) {
      const service = revision ? `istiod-${revision}` : 'istiod';
      const host = `${service}.${ISTIO_SYSTEM_NAMESPACE}.svc.cluster.local`;
      const sniHosts = revision ? [`${service}.${ISTIO_SYSTEM_NAMESPACE}.svc`, host] : ['*'];
      new networking.VirtualService(this, `vs-${revision ?? 'default'}`, {
        metadata: { name: revision ? `istiod-vs-${revision}` : 'istiod-vs', namespace },
        spec: {
          hosts: ['*'],
          gateways: ['istiod-gateway'],
          tls: [
            { match: [{ port: 15012, sniHosts: [...sniHosts] }], route: [{ destination: { host, port: { number: 15012 } } }] },
            { match: [{ port: 15017, sniHosts: [...sniHosts] }], route: [{ destination: { host, port: { number: 443 } } }] },
          ],
        },
      });
    }
  }
}
