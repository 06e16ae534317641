/**
 * The Flux objects that apply a fleet's layer directories from Git, in order.
 */
import { Construct } from 'constructs';
import { FluxKubeConfig } from './flux-kubeconfig';
import * as source from '../imports/flux-gitrepository-source.toolkit.fluxcd.io';
import * as kustomize from '../imports/flux-kustomization-kustomize.toolkit.fluxcd.io';
import { FLUX_BOOTSTRAP_GIT_REPOSITORY, FluxDelivery, GitSource } from '../topology';

/** A layer directory Flux applies, in apply order. */
export type FluxLayer = 'platform' | 'control-plane' | 'mesh';

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
  /** Layers that have objects, in apply order (`platform`, `control-plane`, `mesh`); empty ones are skipped. */
  readonly layers: readonly FluxLayer[];
  /**
   * How to reach the cluster from the Flux that applies these layers. Set on the `platform`
   * and `mesh` Kustomizations only: the `control-plane` layer holds `HelmRelease`s that carry
   * their own `kubeConfig` and are applied where Flux runs.
   * @default - Flux runs in the cluster itself
   * @see https://fluxcd.io/flux/components/kustomize/kustomizations/#kubeconfig-remote-clusters
   */
  readonly kubeConfig?: FluxKubeConfig;
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

/** Name of the `Kustomization` that applies a cluster's layer: `<cluster>-<layer>`. */
export function fluxKustomizationName(cluster: string, layer: FluxLayer | 'flux'): string {
  return `${cluster}-${layer}`;
}

/** `<path>/<parts…>` relative to the repository root, without empty or `.` segments (Flux prefixes `./`). */
export function gitPath(gitRoot: string, ...parts: string[]): string {
  return [gitRoot, ...parts].flatMap((p) => p.split('/')).filter((p) => p && p !== '.').join('/');
}

/**
 * A `GitRepository` and one `Kustomization` per cluster and layer, chained with `dependsOn`.
 *
 * - `<cluster>-platform`: namespaces, trust, credentials; health-checks the objects in
 *   `platformReadiness` (`cacerts`), so istiod never starts without the plugin CA;
 * - `<cluster>-control-plane` (`dependsOn` platform, `wait: true`): the `HelmRelease`s, Ready
 *   only once `base` (CRDs), `istiod` and the gateway are installed and healthy;
 * - `<cluster>-mesh` (`dependsOn` control-plane, `wait: true`): Istio configuration, which
 *   needs the CRDs from `base` and the validating webhook from istiod;
 * - `<host>-flux`: this directory itself, so changes to it are applied from Git after the
 *   one-time `kubectl apply -k`.
 *
 * Layers without objects get no Kustomization; `dependsOn` names the previous layer that exists.
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

    new kustomize.Kustomization(this, 'self', {
      metadata: { name: fluxKustomizationName(props.hostCluster, 'flux'), namespace: flux.namespace },
      spec: { ...common, path: `./${gitPath(git.path, props.hostCluster, 'flux')}` },
    });

    for (const cluster of [...props.clusters].sort((a, b) => a.cluster.localeCompare(b.cluster))) {
      let previous: string | undefined;
      for (const layer of cluster.layers) {
        const name = fluxKustomizationName(cluster.cluster, layer);
        const readiness = layer === 'platform' ? cluster.platformReadiness ?? [] : [];
        new kustomize.Kustomization(this, name, {
          metadata: { name, namespace: flux.namespace },
          spec: {
            ...common,
            path: `./${gitPath(git.path, cluster.cluster, layer)}`,
            dependsOn: previous ? [{ name: previous }] : undefined,
            // The control plane's HelmReleases are applied where Flux runs; they reach the
            // cluster through their own spec.kubeConfig.
            kubeConfig: layer === 'control-plane' ? undefined : cluster.kubeConfig,
            // `wait` checks every applied object and overrides healthChecks, so the platform
            // layer names the objects that gate the control plane instead.
            wait: layer === 'platform' ? undefined : true,
            healthChecks: readiness.length ? readiness.map((r) => ({ ...r })) : undefined,
          },
        });
        previous = name;
      }
    }
  }
}
