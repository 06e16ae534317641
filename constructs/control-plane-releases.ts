/**
 * The Istio Helm releases of one cluster, in install order: what Flux `HelmRelease`s and
 * Argo CD Helm sources render, so both install exactly the same thing.
 */
import { ControlPlaneValues, EAST_WEST_GATEWAY_NAME, HelmValues } from './helm-values';
import { IstioChartName, IstioRelease } from '../topology';
import { BASE_RELEASE, istiodReleaseName } from '../topology/generated-names';

export type { IstioChartName } from '../topology';

/** One Helm release of an Istio chart, into `istio-system`. */
export interface IstioChartRelease {
  /** Helm release name, as in Istio's Helm instructions (`istio-base`, `istiod`, `istio-eastwestgateway`). */
  readonly releaseName: string;
  /** The chart. */
  readonly chart: IstioChartName;
  /** The chart version. */
  readonly version: string;
  /** The chart values. */
  readonly values: HelmValues;
  /** Release names that must be installed and ready first. */
  readonly dependsOn: readonly string[];
}

export { BASE_RELEASE, istiodReleaseName } from '../topology/generated-names';

/**
 * The releases a cluster installs, in order: `base` → `istiod` (→ canary `istiod`) → the
 * east-west gateway.
 *
 * `base` comes first because it holds the CRDs and the reader service account; `istiod`
 * before the gateway, whose pods use `image: auto` and need the injector. During a canary,
 * `base` runs the canary's version (Istio upgrades CRDs first) and the gateway stays on the
 * stable revision until promotion.
 * @param istio the mesh's Istio version, revision and canary (`mesh.istio`)
 * @param values the cluster's chart values, as planned (`ClusterPlan.helmValues`)
 */
export function controlPlaneReleases(istio: Pick<IstioRelease, 'version' | 'revision' | 'canary'>, values: ControlPlaneValues): readonly IstioChartRelease[] {
  const { version, revision, canary } = istio;
  const istiod = istiodReleaseName(revision);
  const releases: IstioChartRelease[] = [
    { releaseName: BASE_RELEASE, chart: 'base', version: canary?.version ?? version, values: values.base, dependsOn: [] },
    { releaseName: istiod, chart: 'istiod', version, values: values.istiod, dependsOn: [BASE_RELEASE] },
  ];
  if (canary && values.canaryIstiod) {
    releases.push({
      releaseName: istiodReleaseName(canary.revision),
      chart: 'istiod',
      version: canary.version,
      values: values.canaryIstiod,
      dependsOn: [BASE_RELEASE],
    });
  }
  if (values.eastWestGateway) {
    releases.push({ releaseName: EAST_WEST_GATEWAY_NAME, chart: 'gateway', version, values: values.eastWestGateway, dependsOn: [istiod] });
  }
  return releases;
}
