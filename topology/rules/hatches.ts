/**
 * Cross-field rules of the escape hatches: app versions and their weights, east-west gateway
 * Service options, and where own objects and patches may go.
 */
import { RuleContext } from './context';
import { isIpAddress } from './control-plane';
import { shown } from '../problems';
import { ServiceDraft } from '../schema';

/** The label istiod sets on every endpoint; version subsets may not select on it (meshfleet's per-cluster subsets do). */
const CLUSTER_LABEL = 'topology.istio.io/cluster';

/** Checks versions, gateway Service options, and the layers of own objects. */
export function hatchRules(ctx: RuleContext): void {
  for (const service of ctx.draft.services) versionRules(ctx, service);

  const servesRemotes = new Set(ctx.draft.clusters.filter((c) => c.role === 'remote' && c.controlPlane).map((c) => c.controlPlane!));
  for (const cluster of ctx.draft.clusters) {
    const ewg = cluster.eastWestGateway;
    if (ewg.serviceType === 'NodePort' && servesRemotes.has(cluster.name)) {
      ctx.report(cluster, 'eastWestGateway.serviceType',
        'NodePort cannot serve remotes: they reach istiod at eastWestGateway.address on ports 15012 and 15017, which a NodePort Service does not open on the nodes; use LoadBalancer, or ClusterIP with an external IP');
    }
    if (ewg.loadBalancerIP && ewg.address && isIpAddress(ewg.address) && ewg.address !== ewg.loadBalancerIP) {
      ctx.report(cluster, 'eastWestGateway.loadBalancerIP',
        `differs from eastWestGateway.address ${shown(ewg.address)}, which remotes and other networks are told to use (got ${shown(ewg.loadBalancerIP)}): remove loadBalancerIP (the address is used) or make them equal`);
    }
  }

  if (!ctx.draft.delivery.flux) {
    const scopes = [{ at: 'mesh', objects: ctx.draft.mesh.objects }, ...ctx.draft.clusters.map((c) => ({ at: ctx.pathOf(c), objects: c.objects }))];
    for (const { at, objects } of scopes) {
      const flux = objects.find((o) => o.layer === 'flux');
      if (flux) ctx.report(at, 'objects', 'adds objects to layer flux, which exists only with delivery.flux: pick another layer or enable Flux');
    }
  }
}

function versionRules(ctx: RuleContext, service: ServiceDraft): void {
  const { versions } = service;
  if (!versions.length) return;
  const names = new Set<string>();
  for (const version of versions) {
    if (names.has(version.name)) ctx.report(version, 'name', `duplicate version "${version.name}": each subset name is declared once`);
    names.add(version.name);
    if (CLUSTER_LABEL in version.labels) {
      ctx.report(version, `labels."${CLUSTER_LABEL}"`, `is meshfleet's per-cluster subset label: place versions by cluster with runsIn and weights, not by this label`);
    }
  }
  if (service.clusterLocal) {
    ctx.report(service, 'versions', 'are not available on a cluster-local service: meshfleet writes no cross-cluster DestinationRule or VirtualService for it');
    return;
  }
  const weighted = versions.filter((v) => v.weight !== undefined);
  if (weighted.length && weighted.length !== versions.length) {
    for (const v of versions) if (v.weight === undefined) ctx.report(v, 'weight', 'is required when another version has a weight: give every version a weight (0 to keep it idle)');
    return;
  }
  if (!weighted.length || ctx.wasRejected(service, 'versions')) return;
  const total = weighted.reduce((sum, v) => sum + v.weight!, 0);
  if (total !== 100) {
    ctx.report(service, 'versions', `weights must add up to 100 (got ${total})`);
    return;
  }
  // Combined with per-cluster weights, each route goes to one version in one cluster with weight
  // clusterWeight × versionWeight / 100; Istio takes whole percentages only.
  if (service.weights && !ctx.wasRejected(service, 'weights')) {
    for (const [cluster, cw] of Object.entries(service.weights)) {
      for (const v of weighted) {
        if ((cw * v.weight!) % 100 !== 0) {
          ctx.report(v, 'weight', `combined with weights.${cluster} (${cw}) gives ${(cw * v.weight!) / 100}% of the traffic to "${v.name}" in ${cluster}: ` +
            'Istio route weights are whole percentages, so pick weights whose products are multiples of 100');
        }
      }
    }
  }
}
