/**
 * Check 3: Istio's own analysis (`istioctl analyze`) of configuration, offline, per cluster.
 *
 * Each analyzer follows one of Istio's, read at tag 1.30.3 under
 * pkg/config/analysis/analyzers/ (cited on each function), and reports Istio's code and
 * message (pkg/config/analysis/msg/messages.yaml). Istio needs the live cluster's pods;
 * here the workloads are the ones the topology and the gateway HelmReleases say will run
 * (see {@link MeshView}). Checks Istio has no analyzer for use meshfleet codes (MF2xx).
 */
import { istioLink, type Finding } from './finding';
import { gatewayDeployments, governedWorkloads, helmChart, istiodConfigs, ofKind, releaseNamespace, selects, selectorText, serviceHost, type MeshView, type Workload } from './mesh-view';
import { objectName, type OutputObject } from './output-objects';

/** The Istio and meshfleet codes these analyzers report. */
export const ISTIO_CODES = {
  referencedResourceNotFound: 'IST0101',
  conflictingMeshGatewayVirtualServiceHosts: 'IST0109',
  noMatchingWorkloadsFound: 'IST0127',
  destinationRuleSubsetNotSelectPods: 'IST0173',
  unknownDestinationRuleHost: 'IST0174',
  unusedSubset: 'MF201',
  sidecarEgressHostUnmatched: 'MF202',
  duplicateServiceEntryHost: 'MF203',
} as const;

type Spec = Record<string, any>;

function spec(o: OutputObject): Spec {
  return o.manifest.spec as Spec;
}

function ns(o: OutputObject): string {
  return String(o.manifest.metadata.namespace ?? 'default');
}

function finding(o: OutputObject, code: string, severity: Finding['severity'], message: string, fix: string, path?: string, topology?: string): Finding {
  return {
    severity,
    code,
    message,
    cluster: o.cluster,
    file: o.file,
    object: objectName(o.manifest),
    ...(path ? { path } : {}),
    ...(topology ? { topology } : {}),
    fix,
    ...(code.startsWith('IST') ? { link: istioLink(code) } : {}),
  };
}

/** A host as Istio resolves it in a namespace: short names become `<name>.<ns>.svc.cluster.local`. */
export function fqdn(host: string, namespace: string): string {
  return host.includes('.') || host === '*' ? host : serviceHost(host, namespace);
}

/** Istio's host.Name.Matches for one wildcard pattern (`*`, `*.example.com`) against a host. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*' || pattern === host) return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) || (host.startsWith('*.') && host.endsWith(pattern.slice(1)));
  return false;
}

/** Namespaces an exportTo list makes an object visible in; `*` for all. */
function exportScope(exportTo: unknown, namespace: string): string[] {
  if (!Array.isArray(exportTo) || exportTo.length === 0 || exportTo.includes('*')) return ['*'];
  return [...new Set(exportTo.map((e) => (e === '.' ? namespace : String(e))))].sort();
}

/** A host some cluster's configuration knows: a mesh service, or a ServiceEntry host. */
interface KnownHost {
  readonly host: string;
  readonly namespace: string;
  readonly scope: readonly string[];
}

/**
 * The Kubernetes Services Istio's charts create for a HelmRelease: `istiod` (or
 * `istiod-<revision>`) for the istiod chart, the gateway's name for the gateway chart.
 */
function chartServices(manifest: Record<string, any>): KnownHost[] {
  const chart = helmChart(manifest);
  const values = manifest.spec?.values ?? {};
  const namespace = releaseNamespace(manifest);
  if (chart === 'istiod' && values.profile !== 'remote') {
    const name = values.revision ? `istiod-${values.revision}` : 'istiod';
    return [{ host: serviceHost(name, namespace), namespace, scope: ['*'] }];
  }
  if (chart === 'gateway') {
    const name = values.name || manifest.spec?.releaseName || manifest.metadata?.name;
    return [{ host: serviceHost(String(name), namespace), namespace, scope: ['*'] }];
  }
  return [];
}

/**
 * Hosts a cluster's configuration can route to: every mesh service of the topology, the
 * Services of the Istio charts installed in the cluster, and its ServiceEntries.
 */
export function knownHosts(view: MeshView, cluster: string): KnownHost[] {
  const hosts: KnownHost[] = view.topology.services.map((s) => ({ host: serviceHost(s.name, s.namespace), namespace: s.namespace, scope: ['*'] }));
  for (const c of view.governed.get(cluster) ?? [cluster]) {
    for (const o of view.byCluster.get(c) ?? []) hosts.push(...chartServices(o.manifest));
    for (const g of gatewayDeployments(view, c)) hosts.push({ host: serviceHost(g.labels['app.kubernetes.io/name'], g.namespace), namespace: g.namespace, scope: ['*'] });
    for (const i of istiodConfigs(view, c)) {
      if (i.values.profile === 'remote') continue;
      hosts.push({ host: serviceHost(i.values.revision ? `istiod-${i.values.revision}` : 'istiod', 'istio-system'), namespace: 'istio-system', scope: ['*'] });
    }
  }
  for (const se of ofKind(view, cluster, 'ServiceEntry')) {
    for (const h of Array.isArray(spec(se).hosts) ? spec(se).hosts : []) {
      hosts.push({ host: String(h), namespace: ns(se), scope: exportScope(spec(se).exportTo, ns(se)) });
    }
  }
  return hosts;
}

function visibleIn(h: KnownHost, namespace: string): boolean {
  return h.scope.includes('*') || h.scope.includes(namespace);
}

/** Known hosts indexed for lookup: exact names in a map, wildcard entries in a list. */
class HostIndex {
  private readonly exact = new Map<string, KnownHost[]>();
  private readonly wildcards: KnownHost[] = [];

  constructor(hosts: readonly KnownHost[]) {
    for (const h of hosts) {
      if (h.host === '*' || h.host.startsWith('*.')) this.wildcards.push(h);
      else this.exact.set(h.host, [...(this.exact.get(h.host) ?? []), h]);
    }
  }

  /** Known hosts a concrete host matches (`pattern` may be a wildcard: then every host it covers). */
  public matching(host: string): KnownHost[] {
    const out = [...(this.exact.get(host) ?? []), ...this.wildcards.filter((w) => hostMatches(w.host, host))];
    if (host === '*' || host.startsWith('*.')) for (const list of this.exact.values()) out.push(...list.filter((h) => hostMatches(host, h.host)));
    return out;
  }
}

/** Route destinations of a VirtualService (http, tcp, tls routes and mirrors) with their paths. */
export function destinations(vs: Spec): { path: string; host: string; subset?: string; port?: number }[] {
  const out: { path: string; host: string; subset?: string; port?: number }[] = [];
  for (const kind of ['http', 'tcp', 'tls'] as const) {
    (Array.isArray(vs[kind]) ? vs[kind] : []).forEach((rule: Spec, i: number) => {
      (Array.isArray(rule?.route) ? rule.route : []).forEach((r: Spec, j: number) => {
        if (typeof r?.destination?.host === 'string') {
          out.push({ path: `spec.${kind}[${i}].route[${j}].destination`, host: r.destination.host, subset: r.destination.subset, port: r.destination.port?.number });
        }
      });
      if (typeof rule?.mirror?.host === 'string') out.push({ path: `spec.${kind}[${i}].mirror`, host: rule.mirror.host, subset: rule.mirror.subset });
    });
  }
  return out;
}

function attachedToMesh(vs: Spec): boolean {
  return !Array.isArray(vs.gateways) || vs.gateways.length === 0 || vs.gateways.includes('mesh');
}

/**
 * IST0109 ConflictingMeshGatewayVirtualServiceHosts: two VirtualServices bound to the mesh
 * gateway that define the same host for the same namespaces.
 * Follows virtualservice/conflictingmeshgatewayhosts.go: hosts are scoped by the
 * VirtualService's exportTo (all namespaces, or the listed ones), and a host exported to
 * all namespaces also conflicts with the same host exported to one.
 */
export function conflictingMeshHosts(view: MeshView, cluster: string): Finding[] {
  const byScopedHost = new Map<string, OutputObject[]>();
  for (const vs of ofKind(view, cluster, 'VirtualService')) {
    if (!attachedToMesh(spec(vs))) continue;
    for (const scope of exportScope(spec(vs).exportTo, ns(vs))) {
      for (const h of Array.isArray(spec(vs).hosts) ? spec(vs).hosts : []) {
        const key = `${scope}/${fqdn(String(h), ns(vs))}`;
        byScopedHost.set(key, [...(byScopedHost.get(key) ?? []), vs]);
      }
    }
  }
  const findings: Finding[] = [];
  const reported = new Set<OutputObject>();
  for (const [key, list] of [...byScopedHost].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [scope, host] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    const all = scope === '*' ? list : [...list, ...(byScopedHost.get(`*/${host}`) ?? [])];
    const unique = [...new Set(all)];
    if (unique.length < 2) continue;
    const names = unique.map((o) => `${ns(o)}/${o.manifest.metadata.name}`).sort().join(',');
    for (const vs of unique) {
      if (reported.has(vs)) continue;
      reported.add(vs);
      findings.push(finding(vs, ISTIO_CODES.conflictingMeshGatewayVirtualServiceHosts, 'error',
        `the VirtualServices ${names} associated with mesh gateway define the same host ${host} which can lead to undefined behavior`,
        'merge the conflicting VirtualServices into a single resource, or drop the hand-written one', 'spec.hosts'));
    }
  }
  return findings;
}

/**
 * IST0101 (selector): a Gateway whose selector matches no gateway workload.
 * Follows gateway/gateway.go (IngressGatewayPortAnalyzer): the selector is matched against
 * pods in every namespace; here the pods are the gateway Deployments of the cluster's
 * `gateway`-chart HelmReleases, labelled as the chart renders them.
 */
export function gatewaySelectors(view: MeshView, cluster: string): Finding[] {
  const workloads = governedWorkloads(view, cluster);
  return ofKind(view, cluster, 'Gateway').flatMap((gw) => {
    const selector = spec(gw).selector as Record<string, string> | undefined;
    if (!selector || Object.keys(selector).length === 0) return [];
    if (workloads.some((w) => selects(selector, w.labels))) return [];
    return [finding(gw, ISTIO_CODES.referencedResourceNotFound, 'error', `referenced selector not found: "${selectorText(selector)}"`,
      'make spec.selector match the labels of a gateway Deployment (the east-west gateway is `istio: eastwestgateway`), or install that gateway', 'spec.selector')];
  });
}

/**
 * IST0127 NoMatchingWorkloadsFound: an AuthorizationPolicy whose selector matches no workload.
 * Follows authz/authorizationpolicies.go (analyzeNoMatchingWorkloads): only workloads of the
 * policy's namespace count, except for the root namespace (istio-system), whose policies
 * apply mesh-wide. Sidecars with a workloadSelector get IST0101 as sidecar/selector.go does.
 */
export function workloadSelectors(view: MeshView, cluster: string): Finding[] {
  // Workloads by one of their labels (`k=v`), mesh-wide ('' namespace) and per namespace: a
  // matching workload carries the selector's first label, so only those are compared (a
  // scan of every workload per policy made a 100,000-service fleet quadratic).
  const byLabel = new Map<string, Map<string, Workload[]>>();
  const index = (namespace: string, label: string, w: Workload) => {
    let labels = byLabel.get(namespace);
    if (!labels) byLabel.set(namespace, (labels = new Map()));
    const list = labels.get(label);
    if (list) list.push(w);
    else labels.set(label, [w]);
  };
  for (const w of governedWorkloads(view, cluster)) {
    for (const [k, v] of Object.entries(w.labels)) {
      index('', `${k}=${v}`, w);
      index(w.namespace, `${k}=${v}`, w);
    }
  }
  const findings: Finding[] = [];
  const check = (o: OutputObject, selector: Record<string, string> | undefined, code: string, message: (s: string) => string, path: string) => {
    if (!selector || Object.keys(selector).length === 0) return;
    const namespace = ns(o);
    const [k, v] = Object.entries(selector)[0];
    const candidates = byLabel.get(namespace === 'istio-system' ? '' : namespace)?.get(`${k}=${v}`) ?? [];
    if (candidates.some((w) => selects(selector, w.labels))) return;
    findings.push(finding(o, code, code === ISTIO_CODES.noMatchingWorkloadsFound ? 'warning' : 'error', message(selectorText(selector)),
      `select the pods of a service that runs in ${cluster} (meshfleet services are labelled \`app: <service name>\`), or remove the policy`, path));
  };
  for (const ap of ofKind(view, cluster, 'AuthorizationPolicy')) {
    check(ap, spec(ap).selector?.matchLabels, ISTIO_CODES.noMatchingWorkloadsFound,
      (s) => `no matching workloads for this resource with the following labels: ${s}`, 'spec.selector.matchLabels');
  }
  for (const sc of ofKind(view, cluster, 'Sidecar')) {
    check(sc, spec(sc).workloadSelector?.labels, ISTIO_CODES.referencedResourceNotFound,
      (s) => `referenced selector not found: "${s}"`, 'spec.workloadSelector.labels');
  }
  return findings;
}

/**
 * VirtualService destinations: IST0101 for a host nothing defines
 * (virtualservice/destinationhosts.go) and for a subset no DestinationRule of the host
 * defines (virtualservice/destinationrules.go, "host+subset in destinationrule").
 */
export function routeDestinations(view: MeshView, cluster: string, hosts = new HostIndex(knownHosts(view, cluster))): Finding[] {
  const subsets = new Set<string>();
  for (const dr of ofKind(view, cluster, 'DestinationRule')) {
    for (const s of Array.isArray(spec(dr).subsets) ? spec(dr).subsets : []) subsets.add(`${fqdn(String(spec(dr).host), ns(dr))}|${s?.name}`);
  }
  const findings: Finding[] = [];
  for (const vs of ofKind(view, cluster, 'VirtualService')) {
    for (const d of destinations(spec(vs))) {
      const host = fqdn(d.host, ns(vs));
      if (!hosts.matching(host).some((h) => visibleIn(h, ns(vs)))) {
        findings.push(finding(vs, ISTIO_CODES.referencedResourceNotFound, 'error', `referenced host not found: "${d.host}"`,
          'route to a service of the topology or to a host a ServiceEntry exported to this namespace defines', `${d.path}.host`));
      } else if (d.subset !== undefined && !subsets.has(`${host}|${d.subset}`)) {
        findings.push(finding(vs, ISTIO_CODES.referencedResourceNotFound, 'error', `referenced host+subset in destinationrule not found: "${d.host}+${d.subset}"`,
          'define the subset in the DestinationRule of the host, or route without it', `${d.path}.subset`));
      }
    }
  }
  return findings;
}

/**
 * DestinationRules: IST0174 for a host no service or ServiceEntry defines and IST0173 for a
 * subset that selects no pods (destinationrule/subset.go). Offline, a subset selects no pods
 * when its `topology.istio.io/cluster` or `topology.istio.io/network` label names a cluster
 * or network the host's service does not run in: istiod adds those labels to every endpoint
 * (pilot/pkg/serviceregistry/util/label AugmentLabels). Istio's analyzer calls AugmentLabels
 * with an empty cluster ID, so `istioctl analyze` cannot judge subsets by cluster label;
 * the topology can. MF201 (no Istio code, info): a subset no route of the cluster uses.
 */
export function destinationRules(view: MeshView, cluster: string, hosts = new HostIndex(knownHosts(view, cluster))): Finding[] {
  const used = new Set<string>();
  for (const vs of ofKind(view, cluster, 'VirtualService')) {
    for (const d of destinations(spec(vs))) if (d.subset !== undefined) used.add(`${fqdn(d.host, ns(vs))}|${d.subset}`);
  }
  const networkOf = new Map(view.topology.clusters.map((c) => [c.name, c.network]));
  const services = new Map(view.topology.services.map((s) => [serviceHost(s.name, s.namespace), s]));
  const findings: Finding[] = [];
  for (const dr of ofKind(view, cluster, 'DestinationRule')) {
    const host = fqdn(String(spec(dr).host), ns(dr));
    if (hosts.matching(host).length === 0) {
      findings.push(finding(dr, ISTIO_CODES.unknownDestinationRuleHost, 'warning', `the host ${spec(dr).host} defined in the DestinationRule does not match any services in the mesh`,
        'name a service of the topology or a ServiceEntry host in spec.host', 'spec.host'));
      continue;
    }
    const service = services.get(host);
    (Array.isArray(spec(dr).subsets) ? spec(dr).subsets : []).forEach((subset: Spec, i: number) => {
      const labels: Record<string, string> = subset?.labels ?? {};
      const inCluster = labels['topology.istio.io/cluster'];
      const inNetwork = labels['topology.istio.io/network'];
      const runsIn = service?.runsIn ?? [];
      const dead = service !== undefined && (
        (inCluster !== undefined && !runsIn.includes(inCluster)) ||
        (inNetwork !== undefined && !runsIn.some((c) => networkOf.get(c) === inNetwork)));
      if (dead) {
        findings.push(finding(dr, ISTIO_CODES.destinationRuleSubsetNotSelectPods, 'error',
          `the subset ${subset.name} defined in the DestinationRule does not select any pods, which may lead to 503 UH (NoHealthyUpstream): ${service.name} does not run in ${inCluster ?? `network ${inNetwork}`}`,
          `add ${inCluster ?? 'a cluster of that network'} to services[${service.name}].runsIn, or remove the subset`, `spec.subsets[${i}]`, `services[${service.name}]`));
      } else if (!used.has(`${host}|${subset?.name}`)) {
        // Info, not a warning: an unused subset breaks nothing; it only costs every sidecar
        // that sees the DestinationRule one more Envoy cluster per port.
        findings.push(finding(dr, ISTIO_CODES.unusedSubset, 'info', `subset ${subset?.name} of ${spec(dr).host} is used by no route in ${cluster}`,
          'remove the subset, or route to it from a VirtualService', `spec.subsets[${i}]`));
      }
    });
  }
  return findings;
}

/**
 * MF202 (no Istio code; Istio's sidecar analyzers check only the workload selector): a
 * Sidecar egress host (`<namespace>/<host>`) that matches no service and no ServiceEntry
 * visible in that namespace. `*` and `~` namespaces and wildcard hosts are not judged.
 * @see https://istio.io/latest/docs/reference/config/networking/sidecar/#IstioEgressListener
 */
export function sidecarEgress(view: MeshView, cluster: string, hosts = new HostIndex(knownHosts(view, cluster))): Finding[] {
  const findings: Finding[] = [];
  for (const sc of ofKind(view, cluster, 'Sidecar')) {
    (Array.isArray(spec(sc).egress) ? spec(sc).egress : []).forEach((listener: Spec, i: number) => {
      (Array.isArray(listener?.hosts) ? listener.hosts : []).forEach((entry: string, j: number) => {
        const cut = String(entry).indexOf('/');
        const [namespace, host] = cut < 0 ? ['*', String(entry)] : [String(entry).slice(0, cut), String(entry).slice(cut + 1)];
        if (namespace === '~' || host === '*' || host.startsWith('*.')) return;
        const inNs = namespace === '.' ? ns(sc) : namespace;
        const match = hosts.matching(host).some((h) => (inNs === '*' || h.namespace === inNs) && visibleIn(h, ns(sc)));
        if (!match) {
          findings.push(finding(sc, ISTIO_CODES.sidecarEgressHostUnmatched, 'warning', `egress host ${entry} matches no service or ServiceEntry visible in namespace ${ns(sc)}`,
            'correct the host (`<namespace>/<fqdn>`), or declare the service in the topology', `spec.egress[${i}].hosts[${j}]`));
        }
      });
    });
  }
  return findings;
}

/**
 * MF203: two ServiceEntries of one cluster define the same host for overlapping namespaces;
 * Istio merges them unpredictably (istio/istio master adds IST0177 for the case where
 * their protocols differ: analyzers/serviceentry/conflictingserviceentries.go).
 */
export function duplicateServiceEntryHosts(view: MeshView, cluster: string): Finding[] {
  // host -> export scope -> the ServiceEntry seen last for it (first-seen order of scopes)
  const seen = new Map<string, Map<string, OutputObject>>();
  const findings: Finding[] = [];
  for (const se of ofKind(view, cluster, 'ServiceEntry')) {
    for (const h of Array.isArray(spec(se).hosts) ? spec(se).hosts : []) {
      let scopes = seen.get(String(h));
      if (!scopes) seen.set(String(h), (scopes = new Map()));
      for (const scope of exportScope(spec(se).exportTo, ns(se))) {
        const clash = [...scopes].find(([other, o]) => o !== se && (scope === '*' || other === '*' || other === scope));
        if (clash) {
          findings.push(finding(se, ISTIO_CODES.duplicateServiceEntryHost, 'warning', `host ${h} is also defined by ${objectName(clash[1].manifest)}`,
            'define each host in one ServiceEntry, or export them to different namespaces', 'spec.hosts'));
          break;
        }
        scopes.set(scope, se);
      }
    }
  }
  return findings;
}

/** Every Istio analyzer for one cluster's output. */
export function istioFindings(view: MeshView, cluster: string): Finding[] {
  const hosts = new HostIndex(knownHosts(view, cluster));
  return [
    ...conflictingMeshHosts(view, cluster),
    ...gatewaySelectors(view, cluster),
    ...workloadSelectors(view, cluster),
    ...routeDestinations(view, cluster, hosts),
    ...destinationRules(view, cluster, hosts),
    ...sidecarEgress(view, cluster, hosts),
    ...duplicateServiceEntryHosts(view, cluster),
  ];
}
