/**
 * GitOps delivery of the fleet: the Flux and Argo CD objects that apply every cluster's
 * layer directories and Istio charts in dependency order. See docs/delivery.md.
 *
 * Runs once all cluster stacks are composed, because which layer directories exist (and so
 * what each `Kustomization` / `Application` depends on) is known only then.
 */
import { App } from 'cdk8s';
import { trustHealthChecks } from './cluster-secrets';
import type { ClusterStack } from './cluster-stack';
import {
  ArgoCdClusterApplications,
  ArgoCdDirectory,
  ArgoCdHelmChart,
  ArgoCdClusterRoots,
  ArgoCdProject,
  ArgoCdRootsProject,
  argoCdRootsProjectName,
  ARGOCD_WAVES,
} from '../constructs/argocd-delivery';
import { controlPlaneReleases } from '../constructs/control-plane-releases';
import { fluxHostCluster, fluxKubeConfig } from '../constructs/flux-kubeconfig';
import { FluxClusterLayers, FluxLayer, FluxSync, fluxKustomizationName, gitPath } from '../constructs/flux-sync';
import { ISTIO_SYSTEM_NAMESPACE } from '../constructs/secret-names';
import { APPLIED_LAYERS, LayerChart } from '../src/layer-chart';
import { Cluster, MeshFacts } from '../topology';
import { ARGOCD_GIT_LAYERS } from '../topology/layers';
import { ARGOCD_DIRECTORY } from '../topology/rules/delivery';

/**
 * The layer directories Argo CD applies from Git, with their sync waves (see {@link ARGOCD_WAVES}
 * for the charts between them); only `mesh` holds Istio configuration.
 */
const ARGOCD_DIRECTORIES = ARGOCD_GIT_LAYERS.map((layer) => ({ layer, wave: ARGOCD_WAVES[layer], istioConfig: layer === 'mesh' }));

/**
 * Adds the Flux and/or Argo CD objects the topology's `delivery` section asks for, to the
 * stacks given (every cluster's, or those `synth` rebuilds). `builtElsewhere` holds the
 * applied layers with objects of the clusters without a stack here that a Flux host syncs.
 * `roots: false` leaves out the fleet-wide Argo CD objects (AppProjects, the roots
 * ApplicationSet), for a build of some clusters whose fleet-wide objects are built apart.
 */
export function addDelivery(
  app: App,
  facts: MeshFacts,
  stacks: readonly ClusterStack[],
  builtElsewhere: ReadonlyMap<string, readonly string[]> = new Map(),
  options: { readonly roots?: boolean } = {},
): void {
  const { delivery } = facts.topology;
  if (delivery.flux) addFlux(facts, stacks, builtElsewhere);
  if (delivery.argocd) addArgoCd(app, facts, stacks, options.roots ?? true);
}

function addFlux(facts: MeshFacts, stacks: readonly ClusterStack[], builtElsewhere: ReadonlyMap<string, readonly string[]>): void {
  const { delivery } = facts.topology;
  const flux = delivery.flux!;
  const management = flux.mode === 'management' ? flux.managementCluster : undefined;
  const built = new Map<string, readonly string[]>(stacks.map((s) => [s.cluster.name, APPLIED_LAYERS.filter((l) => s.hasObjects(l))]));
  const hosts = new Set(stacks.map((s) => s.cluster.name));
  const layersOf = (cluster: string): FluxLayer[] => {
    const layers = built.get(cluster) ?? builtElsewhere.get(cluster);
    if (!layers) throw new Error(`flux wiring: the layers of cluster "${cluster}" are unknown (neither built nor recorded)`);
    return APPLIED_LAYERS.filter((l) => layers.includes(l));
  };
  /** `Kustomization` of another cluster's layer, when that layer exists. */
  const kustomization = (cluster: string, layer: FluxLayer) => (layersOf(cluster).includes(layer) ? [fluxKustomizationName(cluster, layer)] : []);
  const byHost = new Map<string, FluxClusterLayers[]>();
  for (const cluster of facts.topology.clusters) {
    const name = cluster.name;
    const host = fluxHostCluster(delivery, name);
    if (!hosts.has(host)) continue; // its host is not rebuilt: nothing here reads it
    const layers: FluxClusterLayers = {
      cluster: name,
      layers: layersOf(name),
      kubeConfig: fluxKubeConfig(delivery, name),
      platformReadiness: trustHealthChecks(facts, cluster).map(({ apiVersion, kind, name: n, namespace }) => ({ apiVersion, kind, name: n, namespace })),
      dependsOn: management ? managementDependsOn(facts, cluster, management, kustomization) : undefined,
    };
    byHost.set(host, [...(byHost.get(host) ?? []), layers]);
  }
  for (const stack of stacks) {
    const clusters = byHost.get(stack.cluster.name);
    if (!clusters) continue;
    new FluxSync(stack.layer('flux'), 'flux-sync', { hostCluster: stack.cluster.name, git: delivery.git, flux, clusters });
  }
}

/**
 * Cross-cluster ordering, which only one Flux driving every cluster can enforce:
 * - every other cluster's `base` waits for the management cluster's `base`, which holds the
 *   one `HelmRepository` every `HelmRelease` installs from;
 * - a remote's `control-plane` waits for its primary's `mesh`: the remote's gateway pods reach
 *   the primary's istiod (injection, certificates, config) through the primary's east-west
 *   gateway and `istiod-gateway`/`istiod-vs`, which that layer applies (after the primary's
 *   control plane).
 */
function managementDependsOn(
  facts: MeshFacts,
  cluster: Cluster,
  management: string,
  kustomization: (cluster: string, layer: FluxLayer) => string[],
): FluxClusterLayers['dependsOn'] {
  const base = cluster.name === management ? [] : kustomization(management, 'base');
  const controlPlane = cluster.role === 'remote' ? kustomization(facts.controlPlaneOf(cluster).name, 'mesh') : [];
  return { ...(base.length ? { base } : {}), ...(controlPlane.length ? { 'control-plane': controlPlane } : {}) };
}

function addArgoCd(app: App, facts: MeshFacts, stacks: readonly ClusterStack[], roots: boolean): void {
  const fleet = new LayerChart(app, ARGOCD_DIRECTORY, { directory: ARGOCD_DIRECTORY });
  if (roots) addArgoCdRoots(fleet, facts);
  for (const stack of stacks) addArgoCdApplications(fleet, facts, stack);
}

/** The fleet-wide Argo CD objects: the two AppProjects and the ApplicationSet of per-cluster roots. */
function addArgoCdRoots(fleet: LayerChart, facts: MeshFacts): void {
  const { delivery, mesh } = facts.topology;
  const argocd = delivery.argocd!;
  const { git } = delivery;
  const rootsProject = argoCdRootsProjectName(argocd.project);
  new ArgoCdRootsProject(fleet, 'roots-project', { name: rootsProject, namespace: argocd.namespace, repoUrl: git.url });
  new ArgoCdProject(fleet, 'project', {
    name: argocd.project,
    namespace: argocd.namespace,
    sourceRepos: [git.url, mesh.istio.chartRepository],
    servers: facts.topology.clusters.map(apiServerOf),
  });
  new ArgoCdClusterRoots(fleet, 'roots', {
    namespace: argocd.namespace,
    project: rootsProject,
    repoUrl: git.url,
    targetRevision: git.branch,
    path: gitPath(git.path, ARGOCD_DIRECTORY),
  });
}

/** One cluster's child Applications (`argocd/<cluster>/`): its layer directories and Istio charts, in waves. */
function addArgoCdApplications(fleet: LayerChart, facts: MeshFacts, stack: ClusterStack): void {
  const { delivery, mesh } = facts.topology;
  const argocd = delivery.argocd!;
  const { git } = delivery;
  const { cluster } = stack;
  const directories: ArgoCdDirectory[] = ARGOCD_DIRECTORIES.filter(({ layer }) => stack.hasObjects(layer)).map(({ layer, wave, istioConfig }) => ({
    name: layer,
    path: gitPath(git.path, cluster.name, layer),
    wave,
    istioConfig,
  }));
  const charts: ArgoCdHelmChart[] = controlPlaneReleases(mesh.istio, stack.plan.helmValues).map((r) => ({
    releaseName: r.releaseName,
    chart: r.chart,
    version: r.version,
    values: r.values,
    wave: ARGOCD_WAVES[r.chart],
  }));
  // Nested in the fleet chart (ids cannot clash with cluster stacks); a chart renders only its own objects.
  const children = new LayerChart(fleet, `apps-${cluster.name}`, { directory: `${ARGOCD_DIRECTORY}/${cluster.name}` });
  new ArgoCdClusterApplications(children, 'applications', {
    cluster: cluster.name,
    server: apiServerOf(cluster),
    namespace: argocd.namespace,
    project: argocd.project,
    repoUrl: git.url,
    targetRevision: git.branch,
    chartRepository: mesh.istio.chartRepository,
    istioNamespace: ISTIO_SYSTEM_NAMESPACE,
    directories,
    charts,
  });
}

/** The API server Argo CD deploys a cluster through; the delivery rules require it with Argo CD. */
function apiServerOf(cluster: Cluster): string {
  if (!cluster.apiServer) {
    throw new Error(`cluster "${cluster.name}" has no apiServer, which Argo CD needs: the delivery rules must have rejected this topology`);
  }
  return cluster.apiServer;
}
