/**
 * Cross-field rules about the names meshfleet generates from topology names: each fits the
 * limit of the longest object name it feeds (derived in `generated-names.ts`), and no two
 * parts of the topology generate the same object.
 */
import { RuleContext } from './context';
import {
  ARGOCD_DIRECTORY_COMPONENTS,
  argoCdApplicationName,
  argoCdRootName,
  FLUX_KUSTOMIZATION_LAYERS,
  FLUX_MAX_CLUSTER_NAME,
  fluxKustomizationName,
  fluxManagedHelmReleaseName,
  fluxManagementMaxClusterName,
  istioReleaseNames,
  MAX_REVISION_LENGTH,
} from '../generated-names';
import { Cluster } from '../types';

/** Checks name lengths against the derived limits, and generated names for collisions. */
export function nameRules(ctx: RuleContext): void {
  checkRevisions(ctx);
  checkFluxClusterNames(ctx);
  checkCollisions(ctx);
}

function checkRevisions(ctx: RuleContext): void {
  const { revision, canary } = ctx.draft.mesh.istio;
  const check = (path: string, value: string | undefined) => {
    if (value && value.length > MAX_REVISION_LENGTH) {
      ctx.report(path, undefined,
        `is too long: the istiod Helm release is named "istiod-<revision>" and Helm release names hold at most 53 characters; ` +
        `use at most ${MAX_REVISION_LENGTH} characters (got ${value.length})`);
    }
  };
  check('mesh.istio.revision', revision);
  check('mesh.istio.canary.revision', canary?.revision);
}

function checkFluxClusterNames(ctx: RuleContext): void {
  const flux = ctx.draft.delivery.flux;
  if (!flux) return;
  const { revision, canary } = ctx.draft.mesh.istio;
  // Always below FLUX_MAX_CLUSTER_NAME: every cluster has the 21-character istio-eastwestgateway release.
  const managed = fluxManagementMaxClusterName(revision, canary?.revision);
  for (const cluster of ctx.draft.clusters) {
    const viaKubeConfig = flux.mode === 'management' && cluster.name !== flux.managementCluster;
    const limit = viaKubeConfig ? managed : FLUX_MAX_CLUSTER_NAME;
    if (cluster.name.length <= limit) continue;
    const longest = viaKubeConfig
      ? `the management cluster's Flux installs its charts as HelmReleases "${cluster.name}-<release>" (the longest "${longestRelease(ctx, cluster.name)}"), and helm-controller labels what a HelmRelease installs with its name`
      : `kustomize-controller labels what the Kustomization "${fluxKustomizationName(cluster.name, 'control-plane')}" applies with its name`;
    ctx.report(cluster, 'name',
      `is too long for Flux delivery (${flux.mode} mode): ${longest}, and label values hold at most 63 characters; use at most ${limit} characters`);
  }
}

function longestRelease(ctx: RuleContext, cluster: string): string {
  const { revision, canary } = ctx.draft.mesh.istio;
  return istioReleaseNames(revision, canary?.revision)
    .map((r) => fluxManagedHelmReleaseName(cluster, r))
    .reduce((a, b) => (b.length > a.length ? b : a));
}

/** Where a generated name comes from: the cluster that generates it, and how. */
interface NameSource {
  readonly cluster: Cluster;
  readonly how: string;
}

/**
 * Every object generated in one place (a cluster's namespace) of one kind from topology
 * names, with the cluster it comes from; a name generated twice is reported at the later
 * cluster, naming both.
 */
function checkCollisions(ctx: RuleContext): void {
  const { delivery, mesh } = ctx.draft;
  const clusters = [...ctx.clusters.values()];
  const releases = istioReleaseNames(mesh.istio.revision, mesh.istio.canary?.revision);
  const places = new Map<string, Map<string, NameSource>>();
  const add = (place: string, name: string, source: NameSource) => {
    let names = places.get(place);
    if (!names) places.set(place, (names = new Map()));
    const first = names.get(name);
    if (!first) {
      names.set(name, source);
      return;
    }
    if (first.cluster === source.cluster) return;
    ctx.report(source.cluster, 'name',
      `generates ${place} "${name}" (${source.how}), which cluster "${first.cluster.name}" (${ctx.pathOf(first.cluster)}) also generates (${first.how}): rename one of the clusters`);
  };

  const flux = delivery.flux;
  if (flux?.mode === 'management' && flux.managementCluster && ctx.clusters.has(flux.managementCluster)) {
    const where = `in namespace ${flux.namespace} of management cluster "${flux.managementCluster}"`;
    for (const cluster of clusters) {
      for (const layer of FLUX_KUSTOMIZATION_LAYERS) {
        add(`Kustomization ${where}`, fluxKustomizationName(cluster.name, layer), { cluster, how: `its ${layer} layer` });
      }
      // Kubeconfig Secrets ("<cluster>-kubeconfig") cannot collide: cluster names are unique.
      if (cluster.name === flux.managementCluster) continue;
      for (const release of releases) {
        add(`HelmRelease ${where}`, fluxManagedHelmReleaseName(cluster.name, release), { cluster, how: `its ${release} release` });
      }
    }
  }
  if (delivery.argocd) {
    const where = `Application in Argo CD namespace ${delivery.argocd.namespace}`;
    for (const cluster of clusters) {
      add(where, argoCdRootName(cluster.name), { cluster, how: 'its root Application' });
      for (const component of [...ARGOCD_DIRECTORY_COMPONENTS, ...releases]) {
        add(where, argoCdApplicationName(cluster.name, component), { cluster, how: `its ${component} Application` });
      }
    }
  }
}
