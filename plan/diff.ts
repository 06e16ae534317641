/**
 * What changed between two fleet models, per cluster, in mesh terms.
 *
 * Clusters are matched by name; a cluster that disappears while one appears with the same
 * role, network and region (and mostly the same services) is a rename, and the old model's
 * references to it are renamed before comparing, so the rename shows once, not in every peer.
 */
import { ClusterPlan, FleetPlan, Reason, serializePlan, ServicePlan, SidecarPlan, SourceRef } from './model';

/** What a change is about. */
export type ChangeCategory =
  | 'cluster'
  | 'service'
  | 'callers'
  | 'routes'
  | 'failover'
  | 'sidecar'
  | 'gateway'
  | 'control-plane'
  | 'namespaces'
  | 'trust'
  | 'credentials'
  | 'delivery'
  | 'mesh';

/** One change. */
export interface PlanChange {
  /** The cluster it happens in, or `*` for a fleet-wide setting. */
  readonly cluster: string;
  readonly category: ChangeCategory;
  readonly kind: 'added' | 'removed' | 'changed' | 'renamed';
  /** What changed: a service key, a namespace, a field path. */
  readonly subject: string;
  /** One line, in mesh terms. */
  readonly summary: string;
  /** The topology entries behind it (of the new topology; of the old one for something removed). */
  readonly because: readonly Reason[];
}

/** A cluster rename. */
export interface ClusterRename {
  readonly from: string;
  readonly to: string;
}

/** The difference between two models. */
export interface PlanDiff {
  /** Sorted by cluster (fleet-wide `*` first), then category, then subject. */
  readonly changes: readonly PlanChange[];
  readonly renames: readonly ClusterRename[];
  /** Clusters gone without a successor, sorted. */
  readonly removedClusters: readonly string[];
  /** Clusters new without a predecessor, sorted. */
  readonly addedClusters: readonly string[];
}

/**
 * Compares an old model (undefined: nothing was there) with a new one.
 * @param sorted whether both models are already in their stored form (keys sorted, as read
 *   back from {@link serializePlan}'s output), which skips normalizing them
 */
export function diffPlans(beforePlan: FleetPlan | undefined, afterPlan: FleetPlan, sorted = false): PlanDiff {
  // Same key order on both sides, whether a model was built or read back from JSON.
  const before = beforePlan && (sorted ? beforePlan : normalized(beforePlan));
  const after = sorted ? afterPlan : normalized(afterPlan);
  const changes: PlanChange[] = [];
  const oldClusters = new Map((before?.clusters ?? []).map((c) => [c.name, c]));
  const newClusters = new Map(after.clusters.map((c) => [c.name, c]));
  const renames = before ? detectRenames(oldClusters, newClusters) : [];
  const renamed = new Map(renames.map((r) => [r.from, r.to]));

  if (before) diffFleetWide(before, after, changes);

  const matchedOld = new Set<string>();
  for (const cluster of after.clusters) {
    const from = [...renamed].find(([, to]) => to === cluster.name)?.[0];
    const old = from ? oldClusters.get(from) : oldClusters.get(cluster.name);
    if (!old) {
      changes.push(change(cluster.name, 'cluster', 'added', cluster.name, `cluster ${cluster.name} added (${cluster.role}, network ${cluster.network}, region ${cluster.region})`, [
        { text: 'declared', source: cluster.source },
      ]));
      continue;
    }
    matchedOld.add(old.name);
    if (from) {
      changes.push(change(cluster.name, 'cluster', 'renamed', cluster.name, `cluster ${from} renamed to ${cluster.name}`, [{ text: 'declared', source: cluster.source }]));
    }
    diffCluster(renameRefs(old, renamed), cluster, changes);
  }
  const removedClusters: string[] = [];
  for (const old of oldClusters.values()) {
    if (matchedOld.has(old.name)) continue;
    removedClusters.push(old.name);
    changes.push(change(old.name, 'cluster', 'removed', old.name, `cluster ${old.name} removed (${old.role}, network ${old.network}, region ${old.region})`, [
      { text: 'no longer declared', source: old.source },
    ]));
  }
  const renamedTo = new Set(renames.map((r) => r.to));
  return {
    changes: sortChanges(changes),
    renames,
    removedClusters: removedClusters.sort(),
    addedClusters: after.clusters.filter((c) => !oldClusters.has(c.name) && !renamedTo.has(c.name)).map((c) => c.name),
  };
}

function change(cluster: string, category: ChangeCategory, kind: PlanChange['kind'], subject: string, summary: string, because: readonly Reason[]): PlanChange {
  return { cluster, category, kind, subject, summary, because };
}

function sortChanges(changes: PlanChange[]): PlanChange[] {
  const rank = (c: PlanChange) => (c.cluster === '*' ? '' : c.cluster);
  return changes.sort((a, b) => cmp(rank(a), rank(b)) || cmp(a.category, b.category) || cmp(a.subject, b.subject) || cmp(a.summary, b.summary));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Pairs each vanished cluster with an appeared one of the same role, network and region;
 * among several candidates, the one sharing the most services (then the same primary).
 */
function detectRenames(oldClusters: ReadonlyMap<string, ClusterPlan>, newClusters: ReadonlyMap<string, ClusterPlan>): ClusterRename[] {
  const gone = [...oldClusters.values()].filter((c) => !newClusters.has(c.name));
  const fresh = [...newClusters.values()].filter((c) => !oldClusters.has(c.name));
  const renames: ClusterRename[] = [];
  const taken = new Set<string>();
  for (const old of gone) {
    let best: ClusterPlan | undefined;
    let bestScore = -1;
    for (const candidate of fresh) {
      if (taken.has(candidate.name) || candidate.role !== old.role || candidate.network !== old.network || candidate.region !== old.region) continue;
      const score = shared(old.services.filter((s) => s.runsHere).map((s) => s.key), candidate.services.filter((s) => s.runsHere).map((s) => s.key)) * 2 + (candidate.controlPlane === old.controlPlane ? 1 : 0);
      if (score > bestScore) [best, bestScore] = [candidate, score];
    }
    if (best) {
      taken.add(best.name);
      renames.push({ from: old.name, to: best.name });
    }
  }
  return renames.sort((a, b) => cmp(a.from, b.from));
}

function shared(a: readonly string[], b: readonly string[]): number {
  const set = new Set(a);
  return b.filter((x) => set.has(x)).length;
}

/** The old model of a cluster with renamed clusters' names replaced wherever a cluster is named. */
function renameRefs(cluster: ClusterPlan, renamed: ReadonlyMap<string, string>): ClusterPlan {
  if (!renamed.size) return cluster;
  const r = (name: string) => renamed.get(name) ?? name;
  // Subsets are named `<cluster>` or `<cluster>-<version>`.
  const rs = (subset: string) => {
    for (const [from, to] of renamed) if (subset === from || subset.startsWith(`${from}-`)) return `${to}${subset.slice(from.length)}`;
    return subset;
  };
  return {
    ...cluster,
    ...(cluster.controlPlane ? { controlPlane: r(cluster.controlPlane) } : {}),
    remotes: cluster.remotes.map(r),
    services: cluster.services.map((s) => ({
      ...s,
      runsIn: s.runsIn.map(r),
      subsets: s.subsets.map(rs),
      ...(s.weights ? { weights: Object.fromEntries(Object.entries(s.weights).map(([k, v]) => [rs(k), v])) } : {}),
    })),
    credentials: { ...cluster.credentials, reads: cluster.credentials.reads.map(r), readBy: cluster.credentials.readBy.map(r) },
    delivery: { ...cluster.delivery, ...(cluster.delivery.fluxHost ? { fluxHost: r(cluster.delivery.fluxHost) } : {}) },
  };
}

function diffFleetWide(before: FleetPlan, after: FleetPlan, changes: PlanChange[]): void {
  const fleet = (category: ChangeCategory, subject: string, a: unknown, b: unknown, source: SourceRef) => {
    if (same(a, b)) return;
    changes.push(change('*', category, 'changed', subject, `${subject}: ${show(a)} -> ${show(b)}`, [{ text: 'set', source }]));
  };
  fleet('mesh', 'mesh.id', before.mesh.id, after.mesh.id, 'mesh.id');
  fleet('trust', 'mesh.trustDomain', before.mesh.trustDomain, after.mesh.trustDomain, 'mesh.trustDomain');
  fleet('control-plane', 'mesh.istio.version', before.mesh.istio.version, after.mesh.istio.version, 'mesh.istio.version');
  fleet('control-plane', 'mesh.istio.revision', before.mesh.istio.revision, after.mesh.istio.revision, 'mesh.istio.revision');
  fleet('control-plane', 'mesh.istio.canary', before.mesh.istio.canary, after.mesh.istio.canary, 'mesh.istio.canary');
  fleet('control-plane', 'mesh.istio.chartRepository', before.mesh.istio.chartRepository, after.mesh.istio.chartRepository, 'mesh.istio.chartRepository');
  fleet('trust', 'trust', { provider: before.trust.provider, root: before.trust.root }, { provider: after.trust.provider, root: after.trust.root }, 'trust');
  fleet('credentials', 'credentials', strip(before.credentials), strip(after.credentials), 'credentials');
  fleet('delivery', 'delivery.git', before.delivery.git, after.delivery.git, 'delivery.git');
  fleet('delivery', 'delivery.flux', before.delivery.flux, after.delivery.flux, 'delivery.flux');
  fleet('delivery', 'delivery.argocd', before.delivery.argocd, after.delivery.argocd, 'delivery.argocd');
}

function strip<T extends { source: unknown }>(value: T): Omit<T, 'source'> {
  const { source: _source, ...rest } = value;
  return rest;
}

function diffCluster(old: ClusterPlan, now: ClusterPlan, changes: PlanChange[]): void {
  const name = now.name;
  const add = (category: ChangeCategory, kind: PlanChange['kind'], subject: string, summary: string, because: readonly Reason[]) =>
    changes.push(change(name, category, kind, subject, summary, because));
  const declared: Reason[] = [{ text: 'declared', source: now.source }];

  for (const field of ['role', 'controlPlane', 'network', 'region', 'zones'] as const) {
    if (!same(old[field], now[field])) add('cluster', 'changed', field, `${field}: ${show(old[field])} -> ${show(now[field])}`, [{ text: 'set', source: `${now.source}.${field}` }]);
  }

  // Control plane: every changed Helm value, by path.
  for (const chart of ['base', 'istiod', 'canaryIstiod', 'eastWestGateway'] as const) {
    for (const [path, a, b] of leafChanges(old.helmValues[chart], now.helmValues[chart])) {
      const subject = `${chart}${path ? `.${path}` : ''}`;
      add('control-plane', 'changed', subject, `Helm value ${subject}: ${show(a)} -> ${show(b)}`, valueReasons(now, chart, path));
    }
  }

  // Gateways and load balancers.
  if (!old.eastWestGateway && now.eastWestGateway) {
    add('gateway', 'added', 'east-west gateway', `east-west gateway created (${now.eastWestGateway.serviceType}${now.eastWestGateway.loadBalancer ? ': a new cloud load balancer' : ''})`, now.eastWestGateway.because);
  } else if (old.eastWestGateway && !now.eastWestGateway) {
    add('gateway', 'removed', 'east-west gateway', `east-west gateway removed (${old.eastWestGateway.serviceType}${old.eastWestGateway.loadBalancer ? ': its cloud load balancer is deleted' : ''})`, [
      { text: 'nothing outside its network needs to reach this cluster any more', source: now.source },
    ]);
  } else if (old.eastWestGateway && now.eastWestGateway) {
    const [a, b] = [old.eastWestGateway, now.eastWestGateway];
    if (a.serviceType !== b.serviceType || a.address !== b.address) {
      add('gateway', 'changed', 'east-west gateway', `east-west gateway ${show({ serviceType: a.serviceType, address: a.address })} -> ${show({ serviceType: b.serviceType, address: b.address })}`, [
        { text: 'set', source: `${now.source}.eastWestGateway` },
      ]);
    }
  }
  diffSets(old.gateways, now.gateways, (g, kind) => add('gateway', kind, `Gateway ${g}`, `Gateway ${g} ${kind}`, kind === 'added' && now.eastWestGateway ? now.eastWestGateway.because : declared));
  diffSets(old.namespaces, now.namespaces, (ns, kind) => add('namespaces', kind, ns, `namespace ${ns} ${kind}`, namespaceReasons(kind === 'added' ? now : old, ns)));

  // Services.
  const oldServices = new Map(old.services.map((s) => [s.key, s]));
  const newServices = new Map(now.services.map((s) => [s.key, s]));
  for (const s of now.services) {
    const o = oldServices.get(s.key);
    if (!o) add('service', 'added', s.key, `${s.key} now configured here (${serviceRole(s)})`, s.because);
    else diffService(o, s, add);
  }
  for (const o of old.services) {
    if (!newServices.has(o.key)) add('service', 'removed', o.key, `${o.key} no longer configured here (was ${serviceRole(o)})`, o.because);
  }

  // Sidecars.
  const oldSidecars = new Map(old.sidecars.map((s) => [s.namespace, s]));
  const newSidecars = new Map(now.sidecars.map((s) => [s.namespace, s]));
  for (const s of now.sidecars) {
    const o = oldSidecars.get(s.namespace);
    if (!o) add('sidecar', 'added', s.namespace, `Sidecar in namespace ${s.namespace} now limits its proxies' egress to ${s.hosts.length} host(s): ${s.hosts.join(', ')}`, s.because);
    else diffSidecar(o, s, add);
  }
  for (const o of old.sidecars) {
    if (!newSidecars.has(o.namespace)) add('sidecar', 'removed', o.namespace, `Sidecar in namespace ${o.namespace} removed: its proxies see the whole mesh again`, o.because);
  }

  // Trust, credentials, delivery.
  if (old.trust.cacerts !== now.trust.cacerts) add('trust', 'changed', 'cacerts', `cacerts source: ${show(old.trust.cacerts)} -> ${show(now.trust.cacerts)}`, [{ text: 'set', source: 'trust' }]);
  diffSets(old.credentials.reads, now.credentials.reads, (c, kind) =>
    add('credentials', kind, `reads ${c}`, `istiod ${kind === 'added' ? 'now reads' : 'no longer reads'} cluster ${c} (remote secret istio-remote-secret-${c})`, [{ text: 'declared', source: `clusters[${c}]` }]),
  );
  diffSets(old.credentials.readBy, now.credentials.readBy, (c, kind) =>
    add('credentials', kind, `read by ${c}`, `${kind === 'added' ? 'now read' : 'no longer read'} by primary ${c} (reader token)`, [{ text: 'declared', source: `clusters[${c}]` }]),
  );
  for (const field of ['generatedRemoteSecrets', 'pushesReaderToken'] as const) {
    if (old.credentials[field] !== now.credentials[field]) add('credentials', 'changed', field, `${field}: ${old.credentials[field]} -> ${now.credentials[field]}`, [{ text: 'set', source: 'credentials' }]);
  }
  for (const field of ['fluxHost', 'argocdServer'] as const) {
    if (old.delivery[field] !== now.delivery[field]) add('delivery', 'changed', field, `${field}: ${show(old.delivery[field])} -> ${show(now.delivery[field])}`, [{ text: 'set', source: 'delivery' }]);
  }
}

type Add = (category: ChangeCategory, kind: PlanChange['kind'], subject: string, summary: string, because: readonly Reason[]) => void;

function diffService(o: ServicePlan, s: ServicePlan, add: Add): void {
  const key = s.key;
  if (o.runsHere !== s.runsHere) add('service', 'changed', key, `${key} ${s.runsHere ? 'now runs here' : 'no longer runs here'}`, [{ text: 'set', source: `${s.source}.runsIn` }]);
  if (o.clusterLocal !== s.clusterLocal) add('routes', 'changed', key, `${key} clusterLocal: ${o.clusterLocal} -> ${s.clusterLocal}`, [{ text: 'set', source: `${s.source}.clusterLocal` }]);
  const oldCallers = new Map(o.callersHere.map((c) => [c.identity, c]));
  const newCallers = new Map(s.callersHere.map((c) => [c.identity, c]));
  for (const c of s.callersHere) if (!oldCallers.has(c.identity)) add('callers', 'added', key, `${key}: caller ${c.identity} now runs here`, [{ text: 'declared', source: c.source }]);
  for (const c of o.callersHere) if (!newCallers.has(c.identity)) add('callers', 'removed', key, `${key}: caller ${c.identity} no longer runs here`, [{ text: 'was declared', source: c.source }]);
  if (!same(o.ports, s.ports)) add('routes', 'changed', key, `${key} ports: ${show(o.ports)} -> ${show(s.ports)}`, [{ text: 'set', source: `${s.source}.ports` }]);
  // Routing facts matter where the routing objects are: in the primaries carrying the DestinationRule.
  const routedHere = o.config?.destinationRule === true || s.config?.destinationRule === true;
  if (!routedHere) {
    diffConfig(o, s, add);
    return;
  }
  if (!same(o.runsIn, s.runsIn)) add('routes', 'changed', key, `${key} runs in: ${show(o.runsIn)} -> ${show(s.runsIn)}`, [{ text: 'set', source: `${s.source}.runsIn` }]);
  if (!same(o.subsets, s.subsets)) add('routes', 'changed', key, `${key} DestinationRule subsets: ${show(o.subsets)} -> ${show(s.subsets)}`, [{ text: 'set', source: `${s.source}.weights` }]);
  if (!same(o.weights, s.weights)) add('routes', 'changed', key, `${key} weights: ${show(o.weights)} -> ${show(s.weights)}`, [{ text: 'set', source: `${s.source}.weights` }]);
  if (!same(o.globalAlias, s.globalAlias)) add('routes', 'changed', key, `${key} global alias: ${show(o.globalAlias)} -> ${show(s.globalAlias)}`, [{ text: 'set', source: `${s.source}.globalAlias` }]);
  if (!same(o.failover, s.failover) || !same(o.failoverPriority, s.failoverPriority)) {
    add('failover', 'changed', key, `${key} failover: ${show([...o.failover, ...o.failoverPriority])} -> ${show([...s.failover, ...s.failoverPriority])}`, [{ text: 'set', source: `${s.source}.failover` }]);
  }
  diffConfig(o, s, add);
}

function diffConfig(o: ServicePlan, s: ServicePlan, add: Add): void {
  const key = s.key;
  const [a, b] = [o.config, s.config];
  for (const field of ['destinationRule', 'virtualService', 'globalAlias'] as const) {
    if ((a?.[field] ?? false) !== (b?.[field] ?? false)) {
      const object = { destinationRule: 'DestinationRule', virtualService: 'VirtualService', globalAlias: '.global alias VirtualService' }[field];
      add('routes', b?.[field] ? 'added' : 'removed', key, `${object} ${key} ${b?.[field] ? 'added' : 'removed'}`, s.because);
    }
  }
  const [pa, pb] = [a?.allowedPrincipals ?? [], b?.allowedPrincipals ?? []];
  if (!same(pa, pb) || (a?.allowedPrincipals === undefined) !== (b?.allowedPrincipals === undefined)) {
    if (!b?.allowedPrincipals) add('callers', 'removed', key, `AuthorizationPolicy ${key} removed`, s.because);
    else if (!a?.allowedPrincipals) add('callers', 'added', key, `AuthorizationPolicy ${key} added: allows ${pb.join(', ') || 'nobody'}`, s.because);
    else {
      diffSets(pa, pb, (p, kind) => add('callers', kind, key, `AuthorizationPolicy ${key}: ${kind === 'added' ? 'now allows' : 'no longer allows'} ${p}`, [{ text: 'consumers', source: `${s.source}.consumers` }]));
    }
  }
  if (a && b && !same(a.exportTo, b.exportTo)) add('routes', 'changed', key, `${key} exportTo: ${show(a.exportTo)} -> ${show(b.exportTo)}`, [{ text: 'consumers', source: `${s.source}.consumers` }]);
}

function diffSidecar(o: SidecarPlan, s: SidecarPlan, add: Add): void {
  diffSets(o.hosts, s.hosts, (h, kind) => add('sidecar', kind, s.namespace, `Sidecar ${s.namespace}: egress host ${h} ${kind}`, s.because));
}

function serviceRole(s: ServicePlan): string {
  const parts: string[] = [];
  if (s.runsHere) parts.push('runs here');
  if (s.callersHere.length) parts.push(`called from here by ${s.callersHere.map((c) => c.identity).join(', ')}`);
  if (s.config) {
    const objects = [
      s.config.destinationRule ? 'DestinationRule' : '',
      s.config.virtualService ? 'VirtualService' : '',
      s.config.globalAlias ? 'alias' : '',
      s.config.allowedPrincipals ? 'AuthorizationPolicy' : '',
    ].filter(Boolean);
    if (objects.length) parts.push(`carries ${objects.join(', ')}`);
  }
  return parts.join('; ') || 'configured';
}

/** Why a namespace exists in a cluster. */
export function namespaceReasons(cluster: ClusterPlan, namespace: string): Reason[] {
  const reasons: Reason[] = [];
  for (const s of cluster.services) {
    if (s.key.startsWith(`${namespace}/`)) reasons.push(...s.because.filter((r) => r.source.endsWith('.runsIn')));
    for (const c of s.callersHere) if (c.identity.startsWith(`${namespace}/`)) reasons.push({ text: `consumer ${c.identity} runs here`, source: c.source });
    if (s.config?.exportTo.includes(namespace) && !s.key.startsWith(`${namespace}/`)) reasons.push(...s.because.filter((r) => r.source.includes('.consumers[')));
  }
  const seen = new Set<string>();
  const unique = reasons.filter((r) => !seen.has(r.text + r.source) && seen.add(r.text + r.source));
  return unique.length ? unique : [{ text: 'declared', source: `${cluster.source}.namespaces` }];
}

/** The topology entries behind a Helm value. */
function valueReasons(cluster: ClusterPlan, chart: string, path: string): Reason[] {
  if (path.includes('proxyMetadata.ISTIO_META_DNS_CAPTURE')) {
    const callers = cluster.services.flatMap((s) => (s.callersHere.length && (s.globalAlias || !s.runsHere) ? s.callersHere.map((c) => ({ text: `${c.identity} calls ${s.key}${s.globalAlias ? ' (a .global alias)' : ' (not running in the caller\'s cluster)'}`, source: c.source })) : []));
    if (callers.length) return callers;
  }
  if (path.startsWith('meshConfig.serviceSettings')) return [{ text: 'cluster-local services', source: 'services' }];
  if (path.includes('meshConfig.trustDomain')) return [{ text: 'set', source: 'mesh.trustDomain' }];
  if (path.includes('meshID')) return [{ text: 'set', source: 'mesh.id' }];
  if (path.includes('revision') || path === 'defaultRevision') return [{ text: 'set', source: 'mesh.istio.revision' }];
  if (chart === 'eastWestGateway' || path.includes('remotePilotAddress')) return [{ text: 'set', source: `${cluster.source}.eastWestGateway` }];
  if (path.includes('externalIstiod')) return cluster.remotes.map((r) => ({ text: `remote ${r}`, source: `clusters[${r}].controlPlane` }));
  return [{ text: 'declared', source: cluster.source }];
}

/** Leaf-level differences of two JSON values: `[path, before, after]`, paths dotted. */
export function leafChanges(a: unknown, b: unknown, path = ''): [string, unknown, unknown][] {
  if (same(a, b)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => leafChanges(a[k], b[k], path ? `${path}.${k}` : k));
  }
  if (a === undefined && isObj(b)) return Object.keys(b).sort().flatMap((k) => leafChanges(undefined, b[k], path ? `${path}.${k}` : k));
  if (isObj(a) && b === undefined) return Object.keys(a).sort().flatMap((k) => leafChanges(a[k], undefined, path ? `${path}.${k}` : k));
  return [[path, a, b]];
}

function diffSets(before: readonly string[], after: readonly string[], emit: (item: string, kind: 'added' | 'removed') => void): void {
  const a = new Set(before);
  const b = new Set(after);
  for (const x of after) if (!a.has(x)) emit(x, 'added');
  for (const x of before) if (!b.has(x)) emit(x, 'removed');
}

/** Deep equality of JSON values. */
export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function show(v: unknown): string {
  return v === undefined ? 'unset' : JSON.stringify(v);
}

function normalized(plan: FleetPlan): FleetPlan {
  return JSON.parse(serializePlan(plan)) as FleetPlan;
}
