/**
 * Guard rails: the changes of a plan that disrupt a running mesh, each with what happens and
 * the safe procedure, and their acknowledgement.
 *
 * A finding is identified by `<code>:<subject>` (e.g. `load-balancer-added:east`); the CI mode
 * (`plan --fail-on disruptive`) fails unless every finding is acknowledged by such a line, given
 * with `--acknowledge` or in an acknowledgements file committed beside the topology.
 */
import { PlanDiff, PlanChange } from './diff';
import { FleetPlan, Reason } from './model';

/** Classes of disruptive change. */
export type DisruptionCode =
  | 'cluster-removed'
  | 'cluster-renamed'
  | 'load-balancer-added'
  | 'load-balancer-removed'
  | 'pod-restart'
  | 'istio-minor-change'
  | 'revision-change'
  | 'trust-domain-change'
  | 'trust-root-change'
  | 'mesh-id-change'
  | 'sidecar-restricts-namespace';

/** One disruptive change. */
export interface Disruption {
  readonly code: DisruptionCode;
  /** What it is about: a cluster, `<cluster>/<namespace>`, or `mesh`. */
  readonly subject: string;
  /** One line: what changes. */
  readonly summary: string;
  /** What happens to running traffic and workloads. */
  readonly consequence: string;
  /** The safe procedure. */
  readonly procedure: string;
  readonly because: readonly Reason[];
  /** Whether an acknowledgement covers it. */
  readonly acknowledged: boolean;
}

/** `<code>:<subject>` of a finding; what an acknowledgement line names. */
export function disruptionId(d: Pick<Disruption, 'code' | 'subject'>): string {
  return `${d.code}:${d.subject}`;
}

/**
 * Parses acknowledgement lines: `<code>:<subject>` each, `*` as subject for any, `#` comments
 * and blank lines ignored. Returns the problems of lines that are not acknowledgements.
 */
export function parseAcknowledgements(lines: readonly string[], origin: string): { readonly acknowledged: readonly string[]; readonly problems: readonly string[] } {
  const acknowledged: string[] = [];
  const problems: string[] = [];
  lines.forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const m = /^([a-z-]+):(\S+)$/.exec(line);
    if (!m || !(DISRUPTION_CODES as readonly string[]).includes(m[1])) {
      problems.push(`${origin}:${i + 1}: not an acknowledgement: expected <code>:<subject> with a code among ${DISRUPTION_CODES.join(', ')} (got ${JSON.stringify(line)})`);
      return;
    }
    acknowledged.push(line);
  });
  return { acknowledged, problems };
}

/** Every {@link DisruptionCode}. */
export const DISRUPTION_CODES: readonly DisruptionCode[] = [
  'cluster-removed',
  'cluster-renamed',
  'load-balancer-added',
  'load-balancer-removed',
  'pod-restart',
  'istio-minor-change',
  'revision-change',
  'trust-domain-change',
  'trust-root-change',
  'mesh-id-change',
  'sidecar-restricts-namespace',
];

/** The disruptive changes of a diff, sorted by id. */
export function findDisruptions(diff: PlanDiff, before: FleetPlan | undefined, after: FleetPlan, acknowledgements: readonly string[] = []): Disruption[] {
  if (!before) return [];
  const found: Omit<Disruption, 'acknowledged'>[] = [];
  const delivery = deliveryText(before);

  for (const cluster of diff.removedClusters) {
    found.push({
      code: 'cluster-removed',
      subject: cluster,
      summary: `cluster ${cluster} is removed from the mesh`,
      consequence: `its directory disappears from Git. ${delivery.removed} The other primaries drop its remote secret and stop sending traffic to its endpoints.`,
      procedure: `first move traffic away (take ${cluster} out of every service's runsIn and consumers, merge, wait until it serves nothing), then remove it; decide whether its objects must stay (${delivery.orphan}) or be deleted (let the delivery tool prune them, then delete its GitOps objects).`,
      because: [{ text: 'no longer declared', source: `clusters[${cluster}]` }],
    });
  }
  for (const { from, to } of diff.renames) {
    found.push({
      code: 'cluster-renamed',
      subject: from,
      summary: `cluster ${from} is renamed to ${to}`,
      consequence: `to Istio this is a different cluster: istiod's clusterName, the topology.istio.io/cluster label of every endpoint, DestinationRule subsets, remote secret names and keys all change, so cross-cluster calls break until every primary has read the cluster again; every file moves from ${from}/ to ${to}/. ${delivery.removed}`,
      procedure: `avoid renaming a live cluster. If you must: move traffic away first; ${delivery.orphan}; merge; let the delivery tool apply ${to}/ (it adopts the objects); restart istiod and then the workloads in ${to} so proxies carry the new cluster name; then delete the old GitOps objects.`,
      because: [{ text: 'declared', source: `clusters[${to}]` }],
    });
  }

  const beforeClusters = new Map(before.clusters.map((c) => [c.name, c]));
  const renamedFrom = new Map(diff.renames.map((r) => [r.to, r.from]));
  for (const cluster of after.clusters) {
    const old = beforeClusters.get(renamedFrom.get(cluster.name) ?? cluster.name);
    const oldLb = old?.eastWestGateway?.loadBalancer === true;
    const newLb = cluster.eastWestGateway?.loadBalancer === true;
    if (newLb && !oldLb) {
      found.push({
        code: 'load-balancer-added',
        subject: cluster.name,
        summary: `cluster ${cluster.name} gets an east-west gateway Service of type LoadBalancer`,
        consequence: 'the cloud provisions a new Internet-facing load balancer (cost, a new public address, firewall rules to open); istiod sends cross-network traffic to it once it has an address.',
        procedure: 'check the address is allowed through your firewalls on 15443 (and 15012/15017 for remotes), or set eastWestGateway.serviceType: ClusterIP with a fixed address; watch `kubectl -n istio-system get svc istio-eastwestgateway` for the external address.',
        because: cluster.eastWestGateway!.because,
      });
    }
    if (oldLb && !newLb && old) {
      found.push({
        code: 'load-balancer-removed',
        subject: cluster.name,
        summary: `cluster ${cluster.name} loses its east-west gateway load balancer`,
        consequence: 'the cloud deletes the load balancer and its address; callers on other networks (and remotes reaching istiod through it) lose that path at once.',
        procedure: 'make sure nothing on another network still calls the services it runs (and no remote uses it), then merge; keep the address reserved if you may need it back.',
        because: old.eastWestGateway?.because ?? [],
      });
    }
    if (old && old.role === 'primary' && cluster.role === 'primary') {
      const a = JSON.stringify((old.helmValues.istiod.meshConfig as Record<string, unknown> | undefined)?.defaultConfig ?? null);
      const b = JSON.stringify((cluster.helmValues.istiod.meshConfig as Record<string, unknown> | undefined)?.defaultConfig ?? null);
      if (a !== b) {
        const scope = [cluster.name, ...cluster.remotes].join(', ');
        found.push({
          code: 'pod-restart',
          subject: cluster.name,
          summary: `proxy configuration (meshConfig.defaultConfig) of ${cluster.name}'s istiod changes: ${a} -> ${b}`,
          consequence: `only pods injected after the change get it; running pods in ${scope} keep the old proxy settings until they restart${b.includes('ISTIO_META_DNS_CAPTURE') && !a.includes('ISTIO_META_DNS_CAPTURE') ? ' (so calls that need the DNS proxy fail from pods not yet restarted)' : ''}.`,
          procedure: `after istiod is updated, restart the workloads in the affected namespaces (\`kubectl rollout restart deployment -n <namespace>\`) in ${scope}, a namespace at a time.`,
          because: [{ text: 'services and callers placed in this cluster', source: cluster.source }],
        });
      }
    }
    if (old) {
      for (const sidecar of cluster.sidecars) {
        if (old.sidecars.some((s) => s.namespace === sidecar.namespace)) continue;
        found.push({
          code: 'sidecar-restricts-namespace',
          subject: `${cluster.name}/${sidecar.namespace}`,
          summary: `a namespace-wide Sidecar now limits the egress of every proxy in namespace ${sidecar.namespace} (configured by ${cluster.name})`,
          consequence: `proxies in ${sidecar.namespace} then reach only ${sidecar.hosts.join(', ')} and istio-system: calls to any other mesh service from that namespace, declared nowhere in the topology, start failing.`,
          procedure: `declare every service the namespace calls as a consumer entry before merging (check with \`istioctl proxy-config clusters\` on a pod of ${sidecar.namespace}), or merge in a quiet period and watch 503/connection errors.`,
          because: sidecar.because,
        });
      }
    }
  }

  const [va, vb] = [before.mesh.istio.version, after.mesh.istio.version];
  const [ma, mb] = [minor(va), minor(vb)];
  if (ma !== undefined && mb !== undefined && ma !== mb) {
    const skipped = Math.abs(mb - ma) - 1;
    found.push({
      code: 'istio-minor-change',
      subject: 'mesh',
      summary: `Istio ${mb > ma ? 'upgrade' : 'downgrade'} ${va} -> ${vb}${skipped > 0 ? ` (skips ${skipped} minor version${skipped > 1 ? 's' : ''})` : ''}`,
      consequence: `${after.mesh.istio.revision && after.mesh.istio.revision === before.mesh.istio.revision ? 'the revision is unchanged, so this is an in-place upgrade: ' : ''}every istiod is replaced and proxies keep the old version until pods restart${skipped > 0 ? '; Istio tests in-place upgrades one minor at a time and canary upgrades across at most two minors' : ''}.`,
      procedure: 'prefer a canary upgrade (mesh.istio.canary with a new revision; move namespaces, restart their pods, then promote) one minor at a time; read the upgrade notes of every minor in between. https://istio.io/latest/docs/setup/upgrade/canary/',
      because: [{ text: 'set', source: 'mesh.istio.version' }],
    });
  }
  if (before.mesh.istio.revision !== after.mesh.istio.revision) {
    found.push({
      code: 'revision-change',
      subject: 'mesh',
      summary: `control-plane revision ${before.mesh.istio.revision ?? '(default)'} -> ${after.mesh.istio.revision ?? '(default)'}`,
      consequence: 'a new istiod release replaces the old one and every application namespace is relabelled (istio.io/rev / istio-injection); running pods stay on the old istiod, which is removed, until they restart.',
      procedure: 'use mesh.istio.canary to run both revisions side by side, move namespaces, restart their pods, then make the canary the stable revision. https://istio.io/latest/docs/setup/upgrade/canary/',
      because: [{ text: 'set', source: 'mesh.istio.revision' }],
    });
  }
  if (before.mesh.trustDomain !== after.mesh.trustDomain) {
    found.push({
      code: 'trust-domain-change',
      subject: 'mesh',
      summary: `trust domain ${before.mesh.trustDomain} -> ${after.mesh.trustDomain}`,
      consequence: 'workload identities (spiffe://<trust domain>/ns/..) change: AuthorizationPolicies naming the old domain deny callers, and clusters disagree until all are updated.',
      procedure: 'add the old domain to meshConfig.trustDomainAliases first, roll every cluster and restart workloads, then switch. https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/',
      because: [{ text: 'set', source: 'mesh.trustDomain' }],
    });
  }
  if (before.trust.provider !== after.trust.provider || before.trust.root !== after.trust.root) {
    found.push({
      code: 'trust-root-change',
      subject: 'mesh',
      summary: `root of trust ${before.trust.root} -> ${after.trust.root}`,
      consequence: 'cacerts changes in every primary; istiod signs with the new CA and workloads with certificates from the old root are rejected by those with the new one until every pod restarts (switching CA requires restarting workloads, istio/istio#53961).',
      procedure: 'rotate with a bundle trusting both roots first (multi-root), restart istiod and all workloads, then remove the old root. https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/',
      because: [{ text: 'set', source: 'trust' }],
    });
  }
  if (before.mesh.id !== after.mesh.id) {
    found.push({
      code: 'mesh-id-change',
      subject: 'mesh',
      summary: `mesh ID ${before.mesh.id} -> ${after.mesh.id}`,
      consequence: 'global.meshID changes in every istiod and proxy; telemetry and anything keyed on the mesh ID splits until every pod restarts.',
      procedure: 'change it in a maintenance window and restart every workload.',
      because: [{ text: 'set', source: 'mesh.id' }],
    });
  }

  const acks = new Set(acknowledgements);
  return found
    .map((d) => ({ ...d, acknowledged: acks.has(disruptionId(d)) || acks.has(`${d.code}:*`) }))
    .sort((a, b) => (disruptionId(a) < disruptionId(b) ? -1 : disruptionId(a) > disruptionId(b) ? 1 : 0));
}

function minor(version: string): number | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m ? Number(m[1]) * 1000 + Number(m[2]) : undefined;
}

function deliveryText(plan: FleetPlan): { removed: string; orphan: string } {
  const parts: string[] = [];
  const orphan: string[] = [];
  const flux = plan.delivery.flux;
  if (flux?.mode === 'per-cluster') {
    parts.push("Flux (per-cluster): the cluster's own Flux finds its paths gone, reports the Kustomizations failed and keeps what it applied (nothing is pruned, nothing is updated any more).");
    orphan.push('Flux per-cluster: suspend its Kustomizations (`flux suspend kustomization --all`) so nothing fails noisily');
  } else if (flux?.mode === 'management') {
    parts.push(`Flux (management mode): ${flux.managementCluster} deletes the cluster's Kustomizations and, since they prune, deletes everything they applied in that cluster (istiod, gateway, mesh config; namespaces are kept).`);
    orphan.push(`Flux management mode: on ${flux.managementCluster}, annotate the cluster's Kustomizations with \`kustomize.toolkit.fluxcd.io/prune=disabled\` (so the parent does not delete them) and set their \`spec.prune: false\` before merging, then delete them by hand`);
  }
  if (plan.delivery.argocd) {
    parts.push(
      "Argo CD: the ApplicationSet meshfleet-roots no longer finds argocd/<cluster>/ and deletes the root Application meshfleet-<cluster>; its resources finalizer deletes the cluster's child Applications, which carry none, so everything they installed stays in the cluster, running and no longer managed.",
    );
    orphan.push('Argo CD: nothing to do (the old children are deleted without cascading; the new ones adopt the objects)');
  }
  return { removed: parts.join(' '), orphan: orphan.join('; ') || 'nothing prunes it' };
}

/** Whether a change belongs to a disruption (for grouping in reports). */
export function changeIsAbout(change: PlanChange, d: Disruption): boolean {
  return change.cluster === d.subject || d.subject.startsWith(`${change.cluster}/`) || d.subject === 'mesh';
}
