/**
 * Cross-field rules about global services: who may call them, cluster-local isolation,
 * locality failover as Istio validates it, and `.global` aliases.
 *
 * `services.ts` checks names, ports, known clusters and known regions; these rules assume
 * those facts and add what the generated Istio config depends on.
 */
import { RuleContext } from './context';
import { shown } from '../problems';
import { ConsumerDraft, ServiceDraft } from '../schema';
import { GLOBAL_ALIAS_SUFFIX, globalAliasHost } from '../service-hosts';
import { MESH_ROOT_NAMESPACE } from '../service-placement';

/** Topology labels Istio refuses in `failoverPriority` when `failover` is also set. */
const LOCALITY_LABELS = ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone'];

/** A Kubernetes label key (`[prefix/]name`), optionally `=value`, as `failoverPriority` takes. */
const LABEL_SELECTOR = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?(=([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?)?$/;

/** Checks consumers, cluster-local services, failover settings and `.global` aliases. */
export function globalServiceRules(ctx: RuleContext): void {
  const services = ctx.draft.services.filter((s) => s.name && s.namespace);
  const byKey = new Map(services.map((s) => [`${s.namespace}/${s.name}`, s]));
  for (const service of services) {
    for (const consumer of service.consumers) checkConsumer(ctx, service, consumer);
    if (service.clusterLocal) checkClusterLocal(ctx, service);
    checkFailover(ctx, service);
    if (service.globalAlias) checkAlias(ctx, service, byKey);
  }
}

/** A caller must run in the mesh: in a cluster where its namespace exists. */
function checkConsumer(ctx: RuleContext, service: ServiceDraft, consumer: ConsumerDraft): void {
  const namespace = consumer.namespace;
  if (!namespace) return;
  if (namespace === MESH_ROOT_NAMESPACE) {
    // Gateways: istio-system exists in every cluster but is not an application namespace.
    if (consumer.clusters === undefined) {
      ctx.report(consumer, 'namespace',
        `callers in "${namespace}" (gateways) must list their clusters: add clusters to this consumer`);
    }
    return;
  }
  if (consumer.clusters === undefined) {
    if (!ctx.clustersWithNamespace(namespace).length) {
      ctx.report(consumer, 'namespace',
        `no cluster has namespace "${namespace}": add it to the namespaces of the clusters the caller runs in, or fix the namespace`);
    }
    return;
  }
  const runsIn = new Set(service.runsIn);
  for (const name of consumer.clusters) {
    const cluster = ctx.clusters.get(name);
    if (!cluster) continue; // services.ts reports unknown clusters
    const field = `clusters[${ctx.indexIn(consumer, 'clusters', name)}]`;
    if (!ctx.namespacesOf.get(name)?.has(namespace)) {
      ctx.report(consumer, field,
        `cluster "${name}" has no namespace "${namespace}": add "${namespace}" to ${ctx.pathOf(cluster)}.namespaces, or remove "${name}" from the consumer's clusters`);
    } else if (service.clusterLocal && !runsIn.has(name)) {
      ctx.report(consumer, field,
        `"${name}" does not run cluster-local service "${service.namespace}/${service.name}": its callers only reach replicas in their own cluster; ` +
          `call it from a cluster in runsIn (${service.runsIn.join(', ')}) or remove clusterLocal`);
    }
  }
}

/** Cluster-local services get no cross-cluster config, so cross-cluster settings would be silently lost. */
function checkClusterLocal(ctx: RuleContext, service: ServiceDraft): void {
  const why = 'clusterLocal keeps every call inside the caller\'s cluster';
  if (service.weights) ctx.report(service, 'weights', `must not be set on a cluster-local service: ${why}, so there are no clusters to weight; remove weights or clusterLocal`);
  if (service.failover.length) ctx.report(service, 'failover', `must not be set on a cluster-local service: ${why}, so traffic never fails over to another region; remove failover or clusterLocal`);
  if (service.failoverPriority.length) {
    ctx.report(service, 'failoverPriority', `must not be set on a cluster-local service: ${why}; remove failoverPriority or clusterLocal`);
  }
  if (service.globalAlias) ctx.report(service, 'globalAlias', `must not be set on a cluster-local service: a .global name addresses the service across clusters; remove globalAlias or clusterLocal`);
}

/**
 * Failover must lead somewhere the service runs, and `failover` + `failoverPriority` must
 * pass Istio's validation (pkg/config/validation/agent: ValidateLocalityLbSetting).
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting
 */
function checkFailover(ctx: RuleContext, service: ServiceDraft): void {
  const regions = [...new Set(service.runsIn.map((name) => ctx.clusters.get(name)?.region).filter((r): r is string => !!r))].sort();
  const firstFrom = new Map<string, string>();
  for (const entry of service.failover) {
    if (entry.from) {
      const earlier = firstFrom.get(entry.from);
      if (earlier) ctx.report(entry, 'from', `region "${entry.from}" already fails over in ${earlier}: give each region one failover entry`);
      else firstFrom.set(entry.from, ctx.pathOf(entry));
    }
    // services.ts reports regions no cluster is in; here: known regions the service is not in.
    if (entry.to && ctx.regions.has(entry.to) && !regions.includes(entry.to) && regions.length && ctx.runsInResolved(service)) {
      ctx.report(entry, 'to', `"${service.namespace}/${service.name}" does not run in region "${entry.to}": fail over to a region of a cluster in runsIn (${regions.join(', ')})`);
    }
  }

  // With weights every request goes to one cluster's subset, and a cluster is in one region:
  // the subset has no endpoints in another region to fail over to.
  if (service.weights && service.failover.length && !service.clusterLocal) {
    ctx.report(service, 'failover',
      'has no effect together with weights: each request is routed to one cluster\'s subset, which has no endpoints in another region; remove failover or weights');
  }

  const seen = new Set<string>();
  service.failoverPriority.forEach((label, i) => {
    const field = `failoverPriority[${i}]`;
    if (!LABEL_SELECTOR.test(label)) {
      ctx.report(service, field, `must be a label key or key=value pair, e.g. topology.istio.io/network (got ${shown(label)})`);
    } else if (seen.has(label)) {
      ctx.report(service, field, `duplicate label "${label}": list each label once`);
    } else if (service.failover.length && LOCALITY_LABELS.includes(label)) {
      ctx.report(service, field,
        `cannot be combined with failover: Istio rejects "${label}" in failoverPriority when failover is set; remove failover or this label`);
    }
    seen.add(label);
  });
}

/**
 * A `.global` alias must not shadow a name Kubernetes DNS already answers. Names and
 * namespaces are DNS labels, so an alias can only meet another service's names through a
 * namespace called `global`: `<name>.<namespace>.global` plus the search suffix
 * `svc.cluster.local` is a pod name of service `<namespace>` in namespace `global`.
 */
function checkAlias(ctx: RuleContext, service: ServiceDraft, byKey: ReadonlyMap<string, ServiceDraft>): void {
  const other = byKey.get(`${GLOBAL_ALIAS_SUFFIX}/${service.namespace}`);
  if (other) {
    const alias = globalAliasHost(service);
    ctx.report(service, 'globalAlias',
      `alias "${alias}" collides with service "${GLOBAL_ALIAS_SUFFIX}/${service.namespace}" (${ctx.pathOf(other)}): ` +
        `"${alias}.svc.cluster.local" names its pods; rename namespace "${GLOBAL_ALIAS_SUFFIX}" or remove globalAlias`);
  }
}
