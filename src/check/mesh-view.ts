/**
 * What the checks know about the mesh offline: the objects of each cluster's output, the
 * workloads that will run there (from the topology's services and from the gateway
 * HelmReleases' chart values) and the hosts each cluster's Istio configuration can see.
 */
import type { Topology } from '../../topology';
import type { OutputObject } from './output-objects';

/** Labels of a workload the checks know will run, with where it comes from. */
export interface Workload {
  /** Cluster it runs in. */
  readonly cluster: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `services[<name>]`, or the HelmRelease it comes from. */
  readonly origin: string;
}

/** The facts one check run shares. */
export interface MeshView {
  readonly topology: Topology;
  /** Objects applied to clusters (istioctl input excluded), by top folder. */
  readonly byCluster: ReadonlyMap<string, readonly OutputObject[]>;
  /**
   * Clusters whose workloads a cluster's Istio configuration governs: the cluster itself and
   * the remotes whose control plane (and config cluster) it is.
   */
  readonly governed: ReadonlyMap<string, readonly string[]>;
  /** Workloads by the cluster they run in. */
  readonly workloads: ReadonlyMap<string, readonly Workload[]>;
  /** IstioOperator files (istioctl input, when delivery is by istioctl), by top folder. */
  readonly operators: ReadonlyMap<string, readonly OutputObject[]>;
  /** The objects of {@link byCluster} that have a `spec` and `metadata` map, by cluster and kind (see {@link ofKind}). */
  readonly byKind: ReadonlyMap<string, ReadonlyMap<string, readonly OutputObject[]>>;
}

/** An istiod installation's settings, from a HelmRelease of the istiod chart or an IstioOperator. */
export interface IstiodConfig {
  readonly object: OutputObject;
  /** Helm values (`spec.values`). */
  readonly values: Record<string, any>;
  /** Mesh config (`spec.values.meshConfig` of a HelmRelease, `spec.meshConfig` of an IstioOperator). */
  readonly meshConfig: Record<string, any>;
  /** Field path of `meshConfig` in the object. */
  readonly meshConfigPath: string;
}

/** A gateway deployment: its namespace, pod labels and the network it is the gateway of. */
export interface GatewayDeployment {
  readonly object: OutputObject;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly network?: string;
}

/** Pod label the AuthorizationPolicies and routes of meshfleet select a service's workloads by. */
export const SERVICE_APP_LABEL = 'app';

/** `<name>.<namespace>.svc.cluster.local`. */
export function serviceHost(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.cluster.local`;
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The chart a Flux HelmRelease installs (`spec.chart.spec.chart`), if any. */
export function helmChart(manifest: Record<string, any>): string | undefined {
  if (manifest.kind !== 'HelmRelease' || !isRecord(manifest.spec)) return undefined;
  const chart = manifest.spec.chart?.spec?.chart;
  return typeof chart === 'string' ? chart : undefined;
}

/** The namespace a HelmRelease installs into. */
export function releaseNamespace(manifest: Record<string, any>): string {
  return manifest.spec?.targetNamespace ?? manifest.metadata?.namespace ?? 'default';
}

/**
 * Pod labels of the gateway Deployment Istio's `gateway` chart renders for a HelmRelease,
 * as its templates compute them (manifests/charts/gateway/templates/_helpers.tpl
 * `gateway.selectorLabels` and deployment.yaml at 1.30.3): `app` and `istio` (the name
 * without its `istio-` prefix) unless `labels` overrides them, `app.kubernetes.io/name`,
 * every other `labels` entry, and `topology.istio.io/network` from `networkGateway`.
 */
export function gatewayPodLabels(manifest: Record<string, any>): Record<string, string> {
  const values = isRecord(manifest.spec?.values) ? manifest.spec.values : {};
  const releaseName = manifest.spec?.releaseName ?? manifest.metadata?.name;
  const name: string = values.name || releaseName || 'istio-ingressgateway';
  const extra: Record<string, string> = isRecord(values.labels) ? values.labels : {};
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(extra)) labels[k] = String(v);
  labels.app = extra.app !== undefined ? String(extra.app) : name;
  labels.istio = extra.istio !== undefined ? String(extra.istio) : name.replace(/^istio-/, '');
  labels['app.kubernetes.io/name'] = name;
  if (values.networkGateway) labels['topology.istio.io/network'] = String(values.networkGateway);
  return labels;
}

function operatorGateways(o: OutputObject): GatewayDeployment[] {
  const components = o.manifest.spec?.components ?? {};
  return [...(components.ingressGateways ?? []), ...(components.egressGateways ?? [])]
    .filter((g: any) => isRecord(g) && g.enabled !== false && typeof g.name === 'string')
    .map((g: any) => {
      // istioctl (1.24+) renders gateway components with the gateway chart: name and labels become its values.
      const labels = gatewayPodLabels({ spec: { values: { name: g.name, labels: g.label ?? {} } } });
      return { object: o, namespace: g.namespace ?? o.manifest.metadata?.namespace ?? 'istio-system', labels, network: labels['topology.istio.io/network'] };
    });
}

/** The gateway Deployments a cluster's output installs (gateway-chart HelmReleases and IstioOperator gateways). */
export function gatewayDeployments(view: MeshView, cluster: string): GatewayDeployment[] {
  const fromHelm = (view.byCluster.get(cluster) ?? []).filter((o) => helmChart(o.manifest) === 'gateway').map((o) => {
    const labels = gatewayPodLabels(o.manifest);
    return { object: o, namespace: releaseNamespace(o.manifest), labels, network: labels['topology.istio.io/network'] };
  });
  return [...fromHelm, ...(view.operators.get(cluster) ?? []).flatMap(operatorGateways)];
}

/** The istiod installations of a cluster's output. */
export function istiodConfigs(view: MeshView, cluster: string): IstiodConfig[] {
  const out: IstiodConfig[] = [];
  for (const o of view.byCluster.get(cluster) ?? []) {
    if (helmChart(o.manifest) !== 'istiod') continue;
    const values = isRecord(o.manifest.spec.values) ? o.manifest.spec.values : {};
    out.push({ object: o, values, meshConfig: isRecord(values.meshConfig) ? values.meshConfig : {}, meshConfigPath: 'spec.values.meshConfig' });
  }
  for (const o of view.operators.get(cluster) ?? []) {
    const spec = isRecord(o.manifest.spec) ? o.manifest.spec : {};
    if (spec.profile === 'empty' || !isRecord(spec.values?.global)) continue;
    out.push({ object: o, values: spec.values, meshConfig: isRecord(spec.meshConfig) ? spec.meshConfig : {}, meshConfigPath: 'spec.meshConfig' });
  }
  return out;
}

/** Builds the view from the topology and the output's objects. */
export function meshView(topology: Topology, objects: readonly OutputObject[]): MeshView {
  const byCluster = new Map<string, OutputObject[]>();
  const operators = new Map<string, OutputObject[]>();
  const byKind = new Map<string, Map<string, OutputObject[]>>();
  // Lists grow in place: copying a cluster's list per object made a 100,000-service fleet quadratic.
  const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for (const o of objects) {
    if (o.manifest.kind === 'IstioOperator') {
      push(operators, o.cluster, o);
      continue;
    }
    push(byCluster, o.cluster, o);
    if (typeof o.manifest.kind === 'string' && isRecord(o.manifest.spec) && isRecord(o.manifest.metadata)) {
      let kinds = byKind.get(o.cluster);
      if (!kinds) byKind.set(o.cluster, (kinds = new Map()));
      push(kinds, o.manifest.kind, o);
    }
  }
  const governed = new Map<string, string[]>();
  for (const c of topology.clusters) {
    const owner = c.role === 'remote' && c.controlPlane ? c.controlPlane : c.name;
    governed.set(owner, [...(governed.get(owner) ?? []), c.name]);
    if (!governed.has(c.name)) governed.set(c.name, [c.name]);
  }
  const workloads = new Map<string, Workload[]>();
  const add = (w: Workload) => push(workloads, w.cluster, w);
  topology.services.forEach((s) => {
    for (const cluster of s.runsIn) {
      add({ cluster, namespace: s.namespace, labels: { [SERVICE_APP_LABEL]: s.name }, origin: `services[${s.name}]` });
    }
  });
  // IstioOperator files are the istioctl alternative to the HelmReleases: they count only
  // for a cluster whose output installs Istio no other way.
  for (const cluster of [...operators.keys()]) {
    if ((byCluster.get(cluster) ?? []).some((o) => helmChart(o.manifest) === 'istiod' || helmChart(o.manifest) === 'gateway')) operators.delete(cluster);
  }
  const view = { topology, byCluster, governed, workloads, operators, byKind };
  for (const cluster of new Set([...byCluster.keys(), ...operators.keys()])) {
    for (const g of gatewayDeployments(view, cluster)) {
      add({ cluster, namespace: g.namespace, labels: g.labels, origin: `${g.object.manifest.kind} ${g.object.manifest.metadata?.namespace}/${g.object.manifest.metadata?.name}` });
    }
    for (const i of istiodConfigs(view, cluster)) {
      if (i.values.profile === 'remote') continue;
      add({ cluster, namespace: 'istio-system', labels: { app: 'istiod', istio: 'pilot' }, origin: `${i.object.manifest.kind} ${i.object.manifest.metadata?.namespace}/${i.object.manifest.metadata?.name}` });
    }
  }
  return view;
}

/** Whether every selector label is on the workload (an empty selector matches everything). */
export function selects(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

/** `k=v,k2=v2` (sorted), as Kubernetes prints a label selector. */
export function selectorText(selector: Readonly<Record<string, string>>): string {
  return Object.keys(selector).sort().map((k) => `${k}=${selector[k]}`).join(',');
}

/** Workloads a cluster's configuration governs (its own and its remotes'). */
export function governedWorkloads(view: MeshView, cluster: string): Workload[] {
  return (view.governed.get(cluster) ?? [cluster]).flatMap((c) => view.workloads.get(c) ?? []);
}

/** Objects of one kind (any apiVersion of the group) in a cluster's output. */
export function ofKind(view: MeshView, cluster: string, kind: string): readonly OutputObject[] {
  return view.byKind.get(cluster)?.get(kind) ?? [];
}
