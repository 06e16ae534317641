/**
 * The validated, defaulted topology model that every construct consumes.
 *
 * These types describe what `loadTopology` returns, not the raw file: every default is
 * already applied and every cross-field rule already holds. All of it is deeply readonly.
 * The file format itself is documented field by field in README.md ("Topology reference").
 */

/** The `apiVersion` a topology file must declare. */
export const TOPOLOGY_API_VERSION = 'meshfleet.dev/v1alpha1';
/** The `kind` a topology file must declare. */
export const TOPOLOGY_KIND = 'MeshTopology';

/** Istio minor versions meshfleet generates config for (inclusive). */
export const SUPPORTED_ISTIO_MINORS = { min: 26, max: 30 } as const;
/** The Istio release the pinned CRDs and chart values come from. */
export const DEFAULT_ISTIO_VERSION = '1.30.3';
/** Istio's official Helm chart repository. */
export const DEFAULT_ISTIO_CHART_REPOSITORY = 'https://istio-release.storage.googleapis.com/charts';

/** A cluster's place in the control plane. */
export type ClusterRole = 'primary' | 'remote';
/** Service port protocols Istio understands (`ServicePort.protocol` / port-name prefixes). */
export const ISTIO_PROTOCOLS = ['HTTP', 'HTTPS', 'HTTP2', 'GRPC', 'GRPC-WEB', 'TCP', 'TLS', 'MONGO', 'MYSQL', 'REDIS'] as const;
/** A protocol from {@link ISTIO_PROTOCOLS}. */
export type IstioProtocol = (typeof ISTIO_PROTOCOLS)[number];
/** How each cluster's `cacerts` plugin-CA secret comes into being. */
export type TrustProvider = 'cert-manager' | 'external-secrets' | 'existing';
/** How remote-cluster credentials (`istio-remote-secret-<cluster>`) come into being. */
export type CredentialsProvider = 'external-secrets' | 'existing';
/** Where Flux runs: in every cluster, or in one management cluster that drives the others. */
export type FluxMode = 'per-cluster' | 'management';

/** Mesh-wide settings. */
export interface Mesh {
  /** `global.meshID`, identical in every cluster. */
  readonly id: string;
  /** `meshConfig.trustDomain`, identical in every cluster. */
  readonly trustDomain: string;
  readonly istio: IstioRelease;
  /** Outlier detection applied to every DestinationRule unless a service overrides it. */
  readonly outlierDetection: OutlierDetection;
}

/** Which Istio release to install, and from where. */
export interface IstioRelease {
  /** Chart version of `base`, `istiod` and `gateway`. */
  readonly version: string;
  /** Control-plane revision (`istio.io/rev`), if any. */
  readonly revision?: string;
  /** Helm repository serving the Istio charts. */
  readonly chartRepository: string;
}

/** Envoy outlier detection, as in `DestinationRule.trafficPolicy.outlierDetection`. */
export interface OutlierDetection {
  readonly consecutive5xxErrors: number;
  readonly interval: string;
  readonly baseEjectionTime: string;
  readonly maxEjectionPercent: number;
}

/** One Kubernetes cluster of the mesh. */
export interface Cluster {
  /** `global.multiCluster.clusterName`; also the remote-secret key and `topology.istio.io/cluster`. */
  readonly name: string;
  readonly role: ClusterRole;
  /** For a remote: the primary whose istiod serves it. */
  readonly controlPlane?: string;
  /** `global.network` and the `topology.istio.io/network` label. */
  readonly network: string;
  /** `topology.kubernetes.io/region` of the cluster's nodes. */
  readonly region: string;
  /** `topology.kubernetes.io/zone` values of the cluster's nodes. */
  readonly zones: readonly string[];
  /** URL of the cluster's Kubernetes API server, as other clusters and GitOps reach it. */
  readonly apiServer?: string;
  /** Application namespaces that exist in this cluster besides those of the services it runs. */
  readonly namespaces: readonly string[];
  readonly eastWestGateway: EastWestGatewaySettings;
}

/** Per-cluster east-west gateway settings. */
export interface EastWestGatewaySettings {
  /** A fixed, reachable address (IP or DNS name) of the gateway's LoadBalancer, when known up front. */
  readonly address?: string;
}

/** A port of a shared service. */
export interface ServicePort {
  readonly name: string;
  readonly number: number;
  readonly protocol: IstioProtocol;
}

/** A workload identity allowed to call a service. */
export interface Consumer {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Clusters the caller runs in (defaults to every cluster that has its namespace). */
  readonly clusters: readonly string[];
}

/** Region-level locality failover (`localityLbSetting.failover`). */
export interface Failover {
  readonly from: string;
  readonly to: string;
}

/** A service shared between clusters. */
export interface MeshService {
  readonly name: string;
  readonly namespace: string;
  readonly ports: readonly ServicePort[];
  /** Clusters that run the service's workloads, sorted. */
  readonly runsIn: readonly string[];
  /** Declared callers, in author order. */
  readonly consumers: readonly Consumer[];
  /** Keep traffic inside each cluster (`meshConfig.serviceSettings.clusterLocal`). */
  readonly clusterLocal: boolean;
  readonly failover: readonly Failover[];
  readonly failoverPriority: readonly string[];
  /** Per-cluster traffic weights (percent, summing to 100), keyed by cluster name. */
  readonly weights?: Readonly<Record<string, number>>;
  /** Also answer to `<name>.<namespace>.global`. */
  readonly globalAlias: boolean;
  readonly outlierDetection: OutlierDetection;
}

/** A reference to an External Secrets Operator store. */
export interface SecretStoreRef {
  readonly name: string;
  readonly kind: 'ClusterSecretStore' | 'SecretStore';
}

/** The shared root of trust. */
export interface Trust {
  readonly provider: TrustProvider;
  readonly certManager?: {
    readonly issuer: { readonly name: string; readonly kind: 'ClusterIssuer' | 'Issuer'; readonly group: string };
    readonly duration: string;
    readonly renewBefore: string;
  };
  readonly externalSecrets?: {
    readonly store: SecretStoreRef;
    /** Remote key holding the cluster's CA bundle; `{cluster}` is replaced by the cluster name. */
    readonly key: string;
    readonly refreshInterval: string;
  };
}

/** Remote-cluster credentials (the kubeconfigs istiod uses to read other clusters). */
export interface Credentials {
  readonly provider: CredentialsProvider;
  readonly externalSecrets?: {
    readonly store: SecretStoreRef;
    /** Remote key holding a cluster's reader `token` and `ca.crt`; `{cluster}` is replaced. */
    readonly key: string;
    readonly refreshInterval: string;
  };
}

/** Where the synthesized directories live in Git. */
export interface GitSource {
  readonly url: string;
  readonly branch: string;
  /** Path of the synthesized output inside the repository. */
  readonly path: string;
}

/** Flux delivery settings. */
export interface FluxDelivery {
  readonly mode: FluxMode;
  /** In `management` mode: the cluster whose Flux drives all others. */
  readonly managementCluster?: string;
  readonly namespace: string;
  readonly interval: string;
  /** Name of the Flux `GitRepository` source. */
  readonly gitRepository: string;
}

/** Argo CD delivery settings. */
export interface ArgoCdDelivery {
  readonly namespace: string;
  readonly project: string;
}

/** GitOps delivery; either or both tools may be enabled. */
export interface Delivery {
  readonly git: GitSource;
  readonly flux?: FluxDelivery;
  readonly argocd?: ArgoCdDelivery;
}

/** A whole validated topology. */
export interface Topology {
  readonly mesh: Mesh;
  /** Clusters sorted by name. */
  readonly clusters: readonly Cluster[];
  /** Services sorted by namespace, then name. */
  readonly services: readonly MeshService[];
  readonly trust: Trust;
  readonly credentials: Credentials;
  readonly delivery: Delivery;
}
