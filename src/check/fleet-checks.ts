/**
 * Check 4: facts that must agree across clusters (MF1xx). They read the output tree (so
 * they catch hand edits) and compare it with the topology's intent.
 */
import type { Finding } from './finding';
import { destinations, fqdn } from './istio-analyzers';
import { gatewayDeployments, istiodConfigs, ofKind, serviceHost, SERVICE_APP_LABEL, type MeshView } from './mesh-view';
import { objectName, type OutputObject } from './output-objects';

/** The cross-cluster codes. */
export const FLEET_CODES = {
  meshId: 'MF101',
  trustDomain: 'MF102',
  clusterName: 'MF103',
  eastWestGateway: 'MF104',
  istiodExposed: 'MF105',
  callerReach: 'MF106',
  failoverTarget: 'MF107',
  portsAgree: 'MF108',
  hostClaimedTwice: 'MF109',
} as const;

type Spec = Record<string, any>;

function at(o: OutputObject, code: string, message: string, fix: string, path?: string, topology?: string): Finding {
  return { severity: 'error', code, message, cluster: o.cluster, file: o.file, object: objectName(o.manifest), ...(path ? { path } : {}), ...(topology ? { topology } : {}), fix };
}

function fleet(code: string, message: string, fix: string, topology?: string, cluster?: string): Finding {
  return { severity: 'error', code, message, ...(cluster ? { cluster } : {}), ...(topology ? { topology } : {}), fix };
}

function configCluster(view: MeshView, cluster: string): string {
  const c = view.topology.clusters.find((x) => x.name === cluster);
  return c?.role === 'remote' && c.controlPlane ? c.controlPlane : cluster;
}

/** MF101-MF103: mesh ID, trust domain and cluster name in every istiod's values, remote secrets and injection path. */
export function identity(view: MeshView): Finding[] {
  const { mesh, clusters } = view.topology;
  const names = new Set(clusters.map((c) => c.name));
  const findings: Finding[] = [];
  for (const c of clusters) {
    for (const { object: hr, values, meshConfig, meshConfigPath } of istiodConfigs(view, c.name)) {
      const meshId = values.global?.meshID;
      if (meshId !== undefined && meshId !== mesh.id) {
        findings.push(at(hr, FLEET_CODES.meshId, `global.meshID is ${JSON.stringify(meshId)}, but the mesh is ${JSON.stringify(mesh.id)} in every other cluster`,
          `set it to ${JSON.stringify(mesh.id)} (mesh.id), or re-run synth`, 'spec.values.global.meshID', 'mesh.id'));
      }
      const trustDomain = meshConfig.trustDomain;
      if (trustDomain !== undefined && trustDomain !== mesh.trustDomain) {
        findings.push(at(hr, FLEET_CODES.trustDomain, `meshConfig.trustDomain is ${JSON.stringify(trustDomain)}, but the mesh trust domain is ${JSON.stringify(mesh.trustDomain)}: mTLS and AuthorizationPolicies across clusters fail`,
          `set it to ${JSON.stringify(mesh.trustDomain)} (mesh.trustDomain), or re-run synth`, `${meshConfigPath}.trustDomain`, 'mesh.trustDomain'));
      }
      const clusterName = values.global?.multiCluster?.clusterName;
      if (clusterName !== c.name) {
        findings.push(at(hr, FLEET_CODES.clusterName, `global.multiCluster.clusterName is ${JSON.stringify(clusterName)} in the output of cluster ${c.name}`,
          `set it to ${JSON.stringify(c.name)}: remote secrets, subsets and the injection path name the cluster so`, 'spec.values.global.multiCluster.clusterName', `clusters[${c.name}]`));
      }
      const path = values.istiodRemote?.injectionPath;
      const expected = `/inject/cluster/${c.name}/net/${c.network}`;
      if (c.role === 'remote' && path !== undefined && path !== expected) {
        findings.push(at(hr, FLEET_CODES.clusterName, `istiodRemote.injectionPath is ${JSON.stringify(path)}, but cluster ${c.name} on network ${c.network} needs ${JSON.stringify(expected)}`,
          `set it to ${JSON.stringify(expected)}`, 'spec.values.istiodRemote.injectionPath', `clusters[${c.name}]`));
      }
    }
    // Remote secrets: the kubeconfig key and the networking.istio.io/cluster annotation name the cluster read.
    for (const o of [...ofKind(view, c.name, 'ExternalSecret'), ...ofKind(view, c.name, 'Secret')]) {
      const isEso = o.manifest.kind === 'ExternalSecret';
      const template: Spec = isEso ? o.manifest.spec.target?.template ?? {} : { metadata: o.manifest.metadata, data: { ...o.manifest.data, ...o.manifest.stringData } };
      if (template.metadata?.labels?.['istio/multiCluster'] !== 'true') continue;
      const annotated = template.metadata?.annotations?.['networking.istio.io/cluster'];
      const keys = Object.keys(template.data ?? {});
      const base = isEso ? 'spec.target.template' : '';
      for (const key of keys) {
        if (!names.has(key)) {
          findings.push(at(o, FLEET_CODES.clusterName, `remote secret key ${JSON.stringify(key)} names no cluster of the topology`,
            'name the key after the cluster whose API server the kubeconfig reads', `${base}${base ? '.' : ''}data.${key}`));
        } else if (annotated !== undefined && annotated !== key) {
          findings.push(at(o, FLEET_CODES.clusterName, `remote secret key ${JSON.stringify(key)} and its networking.istio.io/cluster annotation ${JSON.stringify(annotated)} disagree`,
            'use the same cluster name for both', `${base}${base ? '.' : ''}metadata.annotations`));
        }
      }
    }
  }
  return findings;
}

/** Networks that receive cross-network traffic: a called service runs there and a caller runs on another network. */
function receivingNetworks(view: MeshView): Map<string, string> {
  const networkOf = new Map(view.topology.clusters.map((c) => [c.name, c.network]));
  const out = new Map<string, string>();
  for (const s of view.topology.services) {
    if (s.clusterLocal) continue;
    const callers = s.consumers.flatMap((c) => c.clusters).map((c) => networkOf.get(c)).filter((n): n is string => n !== undefined);
    for (const server of s.runsIn) {
      const net = networkOf.get(server);
      if (net !== undefined && callers.some((n) => n !== net) && !out.has(net)) out.set(net, `services[${s.name}]`);
    }
  }
  return out;
}

/** MF104: every network that receives cross-network traffic has an east-west gateway and a `cross-network-gateway`. */
export function eastWestGateways(view: MeshView): Finding[] {
  const findings: Finding[] = [];
  for (const [network, cause] of [...receivingNetworks(view)].sort()) {
    const members = view.topology.clusters.filter((c) => c.network === network).map((c) => c.name);
    const withGateway = members.filter((c) => gatewayDeployments(view, c).some((g) => g.network === network));
    if (withGateway.length === 0) {
      findings.push(fleet(FLEET_CODES.eastWestGateway, `network ${network} receives cross-network traffic but no cluster on it installs an east-west gateway (labelled topology.istio.io/network: ${network})`,
        'restore the istio-eastwestgateway HelmRelease (re-run synth)', cause));
      continue;
    }
    const exposes = withGateway.some((c) => ofKind(view, configCluster(view, c), 'Gateway').some((gw) =>
      (gw.manifest.spec.servers ?? []).some((s: Spec) => s?.port?.number === 15443 && s?.tls?.mode === 'AUTO_PASSTHROUGH')));
    if (!exposes) {
      findings.push(fleet(FLEET_CODES.eastWestGateway, `network ${network} receives cross-network traffic but no Gateway exposes port 15443 with tls.mode AUTO_PASSTHROUGH (cross-network-gateway)`,
        'restore Gateway istio-system/cross-network-gateway (re-run synth)', cause));
    }
  }
  return findings;
}

/** MF105: every remote's primary exposes istiod (15012 and 15017) through its east-west gateway. */
export function istiodExposure(view: MeshView): Finding[] {
  const findings: Finding[] = [];
  for (const remote of view.topology.clusters.filter((c) => c.role === 'remote' && c.controlPlane)) {
    const primary = remote.controlPlane!;
    const ports = new Set<number>();
    for (const gw of ofKind(view, primary, 'Gateway')) for (const s of gw.manifest.spec.servers ?? []) if (typeof s?.port?.number === 'number') ports.add(s.port.number);
    const routed = ofKind(view, primary, 'VirtualService').some((vs) => destinations(vs.manifest.spec).some((d) => /^istiod(-[a-z0-9-]+)?\.istio-system\.svc/.test(d.host)));
    const missing = [15012, 15017].filter((p) => !ports.has(p));
    if (missing.length > 0 || !routed) {
      findings.push(fleet(FLEET_CODES.istiodExposed, `remote ${remote.name} reaches istiod through ${primary}, but ${primary} ${missing.length ? `exposes no Gateway port ${missing.join(', ')}` : 'routes nothing to istiod'}`,
        `restore Gateway istiod-gateway and VirtualService istiod-vs in ${primary} (re-run synth)`, `clusters[${remote.name}].controlPlane`, primary));
    }
  }
  return findings;
}

function egressAdmits(entries: readonly string[], callerNs: string, serviceNs: string, hosts: readonly string[]): boolean {
  return entries.some((entry) => {
    const cut = entry.indexOf('/');
    const [ns, host] = cut < 0 ? ['*', entry] : [entry.slice(0, cut), entry.slice(cut + 1)];
    const nsOk = ns === '*' || ns === serviceNs || (ns === '.' && callerNs === serviceNs);
    return nsOk && hosts.some((h) => host === '*' || host === h || (host.startsWith('*.') && h.endsWith(host.slice(1))));
  });
}

function exportedTo(o: OutputObject, namespace: string): boolean {
  const e = o.manifest.spec.exportTo;
  if (!Array.isArray(e) || e.length === 0 || e.includes('*')) return true;
  return e.includes(namespace) || (e.includes('.') && o.manifest.metadata.namespace === namespace);
}

/** Objects in their original order, from several lists of an index (each in that order). */
function inOrder(order: ReadonlyMap<OutputObject, number>, ...lists: (readonly OutputObject[] | undefined)[]): OutputObject[] {
  return lists.flatMap((l) => l ?? []).sort((a, b) => order.get(a)! - order.get(b)!);
}

/**
 * What {@link callerReach} looks up per caller, indexed once per config cluster: scanning
 * every route, Sidecar and policy of the cluster per caller made a fleet of 100,000
 * services quadratic (hours).
 */
interface ReachIndex {
  /** VirtualServices, then DestinationRules, by each fully qualified host they name. */
  readonly routes: ReadonlyMap<string, readonly OutputObject[]>;
  /** Sidecars without a workloadSelector, by namespace. */
  readonly sidecars: ReadonlyMap<string, readonly OutputObject[]>;
  /** AuthorizationPolicies that can select a pod labelled only `app: <name>`: by namespace, then by that name ('' = any). */
  readonly policies: ReadonlyMap<string, ReadonlyMap<string, readonly OutputObject[]>>;
  /** Position of each policy in the cluster's output. */
  readonly order: ReadonlyMap<OutputObject, number>;
}

function reachIndex(view: MeshView, cluster: string): ReachIndex {
  const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  const routes = new Map<string, OutputObject[]>();
  for (const o of [...ofKind(view, cluster, 'VirtualService'), ...ofKind(view, cluster, 'DestinationRule')]) {
    const objectHosts: unknown[] = o.manifest.kind === 'DestinationRule' ? [o.manifest.spec.host] : o.manifest.spec.hosts ?? [];
    const named = new Set(objectHosts.filter((h) => h !== undefined).map((h) => fqdn(String(h), o.manifest.metadata.namespace)));
    for (const host of named) push(routes, host, o);
  }
  const sidecars = new Map<string, OutputObject[]>();
  for (const sc of ofKind(view, cluster, 'Sidecar')) {
    if (!sc.manifest.spec.workloadSelector) push(sidecars, sc.manifest.metadata.namespace, sc);
  }
  const policies = new Map<string, Map<string, OutputObject[]>>();
  const order = new Map<OutputObject, number>();
  ofKind(view, cluster, 'AuthorizationPolicy').forEach((ap, i) => {
    const labels: Record<string, string> = ap.manifest.spec.selector?.matchLabels ?? {};
    const keys = Object.keys(labels);
    // A selector matches a pod labelled only app=<name> when it is empty (any name) or exactly app=<name>.
    if (keys.some((k) => k !== SERVICE_APP_LABEL) || (keys.length > 0 && typeof labels[SERVICE_APP_LABEL] !== 'string')) return;
    const app = keys.length === 0 ? '' : labels[SERVICE_APP_LABEL];
    let byApp = policies.get(ap.manifest.metadata.namespace);
    if (!byApp) policies.set(ap.manifest.metadata.namespace, (byApp = new Map()));
    push(byApp, app, ap);
    order.set(ap, i);
  });
  return { routes, sidecars, policies, order };
}

/**
 * MF106: every declared caller can reach every service it calls: the service runs somewhere
 * the caller can route to, the host's VirtualServices and DestinationRules are exported to
 * the caller's namespace, the caller namespace's Sidecar lists the host, and the service's
 * ALLOW AuthorizationPolicies admit the caller's principal. With `only`, just the callers and
 * servers whose configuration lives in those clusters.
 */
export function callerReach(view: MeshView, only?: ReadonlySet<string>): Finding[] {
  const { trustDomain } = view.topology.mesh;
  const findings: Finding[] = [];
  const configOf = new Map(view.topology.clusters.map((c) => [c.name, configCluster(view, c.name)]));
  const indexes = new Map<string, ReachIndex>();
  const indexOf = (cluster: string): ReachIndex => {
    let index = indexes.get(cluster);
    if (!index) indexes.set(cluster, (index = reachIndex(view, cluster)));
    return index;
  };
  for (const s of view.topology.services) {
    const host = serviceHost(s.name, s.namespace);
    const hosts = [host, `${s.name}.${s.namespace}.global`];
    s.consumers.forEach((consumer, ci) => {
      const where = `services[${s.name}].consumers[${ci}]`;
      const principal = `${trustDomain}/ns/${consumer.namespace}/sa/${consumer.serviceAccount}`;
      for (const k of consumer.clusters) {
        const config = configOf.get(k) ?? k;
        if (only && !only.has(config)) continue;
        if (s.clusterLocal && !s.runsIn.includes(k)) {
          findings.push(fleet(FLEET_CODES.callerReach, `${principal} in ${k} calls ${host}, which is cluster-local and does not run in ${k}`,
            `add ${k} to services[${s.name}].runsIn, or make the service not cluster-local`, where, k));
          continue;
        }
        const index = indexOf(config);
        for (const o of index.routes.get(host) ?? []) {
          if (!exportedTo(o, consumer.namespace)) {
            findings.push(at(o, FLEET_CODES.callerReach, `${principal} in ${k} calls ${host}, but this ${o.manifest.kind} is not exported to namespace ${consumer.namespace}`,
              `add ${consumer.namespace} to spec.exportTo`, 'spec.exportTo', where));
          }
        }
        for (const sc of index.sidecars.get(consumer.namespace) ?? []) {
          const entries = (sc.manifest.spec.egress ?? []).flatMap((l: Spec) => (Array.isArray(l?.hosts) ? l.hosts.map(String) : []));
          if (!egressAdmits(entries, consumer.namespace, s.namespace, hosts)) {
            findings.push(at(sc, FLEET_CODES.callerReach, `${principal} in ${k} calls ${host}, but the Sidecar of namespace ${consumer.namespace} does not list it in spec.egress hosts`,
              `add "${s.namespace}/${host}" to spec.egress[0].hosts`, 'spec.egress', where));
          }
        }
      }
      // The service's side: ALLOW policies selecting its pods must admit the caller; no DENY may match it.
      for (const server of s.runsIn) {
        if (only && !only.has(configOf.get(server) ?? server)) continue;
        const index = indexOf(configOf.get(server) ?? server);
        const namespaces = s.namespace === 'istio-system' ? ['istio-system'] : [s.namespace, 'istio-system'];
        const policies = inOrder(index.order, ...namespaces.flatMap((ns) => [index.policies.get(ns)?.get(''), index.policies.get(ns)?.get(s.name)]));
        const admits = (ap: OutputObject) => (ap.manifest.spec.rules ?? []).some((rule: Spec) =>
          !Array.isArray(rule?.from) || rule.from.length === 0 ||
          rule.from.some((f: Spec) => !Array.isArray(f?.source?.principals) || f.source.principals.some((p: string) => p === '*' || p === principal)));
        const allow = policies.filter((ap) => (ap.manifest.spec.action ?? 'ALLOW') === 'ALLOW');
        if (allow.length > 0 && !allow.some(admits)) {
          findings.push(at(allow[0], FLEET_CODES.callerReach, `${principal} calls ${s.name} in ${server}, but no ALLOW AuthorizationPolicy of the service admits it`,
            `add "${principal}" to spec.rules[0].from[0].source.principals, or re-run synth`, 'spec.rules', where));
        }
        for (const deny of policies.filter((ap) => ap.manifest.spec.action === 'DENY' && admits(ap))) {
          findings.push(at(deny, FLEET_CODES.callerReach, `${principal} calls ${s.name} in ${server}, but this DENY AuthorizationPolicy matches it`,
            'narrow the DENY rule so it does not match the declared caller', 'spec.rules', where));
        }
      }
    });
  }
  return findings;
}

/** MF107: every locality failover target region has a cluster running the service. */
export function failoverTargets(view: MeshView): Finding[] {
  const regionOf = new Map(view.topology.clusters.map((c) => [c.name, c.region]));
  const services = new Map(view.topology.services.map((s) => [serviceHost(s.name, s.namespace), s]));
  const findings: Finding[] = [];
  for (const cluster of view.byCluster.keys()) {
    for (const dr of ofKind(view, cluster, 'DestinationRule')) {
      const host = fqdn(String(dr.manifest.spec.host), dr.manifest.metadata.namespace);
      const service = services.get(host);
      if (!service) continue;
      const regions = new Set(service.runsIn.map((c) => regionOf.get(c)));
      const failover = dr.manifest.spec.trafficPolicy?.loadBalancer?.localityLbSetting?.failover;
      (Array.isArray(failover) ? failover : []).forEach((f: Spec, i: number) => {
        if (typeof f?.to === 'string' && !regions.has(f.to)) {
          findings.push(at(dr, FLEET_CODES.failoverTarget, `failover from ${f.from} to ${f.to}, but ${service.name} runs in no cluster of region ${f.to}`,
            `add a cluster of ${f.to} to services[${service.name}].runsIn, or change the failover target`,
            `spec.trafficPolicy.loadBalancer.localityLbSetting.failover[${i}].to`, `services[${service.name}].failover`));
        }
      });
    }
  }
  return findings;
}

/** MF108 (ports and protocols of one host agree in every cluster) and MF109 (no host is claimed by two namespaces). */
export function hostAgreement(view: MeshView): Finding[] {
  const findings: Finding[] = [];
  const ports = new Map<string, { o: OutputObject; ports: string }>();
  const owners = new Map<string, OutputObject>();
  for (const cluster of [...view.byCluster.keys()].sort()) {
    for (const se of ofKind(view, cluster, 'ServiceEntry')) {
      const text = JSON.stringify([...(se.manifest.spec.ports ?? [])].map((p: Spec) => `${p?.number}/${p?.protocol ?? ''}`).sort());
      for (const h of se.manifest.spec.hosts ?? []) {
        const first = ports.get(h);
        if (!first) ports.set(h, { o: se, ports: text });
        else if (first.ports !== text) {
          findings.push(at(se, FLEET_CODES.portsAgree, `host ${h} has ports ${text} here but ${first.ports} in ${objectName(first.o.manifest)} of ${first.o.cluster}`,
            'make the ports and protocols of the host the same in every cluster (re-run synth)', 'spec.ports'));
        }
      }
    }
    for (const o of [...ofKind(view, cluster, 'ServiceEntry'), ...ofKind(view, cluster, 'VirtualService')]) {
      if (o.manifest.kind === 'VirtualService' && Array.isArray(o.manifest.spec.gateways) && !o.manifest.spec.gateways.includes('mesh')) continue;
      for (const h of o.manifest.spec.hosts ?? []) {
        const host = fqdn(String(h), o.manifest.metadata.namespace);
        const key = `${o.manifest.kind}|${host}`;
        const first = owners.get(key);
        if (!first) owners.set(key, o);
        else if (first.manifest.metadata.namespace !== o.manifest.metadata.namespace) {
          findings.push(at(o, FLEET_CODES.hostClaimedTwice, `host ${host} is claimed by namespace ${o.manifest.metadata.namespace} here and by namespace ${first.manifest.metadata.namespace} in ${first.cluster}`,
            'let one namespace own each host across the fleet', 'spec.hosts'));
        }
      }
    }
  }
  return findings;
}

/** Every cross-cluster check. */
export function fleetFindings(view: MeshView): Finding[] {
  return [...identity(view), ...eastWestGateways(view), ...istiodExposure(view), ...callerReach(view), ...failoverTargets(view), ...hostAgreement(view)];
}
