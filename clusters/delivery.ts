/**
 * GitOps delivery of the fleet: the Flux and Argo CD objects that apply every cluster's
 * layer directories and Istio charts in dependency order. See docs/delivery.md.
 *
 * Runs once all cluster stacks are composed, because which layer directories exist (and so
 * what each `Kustomization` / `Application` depends on) is known only then.
 */
import { ApiObject, App } from 'cdk8s';
import { trustHealthChecks } from './cluster-secrets';
import type { ClusterStack } from './cluster-stack';
import {
  ArgoCdClusterApplications,
  ArgoCdDirectory,
  ArgoCdHelmChart,
  ArgoCdProject,
  ArgoCdRootApplication,
  ARGOCD_WAVES,
} from '../constructs/argocd-delivery';
import { controlPlaneReleases } from '../constructs/control-plane-releases';
import { fluxHostCluster, fluxKubeConfig } from '../constructs/flux-kubeconfig';
import { FluxClusterLayers, FluxLayer, FluxSync, gitPath } from '../constructs/flux-sync';
import { ISTIO_SYSTEM_NAMESPACE } from '../constructs/secret-names';
import { LayerChart } from '../src/layer-chart';
import { MeshFacts } from '../topology';
import { ARGOCD_DIRECTORY } from '../topology/rules/delivery';

/** The layers a delivery tool applies, in order. */
export const DELIVERED_LAYERS: readonly FluxLayer[] = ['platform', 'control-plane', 'mesh'];

/**
 * Annotation that keeps an object's health out of its Application's health. Set on the
 * platform layer's custom resources other than the trust objects, so the platform wave
 * waits for `cacerts` only: remote-secret ExternalSecrets become Ready only after the other
 * clusters' control planes push their reader tokens, and waiting for them would deadlock.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/health/#ignoring-child-resource-health-check-in-applications
 */
export const ARGOCD_IGNORE_HEALTHCHECK = 'argocd.argoproj.io/ignore-healthcheck';

/** Adds the Flux and/or Argo CD objects the topology's `delivery` section asks for. */
export function addDelivery(app: App, facts: MeshFacts, stacks: readonly ClusterStack[]): void {
  const { delivery } = facts.topology;
  if (delivery.flux) addFlux(facts, stacks);
  if (delivery.argocd) addArgoCd(app, facts, stacks);
}

function addFlux(facts: MeshFacts, stacks: readonly ClusterStack[]): void {
  const { delivery } = facts.topology;
  const flux = delivery.flux!;
  const byHost = new Map<string, FluxClusterLayers[]>();
  for (const stack of stacks) {
    const name = stack.cluster.name;
    const host = fluxHostCluster(delivery, name);
    const layers: FluxClusterLayers = {
      cluster: name,
      layers: DELIVERED_LAYERS.filter((l) => stack.hasObjects(l)),
      kubeConfig: fluxKubeConfig(delivery, name),
      platformReadiness: trustHealthChecks(facts, stack.cluster).map(({ apiVersion, kind, name: n, namespace }) => ({ apiVersion, kind, name: n, namespace })),
    };
    byHost.set(host, [...(byHost.get(host) ?? []), layers]);
  }
  for (const stack of stacks) {
    const clusters = byHost.get(stack.cluster.name);
    if (!clusters) continue;
    new FluxSync(stack.layer('flux'), 'flux-sync', { hostCluster: stack.cluster.name, git: delivery.git, flux, clusters });
  }
}

function addArgoCd(app: App, facts: MeshFacts, stacks: readonly ClusterStack[]): void {
  const { delivery, mesh } = facts.topology;
  const argocd = delivery.argocd!;
  const { git } = delivery;
  const fleet = new LayerChart(app, ARGOCD_DIRECTORY, { directory: ARGOCD_DIRECTORY });
  new ArgoCdProject(fleet, 'project', {
    name: argocd.project,
    namespace: argocd.namespace,
    sourceRepos: [git.url, mesh.istio.chartRepository],
    servers: stacks.map((s) => s.cluster.apiServer ?? ''),
  });
  for (const stack of stacks) {
    const { cluster } = stack;
    const releases = controlPlaneReleases(facts, cluster);
    const directories: ArgoCdDirectory[] = [];
    if (stack.hasObjects('platform')) {
      directories.push({ name: 'platform', path: gitPath(git.path, cluster.name, 'platform'), wave: ARGOCD_WAVES.platform });
      markNonGatingPlatformObjects(facts, stack);
    }
    // With Flux on, the control-plane directory holds Flux HelmReleases, which Argo CD must not
    // apply: it installs the same charts from Helm sources instead.
    if (!delivery.flux && stack.hasObjects('control-plane')) {
      directories.push({ name: 'control-plane', path: gitPath(git.path, cluster.name, 'control-plane'), wave: ARGOCD_WAVES.base, istioConfig: true });
    }
    if (stack.hasObjects('mesh')) {
      directories.push({ name: 'mesh', path: gitPath(git.path, cluster.name, 'mesh'), wave: ARGOCD_WAVES.mesh, istioConfig: true });
    }
    const charts: ArgoCdHelmChart[] = releases.map((r) => ({
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
      server: cluster.apiServer ?? '',
      namespace: argocd.namespace,
      project: argocd.project,
      repoUrl: git.url,
      targetRevision: git.branch,
      chartRepository: mesh.istio.chartRepository,
      istioNamespace: ISTIO_SYSTEM_NAMESPACE,
      directories,
      charts,
    });
    new ArgoCdRootApplication(fleet, `root-${cluster.name}`, {
      cluster: cluster.name,
      namespace: argocd.namespace,
      project: argocd.project,
      repoUrl: git.url,
      targetRevision: git.branch,
      path: gitPath(git.path, ARGOCD_DIRECTORY, cluster.name),
    });
  }
}

/** Keeps the platform wave's health to the trust objects (see {@link ARGOCD_IGNORE_HEALTHCHECK}). */
function markNonGatingPlatformObjects(facts: MeshFacts, stack: ClusterStack): void {
  const gating = new Set(trustHealthChecks(facts, stack.cluster).map((r) => `${r.kind}/${r.namespace}/${r.name}`));
  for (const node of stack.layer('platform').node.findAll()) {
    // Core kinds (Namespace, Secret) are Healthy once applied; only custom resources wait.
    if (!(node instanceof ApiObject) || !node.apiVersion.includes('/')) continue;
    if (gating.has(`${node.kind}/${node.metadata.namespace ?? ''}/${node.name}`)) continue;
    node.metadata.addAnnotation(ARGOCD_IGNORE_HEALTHCHECK, 'true');
  }
}
