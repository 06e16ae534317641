/**
 * Helm values of the Istio charts for one cluster, built once and rendered for Flux,
 * Argo CD and (translated) `istioctl`.
 *
 * Every value here is one Istio's multicluster install guides set, named as in the pinned
 * charts (`../shared/upstream/istio-1.30.3/charts/*`); a test checks every path against them,
 * because Helm silently ignores a misspelt value.
 * @see https://istio.io/latest/docs/setup/install/multicluster/
 */
import { serviceMeshConfig } from './service-mesh-config';
import { Cluster, IstioChartName, MeshFacts } from '../topology';
import { mergeValues } from '../topology/hatches-schema';
import { isIpAddress } from '../topology/rules/control-plane';
import { EAST_WEST_GATEWAY_NAME } from '../topology/generated-names';

/** A Helm values tree. */
export type HelmValues = { readonly [key: string]: unknown };

/** Values for each Istio chart a cluster installs. */
export interface ControlPlaneValues {
  /** Chart `base`. */
  readonly base: HelmValues;
  /** Chart `istiod`. */
  readonly istiod: HelmValues;
  /** Chart `gateway` as the east-west gateway, when the cluster runs one. */
  readonly eastWestGateway?: HelmValues;
  /**
   * Chart `istiod` for the canary revision (`mesh.istio.canary`), installed beside `istiod`
   * at the canary's chart version. Identical to `istiod` except for `revision`.
   */
  readonly canaryIstiod?: HelmValues;
}

/**
 * Annotation of a `NodePort` network gateway Service selecting the nodes whose external IPs
 * istiod publishes as the gateway's addresses.
 * @see https://istio.io/latest/docs/reference/config/annotations/#TrafficNodeSelector
 */
export const NODE_SELECTOR_ANNOTATION = 'traffic.istio.io/nodeSelector';

/** Name (and Helm release name) of the east-west gateway: `expose-*.yaml` select its `istio: eastwestgateway` label. */
export { EAST_WEST_GATEWAY_NAME };

/** Whether a primary acts as the external control plane of remote clusters. */
export function servesRemotes(facts: MeshFacts, cluster: Cluster): boolean {
  return cluster.role === 'primary' && facts.remotesOf(cluster.name).length > 0;
}

/**
 * Whether a cluster runs the east-west gateway: a primary that serves remotes (they reach istiod
 * through it on 15012/15017), and a cluster running a service that a cluster on another network
 * calls (those calls enter through it on 15443). A cluster that only calls, or serves only its
 * own network, runs none: each gateway is an Internet-facing load balancer. Placed once per
 * fleet by {@link MeshFacts.eastWestPlacement}.
 * @see https://istio.io/latest/docs/ops/deployment/deployment-models/#multiple-networks
 */
export function hasEastWestGateway(facts: MeshFacts, cluster: Cluster): boolean {
  return facts.eastWestPlacement.runsGateway(cluster.name);
}

/**
 * The sidecar-injector path a remote's webhook calls on its primary's istiod, which tells the
 * injector the pod's cluster and network.
 * @see https://istio.io/latest/docs/setup/install/multicluster/primary-remote_multi-network/
 */
export function injectionPath(cluster: Cluster): string {
  return `/inject/cluster/${cluster.name}/net/${cluster.network}`;
}

/**
 * The Istio chart values for a cluster's role in the mesh.
 *
 * - primary: `global.meshID`, `global.multiCluster.clusterName`, `global.network`,
 *   `meshConfig.trustDomain` (plus the services' `meshConfig` from {@link serviceMeshConfig}),
 *   `global.externalIstiod: true` when it serves remotes;
 * - remote: `profile: remote` on `base` and `istiod`, `global.multiCluster.clusterName`,
 *   `global.network`, `global.remotePilotAddress` (the primary's east-west gateway address),
 *   `istiodRemote.injectionPath`, `global.configCluster: true` (as Istio's Helm instructions
 *   for a remote; their `pilot.enabled=false` and `pilot.env.EXTERNAL_ISTIOD=true` do nothing
 *   since 1.24 and are left out);
 * - with `mesh.istio.revision`: `revision` on `istiod` and the gateway, `defaultRevision` on
 *   `base` (so the default validating webhook calls `istiod-<revision>`, which exists);
 * - east-west gateway: `name: istio-eastwestgateway`, `networkGateway: <network>`.
 */
export function controlPlaneValues(facts: MeshFacts, cluster: Cluster): ControlPlaneValues {
  return buildValues(facts, cluster);
}

/**
 * The user's values for a chart in a cluster: `mesh.istio.values` with `clusters[].istio.values`
 * deep-merged over it (maps merged, lists replaced). The loader has refused every path
 * meshfleet sets itself, so merging them over meshfleet's values overrides nothing of it.
 */
export function userValues(facts: MeshFacts, cluster: Cluster, chart: IstioChartName): HelmValues {
  return mergeValues(facts.topology.mesh.istio.values[chart], cluster.istio.values[chart]);
}

function buildValues(facts: MeshFacts, cluster: Cluster): ControlPlaneValues {
  const { revision, canary } = facts.topology.mesh.istio;
  const remote = cluster.role === 'remote';
  const base: HelmValues = {
    ...(remote ? { profile: 'remote' } : {}),
    ...(revision ? { defaultRevision: revision } : {}),
  };
  const withUser = (chart: IstioChartName, values: HelmValues) => mergeValues(values, userValues(facts, cluster, chart));
  return {
    base: withUser('base', base),
    istiod: withUser('istiod', istiodValues(facts, cluster, revision)),
    eastWestGateway: hasEastWestGateway(facts, cluster) ? withUser('gateway', eastWestGatewayValues(cluster, revision)) : undefined,
    canaryIstiod: canary ? withUser('istiod', istiodValues(facts, cluster, canary.revision)) : undefined,
  };
}

function istiodValues(facts: MeshFacts, cluster: Cluster, revision: string | undefined): HelmValues {
  const withRevision = revision ? { revision } : {};
  if (cluster.role === 'remote') {
    const primary = facts.controlPlaneOf(cluster);
    const address = primary.eastWestGateway.address;
    // Without it the remote's istiod Service and webhooks point nowhere; the loader refuses such a topology.
    if (!address) throw new Error(`remote ${cluster.name}: primary ${primary.name} has no eastWestGateway.address for global.remotePilotAddress`);
    return {
      profile: 'remote',
      global: {
        multiCluster: { clusterName: cluster.name },
        network: cluster.network,
        remotePilotAddress: address,
        configCluster: true,
      },
      istiodRemote: { injectionPath: injectionPath(cluster) },
      ...withRevision,
    };
  }
  return {
    global: {
      meshID: facts.topology.mesh.id,
      multiCluster: { clusterName: cluster.name },
      network: cluster.network,
      ...(servesRemotes(facts, cluster) ? { externalIstiod: true } : {}),
    },
    meshConfig: meshConfig(facts, cluster),
    ...withRevision,
  };
}

// Remotes have no mesh config of their own (the remote profile sets configMap: false): their
// proxies get it from the primary's istiod, so only primaries merge the services' settings.
function meshConfig(facts: MeshFacts, cluster: Cluster): HelmValues {
  const fromServices = serviceMeshConfig(facts, cluster);
  const proxyMetadata = fromServices.proxyMetadata ?? {};
  const serviceSettings = fromServices.serviceSettings ?? [];
  return {
    trustDomain: facts.topology.mesh.trustDomain,
    ...(Object.keys(proxyMetadata).length ? { defaultConfig: { proxyMetadata: { ...proxyMetadata } } } : {}),
    ...(serviceSettings.length
      ? { serviceSettings: serviceSettings.map((s) => ({ settings: { ...s.settings }, hosts: [...s.hosts] })) }
      : {}),
  };
}

function eastWestGatewayValues(cluster: Cluster, revision: string | undefined): HelmValues {
  const ewg = cluster.eastWestGateway;
  const { serviceType, address } = ewg;
  // A NodePort network gateway is found through the nodes this annotation selects ("{}": all of
  // them); istiod then publishes their external IPs with the Service's node port for 15443.
  const annotations: Record<string, string> = {
    ...(serviceType === 'NodePort' ? { [NODE_SELECTOR_ANNOTATION]: '{}' } : {}),
    ...ewg.serviceAnnotations,
  };
  const service: Record<string, unknown> = {
    ...(serviceType !== 'LoadBalancer' ? { type: serviceType } : {}),
    // istiod learns a network gateway's address from the labelled Service: a LoadBalancer's
    // status, or spec.externalIPs (https://istio.io/latest/docs/reference/config/labels/#TopologyNetwork).
    ...(serviceType === 'ClusterIP' && address ? { externalIPs: [address] } : {}),
    ...(Object.keys(annotations).length ? { annotations } : {}),
    ...(serviceType === 'LoadBalancer' && loadBalancerIP(cluster) ? { loadBalancerIP: loadBalancerIP(cluster) } : {}),
    ...(ewg.loadBalancerSourceRanges.length ? { loadBalancerSourceRanges: [...ewg.loadBalancerSourceRanges] } : {}),
  };
  return {
    name: EAST_WEST_GATEWAY_NAME,
    networkGateway: cluster.network,
    ...(revision ? { revision } : {}),
    ...(Object.keys(service).length ? { service } : {}),
    // The chart's HPA (1-5 replicas at 80% CPU) is on by default; a fixed count turns it off.
    ...(ewg.replicas !== undefined ? { replicaCount: ewg.replicas, autoscaling: { enabled: false } } : {}),
    ...(ewg.autoscaling ? { autoscaling: { enabled: true, ...ewg.autoscaling } } : {}),
    ...(ewg.resources ? { resources: resourcesValue(ewg.resources) } : {}),
  };
}

/**
 * The IP a `LoadBalancer` east-west gateway asks its cloud for: `loadBalancerIP`, or else an IP
 * `address` (remotes are told to use it, so the load balancer must really get it).
 * `spec.loadBalancerIP` is deprecated in Kubernetes 1.24 but still honoured by GKE, AKS and
 * most bare-metal load balancers; clouds that ignore it need their own annotation (see docs).
 * @see https://kubernetes.io/docs/concepts/services-networking/service/#type-loadbalancer
 */
export function loadBalancerIP(cluster: Cluster): string | undefined {
  const { loadBalancerIP: explicit, address, serviceType } = cluster.eastWestGateway;
  if (serviceType !== 'LoadBalancer') return undefined;
  return explicit ?? (address && isIpAddress(address) ? address : undefined);
}

function resourcesValue(resources: NonNullable<Cluster['eastWestGateway']['resources']>): HelmValues {
  return {
    ...(resources.requests ? { requests: { ...resources.requests } } : {}),
    ...(resources.limits ? { limits: { ...resources.limits } } : {}),
  };
}
