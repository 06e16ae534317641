/**
 * A cluster's Istio control plane: its Helm releases (Flux), `IstioOperator` files for
 * istioctl, the multicluster `Gateway`s its istiod needs, and its labelled app namespaces.
 */
import type { ClusterStack } from './cluster-stack';
import { AppNamespaces, appNamespaces } from '../constructs/app-namespaces';
import { controlPlaneReleases } from '../constructs/control-plane-releases';
import { CrossNetworkGateway } from '../constructs/cross-network-gateway';
import { ExposeIstiod } from '../constructs/expose-istiod';
import { FluxControlPlane } from '../constructs/flux-control-plane';
import { fluxHostCluster, fluxKubeConfig } from '../constructs/flux-kubeconfig';
import { controlPlaneValues, servesRemotes } from '../constructs/helm-values';
import { ControlPlaneIstioOperator, EastWestGatewayIstioOperator } from '../constructs/istio-operator';
import { Cluster, Topology } from '../topology';

/**
 * The cluster whose Flux applies `cluster`'s `control-plane` layer: the management cluster in
 * `delivery.flux.mode: management` (its `HelmRelease`s then carry `spec.kubeConfig`), the
 * cluster itself otherwise.
 */
export function controlPlaneAppliedIn(topology: Topology, cluster: Cluster): string {
  return fluxHostCluster(topology.delivery, cluster.name);
}

/**
 * Adds the control plane of `stack`'s cluster to its layers:
 * - `platform`: application `Namespace`s labelled for injection;
 * - `control-plane`: `HelmRepository` + `HelmRelease`s `base` → `istiod` → east-west gateway (with Flux);
 * - `mesh` (primaries): `Gateway cross-network-gateway` in a multi-network mesh, and
 *   `Gateway istiod-gateway` + `VirtualService istiod-vs` when it serves remotes;
 * - `istioctl`: the control-plane and east-west gateway `IstioOperator`s.
 */
export function addControlPlane(stack: ClusterStack): void {
  const { facts, cluster } = stack;
  const { topology } = facts;
  const { istio } = topology.mesh;

  const namespaces = appNamespaces(facts, cluster);
  if (namespaces.length) new AppNamespaces(stack.layer('platform'), 'app-namespaces', { namespaces, istio });

  const flux = topology.delivery.flux;
  if (flux) {
    new FluxControlPlane(stack.layer('control-plane'), 'istio', {
      cluster: cluster.name,
      releases: controlPlaneReleases(facts, cluster),
      chartRepository: istio.chartRepository,
      fluxNamespace: flux.namespace,
      interval: flux.interval,
      kubeConfig: fluxKubeConfig(topology.delivery, cluster.name),
    });
  }

  if (cluster.role === 'primary') {
    if (facts.multiNetwork) new CrossNetworkGateway(stack.layer('mesh'), 'cross-network-gateway');
    if (servesRemotes(facts, cluster)) {
      new ExposeIstiod(stack.layer('mesh'), 'expose-istiod', { revisions: [istio.revision, ...(istio.canary ? [istio.canary.revision] : [])] });
    }
  }

  const values = controlPlaneValues(facts, cluster);
  const istioctl = stack.layer('istioctl');
  new ControlPlaneIstioOperator(istioctl, 'control-plane', { base: values.base, istiod: values.istiod });
  if (istio.canary && values.canaryIstiod) {
    new ControlPlaneIstioOperator(istioctl, 'control-plane-canary', {
      name: `control-plane-${istio.canary.revision}`,
      base: values.base,
      istiod: values.canaryIstiod,
    });
  }
  if (values.eastWestGateway) {
    const { serviceType, address } = cluster.eastWestGateway;
    new EastWestGatewayIstioOperator(istioctl, 'eastwest', {
      network: cluster.network,
      revision: istio.revision,
      serviceType,
      externalIPs: serviceType === 'ClusterIP' && address ? [address] : undefined,
    });
  }
}
