/**
 * Cross-field rules about the Istio control plane and the east-west gateways: how remotes
 * reach istiod, how other networks reach a network's services, and canary revisions.
 */
import { RuleContext } from './context';
import { shown } from '../problems';
import { Cluster, SUPPORTED_ISTIO_MINORS } from '../types';

/** Checks istiod reachability for remotes, gateway address sources and the canary control plane. */
export function controlPlaneRules(ctx: RuleContext): void {
  checkRemotePilotAddress(ctx);
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
  return serviceType === 'LoadBalancer' || (address !== undefined && isIpAddress(address));
}

// A remote's istiod Service (and injection webhook) point at global.remotePilotAddress,
// which Helm needs at install time: the primary's east-west gateway address must be known.
// https://istio.io/latest/docs/setup/install/multicluster/primary-remote_multi-network/
function checkRemotePilotAddress(ctx: RuleContext): void {
  for (const remote of ctx.draft.clusters) {
    if (remote.role !== 'remote' || !remote.controlPlane) continue;
    const primary = ctx.clusters.get(remote.controlPlane);
    if (!primary || primary.role !== 'primary' || primary.eastWestGateway.address) continue;
    ctx.report(remote, 'controlPlane',
      `primary "${primary.name}" has no east-west gateway address: remote "${remote.name}" reaches istiod through it ` +
      `(global.remotePilotAddress), so set ${ctx.pathOf(primary)}.eastWestGateway.address to the gateway's fixed IP or DNS name`);
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

// In a multi-network mesh istiod sends callers in other networks to the gateway of the
// endpoints' network; a network whose gateways have no discoverable address drops them.
function checkNetworkGatewayAddresses(ctx: RuleContext): void {
  const clusters = [...ctx.clusters.values()];
  const networkOf = new Map(clusters.map((c) => [c.name, c.network]));
  if (new Set(networkOf.values()).size < 2) return;
  const reachable = new Set(clusters.filter(hasGatewayAddressSource).map((c) => c.network));
  const reported = new Set<string>();
  const clusterNames = [...ctx.clusters.keys()].sort();

  for (const service of ctx.draft.services) {
    if (service.clusterLocal) continue;
    const serving = new Set(service.runsIn.map((name) => networkOf.get(name)).filter((n): n is string => !!n));
    const unreachable = [...serving].filter((n) => !reachable.has(n) && !reported.has(n));
    if (!unreachable.length) continue;
    for (const consumer of service.consumers) {
      const callers = consumer.clusters ?? clusterNames.filter((name) => ctx.namespacesOf.get(name)?.has(consumer.namespace));
      for (const caller of callers) {
        const callerNetwork = networkOf.get(caller);
        for (const network of unreachable) {
          if (!callerNetwork || callerNetwork === network || reported.has(network)) continue;
          reported.add(network);
          const members = clusters.filter((c) => c.network === network);
          ctx.report(members[0], 'eastWestGateway.serviceType',
            `network "${network}" has no east-west gateway address other networks can reach, but ${service.namespace}/${service.name} ` +
            `runs there and is called from cluster "${caller}" on network "${callerNetwork}": give one of its clusters ` +
            `(${members.map((c) => c.name).sort().join(', ')}) serviceType LoadBalancer, or an eastWestGateway.address IP with serviceType ClusterIP`);
        }
      }
    }
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
  const match = /^1\.(\d+)\.(\d+)$/.exec(canary.version);
  const { min, max } = SUPPORTED_ISTIO_MINORS;
  if (!match || Number(match[1]) < min || Number(match[1]) > max) {
    ctx.report('mesh.istio.canary.version', undefined,
      `unsupported Istio version ${shown(canary.version)}: meshfleet supports 1.${min}.0 to 1.${max}.x (a full x.y.z release, e.g. "1.${max}.3")`);
  }
  const present = new Set<string>();
  for (const names of ctx.namespacesOf.values()) for (const name of names) present.add(name);
  for (const service of ctx.draft.services) for (const consumer of service.consumers) present.add(consumer.namespace);
  canary.namespaces.forEach((name) => {
    if (present.has(name)) return;
    ctx.report(`mesh.istio.canary.namespaces[${ctx.indexIn({}, 'mesh.istio.canary.namespaces', name)}]`, undefined,
      `names namespace "${name}", which no cluster has: list application namespaces of the topology (clusters[].namespaces, services[].namespace, consumers[].namespace)`);
  });
}
