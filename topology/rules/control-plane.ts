/**
 * Cross-field rules about the Istio control plane and the east-west gateways: how remotes
 * reach istiod, how other networks reach a network's services, and canary revisions.
 */
import { checkIstioVersion } from './clusters';
import { RuleContext } from './context';
import { reservedNamespaceReason } from './namespaces';
import { EastWestPlacement } from '../east-west-placement';
import { shown } from '../problems';
import { Cluster } from '../types';

/** Checks istiod reachability for remotes, gateway address sources and the canary control plane. */
export function controlPlaneRules(ctx: RuleContext): void {
  checkRemotePilotAddress(ctx);
  checkRemotePilotAddressIsIp(ctx);
  checkGatewayAddressFormat(ctx);
  checkNetworkGatewayAddresses(ctx);
  checkCanary(ctx);
}

/** Whether a string is an IPv4 or IPv6 literal (what a Service's `externalIPs` accepts). */
export function isIpAddress(value: string): boolean {
  if (/^(\d{1,3})(\.\d{1,3}){3}$/.test(value)) return value.split('.').every((part) => Number(part) <= 255);
  return value.includes(':') && /^[0-9A-Fa-f:.]+$/.test(value);
}

/**
 * Whether other networks can learn where a cluster's east-west gateway is: istiod reads
 * a LoadBalancer's address from the Service status, a ClusterIP gateway's only from the
 * `externalIPs` meshfleet sets from `eastWestGateway.address`.
 * @see https://istio.io/latest/docs/reference/config/labels/#TopologyNetwork
 */
export function hasGatewayAddressSource(cluster: Cluster): boolean {
  const { serviceType, address } = cluster.eastWestGateway;
  // NodePort: istiod uses the nodes' external IPs and the Service's node port for 15443.
  return serviceType === 'LoadBalancer' || serviceType === 'NodePort' || (address !== undefined && isIpAddress(address));
}

// A remote's istiod Service (and injection webhook) point at global.remotePilotAddress,
// which Helm needs at install time: the primary's east-west gateway address must be known.
// https://istio.io/latest/docs/setup/install/multicluster/primary-remote_multi-network/
function checkRemotePilotAddress(ctx: RuleContext): void {
  for (const remote of ctx.draft.clusters) {
    if (remote.role !== 'remote' || !remote.controlPlane) continue;
    const primary = ctx.clusters.get(remote.controlPlane);
    if (!primary || primary.role !== 'primary' || primary.eastWestGateway.address) continue;
    // An address that is there but malformed already has its problem.
    if (ctx.wasRejected(primary, 'eastWestGateway.address')) continue;
    ctx.report(remote, 'controlPlane',
      `primary "${primary.name}" has no east-west gateway address: remote "${remote.name}" reaches istiod through it ` +
      `(global.remotePilotAddress), so set ${ctx.pathOf(primary)}.eastWestGateway.address to the gateway's fixed IP or DNS name`);
  }
}

// A host name as global.remotePilotAddress makes the istiod chart render the remote's `istiod`
// Service as ExternalName (templates/remote-istiod-service.yaml). The remote's API server then
// calls the injection and validation webhooks at https://<name>:443 (the Service's targetPort
// 15017 is not used, and the east-west gateway serves webhooks on 15017 only), and with
// aggregator routing (EKS, k3s) refuses ExternalName Services outright: the injector fails
// closed and no injected pod of the remote starts (istio/istio#45014, #37331, k3s-io/k3s#7971).
// An IP renders an EndpointSlice with 15012 and 15017 instead, which works everywhere.
function checkRemotePilotAddressIsIp(ctx: RuleContext): void {
  const served = new Map<string, string[]>();
  for (const remote of ctx.draft.clusters) {
    if (remote.role === 'remote' && remote.controlPlane) served.set(remote.controlPlane, [...(served.get(remote.controlPlane) ?? []), remote.name]);
  }
  for (const primary of ctx.draft.clusters) {
    const remotes = served.get(primary.name);
    const address = primary.eastWestGateway.address;
    if (primary.role !== 'primary' || !remotes || address === undefined || isIpAddress(address)) continue;
    if (ctx.wasRejected(primary, 'eastWestGateway.address')) continue;
    ctx.report(primary, 'eastWestGateway.address',
      `must be an IP address, because ${remotes.length > 1 ? 'remotes' : 'remote'} ${remotes.sort().map((r) => `"${r}"`).join(', ')} ` +
      `${remotes.length > 1 ? 'reach' : 'reaches'} istiod through it (global.remotePilotAddress) (got ${shown(address)}): ` +
      'with a host name the remote\'s istiod Service becomes an ExternalName Service, and the remote\'s API server calls the sidecar injector at ' +
      `https://${address}:443 (not 15017) or refuses ExternalName webhooks outright (istio/istio#45014), so no injected pod of the remote can start; ` +
      'give the gateway a static IP (a reserved load balancer IP) and set it here');
  }
}

function checkGatewayAddressFormat(ctx: RuleContext): void {
  for (const cluster of ctx.draft.clusters) {
    const { serviceType, address } = cluster.eastWestGateway;
    if (serviceType === 'ClusterIP' && address !== undefined && !isIpAddress(address)) {
      ctx.report(cluster, 'eastWestGateway.address',
        `must be an IP address with serviceType ClusterIP, because it becomes the gateway Service's externalIPs (got ${shown(address)}): ` +
        'use an IP, or serviceType LoadBalancer');
    }
  }
}

// istiod sends a caller on another network to a gateway of the endpoints' network: one in the
// endpoints' cluster if that has an address, else any other of the network (all of them accept
// 15443 in a multi-network mesh). A network none of whose gateways has a discoverable address
// drops those calls. Only clusters that run the gateway count (see east-west-placement.ts): a
// LoadBalancer setting on a cluster that runs none gives the network nothing.
// https://istio.io/latest/docs/reference/config/labels/#TopologyNetwork
function checkNetworkGatewayAddresses(ctx: RuleContext): void {
  const clusters = [...ctx.clusters.values()];
  const placement = EastWestPlacement.build(clusters, ctx.draft.services, (service) => service.consumers.flatMap((c) => ctx.consumerClusters(c)));
  if (!placement.multiNetwork) return;
  const gatewaysOf = new Map<string, Cluster[]>();
  const reachable = new Set<string>();
  for (const cluster of clusters) {
    if (!placement.runsGateway(cluster.name)) continue;
    gatewaysOf.set(cluster.network, [...(gatewaysOf.get(cluster.network) ?? []), cluster]);
    if (hasGatewayAddressSource(cluster)) reachable.add(cluster.network);
  }
  const reported = new Set<string>();
  for (const cluster of clusters) {
    const call = placement.crossNetworkCallTo(cluster.name);
    if (!call || reachable.has(cluster.network) || reported.has(cluster.network)) continue;
    reported.add(cluster.network);
    const { service, caller } = call;
    const gateways = gatewaysOf.get(cluster.network)!.map((c) => c.name).sort().join(', ');
    ctx.report(cluster, 'eastWestGateway.serviceType',
      `network "${cluster.network}" has no east-west gateway address other networks can reach, but ${service.namespace}/${service.name} ` +
      `runs there (in "${cluster.name}") and is called from cluster "${caller.name}" on network "${caller.network}": ` +
      `give one of the clusters running its gateway (${gateways}) serviceType LoadBalancer, or an eastWestGateway.address IP with serviceType ClusterIP`);
  }
}

function checkCanary(ctx: RuleContext): void {
  const { istio } = ctx.draft.mesh;
  const canary = istio.canary;
  if (!canary) return;
  if (canary.revision === (istio.revision ?? 'default')) {
    ctx.report('mesh.istio.canary.revision', undefined,
      istio.revision
        ? `must differ from mesh.istio.revision "${istio.revision}": the canary runs beside the stable control plane`
        : '"default" names the unrevisioned control plane: choose another revision, e.g. "1-30-3"');
  }
  checkIstioVersion(ctx, 'mesh.istio.canary.version', canary.version);
  const present = new Set<string>();
  for (const names of ctx.namespacesOf.values()) for (const name of names) present.add(name);
  for (const service of ctx.draft.services) for (const consumer of service.consumers) present.add(consumer.namespace);
  canary.namespaces.forEach((name) => {
    // A reserved namespace has its own problem (namespaces.ts).
    if (present.has(name) || reservedNamespaceReason(ctx, name)) return;
    ctx.report(`mesh.istio.canary.namespaces[${ctx.indexIn({}, 'mesh.istio.canary.namespaces', name)}]`, undefined,
      `names namespace "${name}", which no cluster has: list application namespaces of the topology (clusters[].namespaces, services[].namespace, consumers[].namespace)`);
  });
}
