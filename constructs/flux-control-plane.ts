/**
 * The Istio control plane of one cluster as Flux `HelmRepository` + `HelmRelease`s.
 */
import { Construct } from 'constructs';
import { IstioChartRelease } from './control-plane-releases';
import { FluxKubeConfig } from './flux-kubeconfig';
import { ISTIO_SYSTEM_NAMESPACE } from './secret-names';
import * as helm from '../imports/flux-helmrelease-helm.toolkit.fluxcd.io';
import * as source from '../imports/flux-helmrepository-source.toolkit.fluxcd.io';

/** Properties of a {@link FluxControlPlane}. */
export interface FluxControlPlaneProps {
  /** The cluster the releases install into. */
  readonly cluster: string;
  /** The releases, in install order (from `controlPlaneReleases`). */
  readonly releases: readonly IstioChartRelease[];
  /**
   * URL of the Helm repository serving the Istio charts (`oci://` URLs make an OCI repository).
   * @see https://istio.io/latest/docs/setup/install/helm/#prerequisites
   */
  readonly chartRepository: string;
  /** Namespace Flux runs in; the `HelmRepository` (and, with a kubeconfig, the `HelmRelease`s) live there. */
  readonly fluxNamespace: string;
  /** Reconciliation interval of the repository and releases. */
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
 * `HelmRepository` `istio` and one `HelmRelease` per Istio release, chained with `dependsOn`.
 *
 * The Istio CRDs are templates of the `base` chart (not its `crds/` directory), so Helm
 * installs and upgrades them like any other object and Flux's `install.crds`/`upgrade.crds`
 * policies do not apply; they carry `helm.sh/resource-policy: keep`, so uninstalling `base`
 * never deletes them (and with them every Istio object).
 * @see https://istio.io/latest/news/releases/1.24.x/announcing-1.24/upgrade-notes/
 */
export class FluxControlPlane extends Construct {
  /** The `HelmRelease` names, by Helm release name. */
  public readonly releaseNames: ReadonlyMap<string, string>;

  constructor(scope: Construct, id: string, props: FluxControlPlaneProps) {
    super(scope, id);
    const remote = props.kubeConfig !== undefined;
    const objectName = (name: string) => (remote ? `${props.cluster}-${name}` : name);
    const repository = objectName('istio');
    new source.HelmRepository(this, 'repository', {
      metadata: { name: repository, namespace: props.fluxNamespace },
      spec: {
        interval: props.interval,
        url: props.chartRepository,
        ...(props.chartRepository.startsWith('oci://') ? { type: source.HelmRepositorySpecType.OCI } : {}),
      },
    });
    const namespace = remote ? props.fluxNamespace : ISTIO_SYSTEM_NAMESPACE;
    this.releaseNames = new Map(props.releases.map((r) => [r.releaseName, objectName(r.releaseName)]));
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
              sourceRef: { kind: helm.HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: repository, namespace: props.fluxNamespace },
            },
          },
          ...(release.dependsOn.length ? { dependsOn: release.dependsOn.map((name) => ({ name: objectName(name) })) } : {}),
          ...(Object.keys(release.values).length ? { values: release.values } : {}),
        },
      });
    }
  }
}
