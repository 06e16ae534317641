/**
 * A cluster's Istio control plane: its Helm releases (Flux), `IstioOperator` files for
 * istioctl, the multicluster `Gateway`s its istiod needs, and its labelled app namespaces.
 */
import type { ClusterLayers } from './cluster-layers';
import { AppNamespaces } from '../constructs/app-namespaces';
import { controlPlaneReleases } from '../constructs/control-plane-releases';
import { CrossNetworkGateway } from '../constructs/cross-network-gateway';
import { ExposeIstiod } from '../constructs/expose-istiod';
import { FluxControlPlane, FluxIstioRepository } from '../constructs/flux-control-plane';
import { fluxHostCluster, fluxKubeConfig } from '../constructs/flux-kubeconfig';
import { ControlPlaneIstioOperator, EastWestGatewayIstioOperator } from '../constructs/istio-operator';

/**
 * Adds the control plane of `stack`'s cluster to its layers:
 * - `platform`: application `Namespace`s labelled for injection;
 * - `base` (with Flux): `HelmRelease` `istio-base` (the CRDs and the reader service account)
 *   and, in the cluster whose Flux installs the releases, the `HelmRepository` they all use;
 * - `control-plane` (with Flux): `HelmRelease`s `istiod` (and a canary istiod) → east-west
 *   gateway, after `istio-base` (`dependsOn` across the two layers);
 * - `mesh` (primaries): `Gateway cross-network-gateway` when it or a remote runs the gateway in a multi-network mesh, and
 *   `Gateway istiod-gateway` + `VirtualService istiod-vs` when it serves remotes;
 * - `istioctl`: the control-plane and east-west gateway `IstioOperator`s.
 *
 * `base` is a layer of its own so that the reader token (layer `reader`) can follow it
 * without waiting for istiod and the gateway: a remote's gateway needs that token first.
 */
export function addControlPlane(stack: ClusterLayers): void {
  const { facts, cluster, plan } = stack;
  const { topology } = facts;
  const { istio } = topology.mesh;

  const namespaces = plan.namespaces;
  if (namespaces.length) new AppNamespaces(stack.layer('platform'), 'app-namespaces', { namespaces, istio });

  const flux = topology.delivery.flux;
  if (flux) {
    const releases = controlPlaneReleases(istio, plan.helmValues);
    const common = { cluster: cluster.name, fluxNamespace: flux.namespace, interval: flux.interval, kubeConfig: fluxKubeConfig(topology.delivery, cluster.name) };
    // One repository per Flux: in every cluster (per-cluster mode), or once in the management cluster.
    if (fluxHostCluster(topology.delivery, cluster.name) === cluster.name) {
      new FluxIstioRepository(stack.layer('base'), 'istio-repository', { chartRepository: istio.chartRepository, fluxNamespace: flux.namespace, interval: flux.interval });
    }
    new FluxControlPlane(stack.layer('base'), 'istio', { ...common, releases: releases.filter((r) => r.chart === 'base') });
    new FluxControlPlane(stack.layer('control-plane'), 'istio', { ...common, releases: releases.filter((r) => r.chart !== 'base') });
  }

  if (cluster.role === 'primary') {
    if (plan.gateways.includes('cross-network-gateway')) new CrossNetworkGateway(stack.layer('mesh'), 'cross-network-gateway');
    if (plan.gateways.includes('istiod-gateway')) {
      new ExposeIstiod(stack.layer('mesh'), 'expose-istiod', { revisions: [istio.revision, ...(istio.canary ? [istio.canary.revision] : [])] });
    }
  }

  const values = plan.helmValues;
  const istioctl = stack.layer('istioctl');
  new ControlPlaneIstioOperator(istioctl, 'control-plane', { base: values.base, istiod: values.istiod });
  if (istio.canary && values.canaryIstiod) {
    new ControlPlaneIstioOperator(istioctl, 'control-plane-canary', {
      name: `control-plane-${istio.canary.revision}`,
      base: values.base,
      istiod: values.canaryIstiod,
    });
  }
  if (plan.eastWestGateway && values.eastWestGateway) {
    new EastWestGatewayIstioOperator(istioctl, 'eastwest', { network: cluster.network, revision: istio.revision, values: values.eastWestGateway });
  }
}
