/**
 * The Flux objects that apply a fleet's layer directories from Git, in order.
 */
import { Construct } from 'constructs';
import { FluxKubeConfig } from './flux-kubeconfig';
import * as source from '../imports/flux-gitrepository-source.toolkit.fluxcd.io';
import * as kustomize from '../imports/flux-kustomization-kustomize.toolkit.fluxcd.io';
import { FLUX_BOOTSTRAP_GIT_REPOSITORY, FluxDelivery, GitSource } from '../topology';
import { compareCodePoints } from '../topology/compare';
import { fluxKustomizationName } from '../topology/generated-names';
import type { AppliedLayer } from '../topology/layers';

/** A layer directory Flux applies. */
export type FluxLayer = AppliedLayer;

/**
 * What each layer's `Kustomization` depends on, within its cluster:
 * `platform` → `base` → `reader`, and `base` → `control-plane` → `mesh`.
 *
 * `reader` (the reader token) does not wait for `control-plane`, and `control-plane` does not
 * wait for `reader`: a remote's east-west gateway needs the token published first (its primary
 * must read the remote before it injects the gateway's pods), and a primary's istiod must not
 * wait for a push to the secret store.
 */
export const FLUX_LAYER_DEPENDENCIES: Readonly<Record<FluxLayer, readonly FluxLayer[]>> = {
  'platform': [],
  'base': ['platform'],
  'reader': ['base'],
  'control-plane': ['base'],
  'mesh': ['control-plane'],
};

/**
 * Layers whose objects Flux applies where it runs, not in the target cluster: they hold
 * `HelmRelease`s (and the `HelmRepository`), which reach the target through their own
 * `spec.kubeConfig` in management mode.
 */
export const FLUX_HOST_LAYERS: readonly FluxLayer[] = ['base', 'control-plane'];

/** An object whose readiness gates the next layer (a `Kustomization` health check). */
export interface FluxReadinessCheck {
  /** API version of the object (`cert-manager.io/v1`). */
  readonly apiVersion: string;
  /** Kind of the object (`Certificate`). */
  readonly kind: string;
  /** Name of the object. */
  readonly name: string;
  /**
   * Namespace of the object.
   * @default - cluster-scoped
   */
  readonly namespace?: string;
}

/** What Flux applies for one cluster. */
export interface FluxClusterLayers {
  /** The cluster the layers belong to. */
  readonly cluster: string;
  /** Layers that have objects; empty ones get no `Kustomization`. */
  readonly layers: readonly FluxLayer[];
  /**
   * How to reach the cluster from the Flux that applies these layers. Set on the `platform`,
   * `reader` and `mesh` Kustomizations only: the {@link FLUX_HOST_LAYERS} hold `HelmRelease`s
   * that carry their own `kubeConfig` and are applied where Flux runs.
   * @default - Flux runs in the cluster itself
   * @see https://fluxcd.io/flux/components/kustomize/kustomizations/#kubeconfig-remote-clusters
   */
  readonly kubeConfig?: FluxKubeConfig;
  /**
   * `Kustomization`s of other clusters a layer also depends on, by layer (management mode,
   * where one Flux can order clusters): e.g. a remote's `control-plane` after its primary's
   * `mesh`, which exposes the istiod the remote's gateway needs.
   * @default - none: the layer depends on its own cluster's layers only
   */
  readonly dependsOn?: Readonly<Partial<Record<FluxLayer, readonly string[]>>>;
  /**
   * Objects of the `platform` layer that must be Ready before the control plane is installed
   * (the `cacerts` Certificate or ExternalSecret: istiod must find `cacerts` when it starts).
   * The platform Kustomization checks only these, not every object it applies: waiting on
   * remote-secret ExternalSecrets would deadlock, as their data comes from the other
   * clusters' control planes.
   * @default - no check; the control plane follows as soon as the platform is applied
   * @see https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/
   */
  readonly platformReadiness?: readonly FluxReadinessCheck[];
}

/** Properties of a {@link FluxSync}. */
export interface FluxSyncProps {
  /** The cluster whose Flux applies these objects: its `flux` directory holds them. */
  readonly hostCluster: string;
  /** Where the synthesized directories live in Git. */
  readonly git: GitSource;
  /** Flux settings of the topology. */
  readonly flux: FluxDelivery;
  /** Clusters whose layers the host's Flux applies (the host alone, or every cluster in management mode). */
  readonly clusters: readonly FluxClusterLayers[];
}

/** How often a failed or not-yet-ready Kustomization is retried (Flux waits `interval` otherwise). */
export const FLUX_RETRY_INTERVAL = '1m';

/**
 * How long each Kustomization waits for its objects (health checks, `wait`) before it reports a
 * failure and retries after {@link FLUX_RETRY_INTERVAL}. Explicit, because Flux's default is the
 * Kustomization's `interval` (10m by default), so a changed interval would silently change it.
 * - `platform`: issuing the intermediate CA or reading it from the store (cert-manager, External Secrets);
 * - `base`, `reader`, `mesh`: applying CRDs, a token, Istio config: quick;
 * - `control-plane`: istiod and the east-west gateway roll out, and the gateway's load balancer
 *   gets an address (helm-controller's own install timeout is 5m per release).
 * - `flux`: this directory itself.
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/#timeout
 */
export const FLUX_LAYER_TIMEOUTS: Readonly<Record<FluxLayer | 'flux', string>> = {
  'platform': '10m',
  'base': '5m',
  'reader': '5m',
  'control-plane': '15m',
  'mesh': '5m',
  'flux': '2m',
};

/** The `Ready` condition the platform gate requires. */
const READY_TRUE = "has(status.conditions) && status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')";

/**
 * Kinds whose health the platform Kustomization assesses with a CEL expression: Ready only with
 * a `Ready` condition that is `True`. Flux's generic (kstatus) check counts an object without
 * conditions as Current, so a Certificate or ExternalSecret created before cert-manager or
 * External Secrets runs (or read before the controller first wrote its status) would open the
 * `cacerts` gate early, and istiod would start without its plugin CA. An expression that cannot
 * be evaluated yet (no `status`) keeps the check waiting.
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/#health-check-expressions
 * @see https://fluxcd.io/flux/cheatsheets/cel-healthchecks/
 */
export const FLUX_READY_CONDITION_KINDS: readonly { readonly apiVersion: string; readonly kind: string }[] = [
  { apiVersion: 'cert-manager.io/v1', kind: 'Certificate' },
  { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret' },
];

/** Name of the `Kustomization` that applies a cluster's layer (declared with the other generated names). */
export { fluxKustomizationName };

/** `<path>/<parts…>` relative to the repository root, without empty or `.` segments (Flux prefixes `./`). */
export function gitPath(gitRoot: string, ...parts: string[]): string {
  return [gitRoot, ...parts].flatMap((p) => p.split('/')).filter((p) => p && p !== '.').join('/');
}

/**
 * A `GitRepository` and one `Kustomization` per cluster and layer, ordered with `dependsOn`
 * ({@link FLUX_LAYER_DEPENDENCIES}).
 *
 * - `<cluster>-platform`: namespaces, trust, credentials; health-checks the objects in
 *   `platformReadiness` (`cacerts`), so istiod never starts without the plugin CA;
 * - `<cluster>-base` (`dependsOn` platform, `wait: true`): the `base` chart (the Istio CRDs
 *   and the reader service account);
 * - `<cluster>-reader` (`dependsOn` base, `wait: true`): the reader token and its push;
 * - `<cluster>-control-plane` (`dependsOn` base, `wait: true`): istiod and the gateway, Ready
 *   only once installed and healthy;
 * - `<cluster>-mesh` (`dependsOn` control-plane, `wait: true`): Istio configuration, which
 *   needs the CRDs and the validating webhook from istiod;
 * - `<host>-flux`: this directory itself, so changes to it are applied from Git after the
 *   one-time `kubectl apply -k`.
 *
 * Layers without objects get no Kustomization; `dependsOn` then names the layers they depend on.
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/#dependencies
 */
export class FluxSync extends Construct {
  constructor(scope: Construct, id: string, props: FluxSyncProps) {
    super(scope, id);
    const { flux, git } = props;
    const existingSource = flux.gitRepository === FLUX_BOOTSTRAP_GIT_REPOSITORY;
    if (!existingSource) {
      new source.GitRepository(this, 'git-repository', {
        metadata: { name: flux.gitRepository, namespace: flux.namespace },
        spec: {
          interval: flux.interval,
          url: git.url,
          ref: { branch: git.branch },
          secretRef: flux.secretRef ? { name: flux.secretRef } : undefined,
        },
      });
    }
    const sourceRef = { kind: kustomize.KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: flux.gitRepository };
    const common = { interval: flux.interval, retryInterval: FLUX_RETRY_INTERVAL, prune: true, sourceRef };

    // With the bootstrap's source, the bootstrap repository's own Kustomization of this
    // directory (docs/delivery.md) is its one owner: a second one on the same path would flip
    // ownership of every object here on each reconcile. Orphan: deleting or renaming the owner
    // must not garbage-collect the layer Kustomizations, and with them Istio.
    if (!existingSource) {
      new kustomize.Kustomization(this, 'self', {
        metadata: { name: fluxKustomizationName(props.hostCluster, 'flux'), namespace: flux.namespace },
        spec: {
          ...common,
          path: `./${gitPath(git.path, props.hostCluster, 'flux')}`,
          timeout: FLUX_LAYER_TIMEOUTS.flux,
          deletionPolicy: kustomize.KustomizationSpecDeletionPolicy.ORPHAN,
        },
      });
    }

    for (const cluster of [...props.clusters].sort((a, b) => compareCodePoints(a.cluster, b.cluster))) {
      const present = new Set(cluster.layers);
      /** The closest layers `layer` depends on that have a Kustomization. */
      const needs = (layer: FluxLayer): FluxLayer[] =>
        FLUX_LAYER_DEPENDENCIES[layer].flatMap((dep) => (present.has(dep) ? [dep] : needs(dep)));
      for (const layer of (Object.keys(FLUX_LAYER_DEPENDENCIES) as FluxLayer[]).filter((l) => present.has(l))) {
        const name = fluxKustomizationName(cluster.cluster, layer);
        const readiness = layer === 'platform' ? cluster.platformReadiness ?? [] : [];
        const dependsOn = [...new Set([...needs(layer).map((l) => fluxKustomizationName(cluster.cluster, l)), ...(cluster.dependsOn?.[layer] ?? [])])].sort();
        new kustomize.Kustomization(this, name, {
          metadata: { name, namespace: flux.namespace },
          spec: {
            ...common,
            path: `./${gitPath(git.path, cluster.cluster, layer)}`,
            dependsOn: dependsOn.length ? dependsOn.map((d) => ({ name: d })) : undefined,
            // HelmReleases are applied where Flux runs; they reach the cluster through their own spec.kubeConfig.
            kubeConfig: FLUX_HOST_LAYERS.includes(layer) ? undefined : cluster.kubeConfig,
            // `wait` checks every applied object and overrides healthChecks, so the platform
            // layer names the objects that gate the control plane instead.
            wait: layer === 'platform' ? undefined : true,
            healthChecks: readiness.length ? readiness.map((r) => ({ ...r })) : undefined,
            healthCheckExprs: readinessExprs(readiness),
            timeout: FLUX_LAYER_TIMEOUTS[layer],
          },
        });
      }
    }
  }
}

/** `healthCheckExprs` for the readiness checks whose kinds need a `Ready=True` condition. */
function readinessExprs(readiness: readonly FluxReadinessCheck[]): kustomize.KustomizationSpecHealthCheckExprs[] | undefined {
  const exprs = FLUX_READY_CONDITION_KINDS
    .filter((k) => readiness.some((r) => r.apiVersion === k.apiVersion && r.kind === k.kind))
    .map((k) => ({ apiVersion: k.apiVersion, kind: k.kind, current: READY_TRUE }));
  return exprs.length ? exprs : undefined;
}
