/**
 * The Istio control plane of one cluster as Flux `HelmRelease`s, and the `HelmRepository`
 * they install from.
 */
import { Construct } from 'constructs';
import { IstioChartRelease } from './control-plane-releases';
import { FluxKubeConfig } from './flux-kubeconfig';
import { ISTIO_SYSTEM_NAMESPACE } from './secret-names';
import * as helm from '../imports/flux-helmrelease-helm.toolkit.fluxcd.io';
import * as source from '../imports/flux-helmrepository-source.toolkit.fluxcd.io';
import { fluxManagedHelmReleaseName } from '../topology/generated-names';

/**
 * Name of the `HelmRepository` serving the Istio charts, in the Flux namespace of the cluster
 * whose Flux installs the releases (every cluster in per-cluster mode, the management cluster
 * once for the whole fleet in management mode).
 */
export const FLUX_ISTIO_REPOSITORY = 'istio';

/**
 * How long helm-controller waits before it retries a failed install or upgrade.
 * @see https://fluxcd.io/flux/components/helm/helmreleases/#install-strategy
 */
export const FLUX_HELM_RETRY_INTERVAL = '1m';

/** Properties of a {@link FluxIstioRepository}. */
export interface FluxIstioRepositoryProps {
  /**
   * URL of the Helm repository serving the Istio charts (`oci://` URLs make an OCI repository).
   * @see https://istio.io/latest/docs/setup/install/helm/#prerequisites
   */
  readonly chartRepository: string;
  /** Namespace Flux runs in. */
  readonly fluxNamespace: string;
  /** Reconciliation interval of the repository. */
  readonly interval: string;
}

/** `HelmRepository istio` in the Flux namespace: the one source of every Istio `HelmRelease` that Flux reconciles. */
export class FluxIstioRepository extends Construct {
  constructor(scope: Construct, id: string, props: FluxIstioRepositoryProps) {
    super(scope, id);
    new source.HelmRepository(this, 'Resource', {
      metadata: { name: FLUX_ISTIO_REPOSITORY, namespace: props.fluxNamespace },
      spec: {
        interval: props.interval,
        url: props.chartRepository,
        ...(props.chartRepository.startsWith('oci://') ? { type: source.HelmRepositorySpecType.OCI } : {}),
      },
    });
  }
}

/** Properties of a {@link FluxControlPlane}. */
export interface FluxControlPlaneProps {
  /** The cluster the releases install into. */
  readonly cluster: string;
  /**
   * The releases, in install order (from `controlPlaneReleases`). Their `dependsOn` may name
   * releases another `FluxControlPlane` of the same cluster creates (another layer).
   */
  readonly releases: readonly IstioChartRelease[];
  /** Namespace Flux runs in; the `HelmRepository` (and, with a kubeconfig, the `HelmRelease`s) live there. */
  readonly fluxNamespace: string;
  /** Reconciliation interval of the releases. */
  readonly interval: string;
  /**
   * How the Flux that applies these objects reaches the cluster, when it runs elsewhere
   * (`delivery.flux.mode: management`). The releases then live in the Flux namespace, are
   * named `<cluster>-<release>`, and install into the cluster's `istio-system` through it.
   * @default - Flux runs in the cluster itself: releases live in `istio-system`
   * @see https://fluxcd.io/flux/components/helm/helmreleases/#kubeconfig-remote-clusters
   */
  readonly kubeConfig?: FluxKubeConfig;
}

/**
 * One `HelmRelease` per Istio release, from {@link FLUX_ISTIO_REPOSITORY}, chained with `dependsOn`.
 *
 * Install and upgrade use the `RetryOnFailure` strategy: helm-controller's default
 * (`RemediateOnFailure` without retries) marks a release Stalled after one failure and never
 * tries again, and some failures are expected. A remote's east-west gateway cannot become ready
 * until its primary's istiod reads the remote (through the remote secret, which needs the
 * remote's reader token first) and patches the remote's injector: until then its pods are not
 * admitted and the install times out. Retrying, without uninstalling or rolling back, lets it
 * converge on its own.
 *
 * The Istio CRDs are templates of the `base` chart (not its `crds/` directory), so Helm
 * installs and upgrades them like any other object and Flux's `install.crds`/`upgrade.crds`
 * policies do not apply; they carry `helm.sh/resource-policy: keep`, so uninstalling `base`
 * never deletes them (and with them every Istio object).
 * @see https://fluxcd.io/flux/components/helm/helmreleases/#install-strategy
 * @see https://fluxcd.io/flux/components/helm/helmreleases/#upgrade-strategy
 * @see https://istio.io/latest/news/releases/1.24.x/announcing-1.24/upgrade-notes/
 */
export class FluxControlPlane extends Construct {
  constructor(scope: Construct, id: string, props: FluxControlPlaneProps) {
    super(scope, id);
    const remote = props.kubeConfig !== undefined;
    const objectName = (name: string) => (remote ? fluxManagedHelmReleaseName(props.cluster, name) : name);
    const namespace = remote ? props.fluxNamespace : ISTIO_SYSTEM_NAMESPACE;
    for (const release of props.releases) {
      new helm.HelmRelease(this, release.releaseName, {
        metadata: { name: objectName(release.releaseName), namespace },
        spec: {
          interval: props.interval,
          releaseName: release.releaseName,
          ...(remote ? { targetNamespace: ISTIO_SYSTEM_NAMESPACE, storageNamespace: ISTIO_SYSTEM_NAMESPACE } : {}),
          ...(props.kubeConfig ? { kubeConfig: { secretRef: { ...props.kubeConfig.secretRef } } } : {}),
          chart: {
            spec: {
              chart: release.chart,
              version: release.version,
              sourceRef: { kind: helm.HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: FLUX_ISTIO_REPOSITORY, namespace: props.fluxNamespace },
            },
          },
          install: { strategy: { name: helm.HelmReleaseSpecInstallStrategyName.RETRY_ON_FAILURE, retryInterval: FLUX_HELM_RETRY_INTERVAL } },
          upgrade: { strategy: { name: helm.HelmReleaseSpecUpgradeStrategyName.RETRY_ON_FAILURE, retryInterval: FLUX_HELM_RETRY_INTERVAL } },
          ...(release.dependsOn.length ? { dependsOn: release.dependsOn.map((name) => ({ name: objectName(name) })) } : {}),
          ...(Object.keys(release.values).length ? { values: release.values } : {}),
        },
      });
    }
  }
}
