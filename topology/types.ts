/**
 * The validated, defaulted topology model that every construct consumes.
 *
 * These types describe what `loadTopology` returns, not the raw file: every default is
 * already applied and every cross-field rule already holds. All of it is deeply readonly.
 * The file format itself is documented field by field in README.md ("Topology reference").
 */
import type { KustomizeLayer } from './layers';

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
  /** Fleet-wide kustomize patches: applied in every cluster holding an object they target. */
  readonly patches: readonly KustomizePatch[];
  /** Fleet-wide objects, added to every cluster. */
  readonly objects: readonly UserObject[];
}

/** Which Istio release to install, and from where. */
export interface IstioRelease {
  /** Chart version of `base`, `istiod` and `gateway`. */
  readonly version: string;
  /** Control-plane revision (`istio.io/rev`), if any. */
  readonly revision?: string;
  /** Helm repository serving the Istio charts. */
  readonly chartRepository: string;
  /** A second control plane installed beside this one for a canary upgrade (`mesh.istio.canary`). */
  readonly canary?: IstioCanary;
  /** Mesh-wide Helm values per chart (`mesh.istio.valuesFiles` then `mesh.istio.values`, deep-merged). */
  readonly values: ChartValues;
}

/** The Istio charts a cluster installs, by their published names. */
export type IstioChartName = 'base' | 'istiod' | 'gateway';
/** The Istio charts, in install order. */
export const ISTIO_CHART_NAMES: readonly IstioChartName[] = ['base', 'istiod', 'gateway'];
/** A Helm values tree as the user wrote it (already checked against the pinned chart). */
export type UserValues = { readonly [key: string]: unknown };
/** User Helm values per chart; a chart without values is absent. */
export type ChartValues = Readonly<Partial<Record<IstioChartName, UserValues>>>;

/** The layers a user may add objects or patches to: the kustomize roots (see `layers.ts`). */
export { KUSTOMIZE_LAYERS as CUSTOMIZABLE_LAYERS } from './layers';
/** One of {@link CUSTOMIZABLE_LAYERS}. */
export type CustomizableLayer = KustomizeLayer;

/** Where a hatch (a patch, an object) was written, for problems found after the topology is read. */
export interface Origin {
  /** File the entry came from (the topology, or a file it references). */
  readonly file: string;
  /** Path in the topology (`clusters[0].patches[1]`). */
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
}

/** Which generated objects a kustomize patch applies to (kustomize `patches[].target`). */
export interface PatchTarget {
  readonly group?: string;
  readonly version?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
}

/**
 * A kustomize patch, copied into the generated `kustomization.yaml` of every layer holding an
 * object it targets (inline `patches[].patch`, so the output stays self-contained).
 */
export interface KustomizePatch {
  /** The patch text: a strategic-merge patch (a mapping) or a JSON 6902 patch (a list of operations). */
  readonly patch: string;
  /** `strategic-merge` (targets the object it names) or `json6902` (needs `target`). */
  readonly type: 'strategic-merge' | 'json6902';
  /** The objects it applies to: given, or (strategic merge) the object the patch names. */
  readonly target: PatchTarget;
  /** Whether the author gave `target` (it is then written into the kustomization too). */
  readonly targeted: boolean;
  readonly origin: Origin;
}

/** A plain Kubernetes object the user adds to a cluster's layer. */
export interface UserObject {
  readonly layer: CustomizableLayer;
  readonly manifest: { readonly apiVersion: string; readonly kind: string; readonly metadata: { readonly name: string; readonly namespace?: string }; readonly [field: string]: unknown };
  readonly origin: Origin;
}

/**
 * A canary control plane: a second istiod revision running beside the stable one.
 * @see https://istio.io/latest/docs/setup/upgrade/helm/#canary-upgrade-recommended
 */
export interface IstioCanary {
  /** Chart version of the canary istiod (and of `base`, whose CRDs are upgraded first). */
  readonly version: string;
  /** The canary's revision; differs from the stable `revision`. */
  readonly revision: string;
  /** Application namespaces moved to the canary (`istio.io/rev: <canary revision>`), sorted. */
  readonly namespaces: readonly string[];
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
  /** Per-cluster Helm values (`clusters[].istio`), merged over `mesh.istio.values`. */
  readonly istio: { readonly values: ChartValues };
  /** Kustomize patches of this cluster's generated objects (`mesh.patches` apply too). */
  readonly patches: readonly KustomizePatch[];
  /** Objects added to this cluster's layers (`mesh.objects` are added too). */
  readonly objects: readonly UserObject[];
}

/** How the east-west gateway's Service is exposed (`service.type` of the `gateway` chart). */
export type EastWestGatewayServiceType = 'LoadBalancer' | 'ClusterIP' | 'NodePort';

/** Horizontal pod autoscaling of the east-west gateway (`autoscaling` of the `gateway` chart). */
export interface GatewayAutoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCPUUtilizationPercentage: number;
}

/** Compute resources of the east-west gateway (`resources` of the `gateway` chart). */
export interface GatewayResources {
  readonly requests?: { readonly cpu?: string; readonly memory?: string };
  readonly limits?: { readonly cpu?: string; readonly memory?: string };
}

/** Per-cluster east-west gateway settings. */
export interface EastWestGatewaySettings {
  /**
   * A fixed, reachable address (IP or DNS name) of the gateway, when known up front.
   * Remotes of a primary reach istiod here (`global.remotePilotAddress`); with
   * `serviceType: ClusterIP` it is the IP published as the Service's `externalIPs`.
   */
  readonly address?: string;
  /**
   * `LoadBalancer` (istiod discovers the address from the Service status), `ClusterIP` (with
   * `address` as external IP) or `NodePort` (istiod uses the nodes' addresses).
   */
  readonly serviceType: EastWestGatewayServiceType;
  /** Service annotations (internal load balancer, cloud options), sorted by key. */
  readonly serviceAnnotations: Readonly<Record<string, string>>;
  /** `spec.loadBalancerIP`: the IP the cloud assigns the load balancer (from `address` or explicit). */
  readonly loadBalancerIP?: string;
  /** `spec.loadBalancerSourceRanges`: CIDRs allowed to reach the load balancer. */
  readonly loadBalancerSourceRanges: readonly string[];
  /** Fixed replica count (`replicaCount`, autoscaling off). */
  readonly replicas?: number;
  /** Autoscaling bounds (`autoscaling`). */
  readonly autoscaling?: GatewayAutoscaling;
  /** Requests and limits (`resources`). */
  readonly resources?: GatewayResources;
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
  /** App versions (DestinationRule subsets by pod labels), in author order. */
  readonly versions: readonly ServiceVersion[];
}

/**
 * An app version of a service: a DestinationRule subset selecting pods by labels, and its
 * share of the traffic.
 * @see https://istio.io/latest/docs/concepts/traffic-management/#destination-rules
 */
export interface ServiceVersion {
  /** Subset name (`v1`). */
  readonly name: string;
  /** Pod labels the subset selects (`{version: v1}`), sorted by key. */
  readonly labels: Readonly<Record<string, string>>;
  /** Percent of the traffic (all versions' weights sum to 100); absent when no version has a weight. */
  readonly weight?: number;
}

/** A reference to an External Secrets Operator store. */
export interface SecretStoreRef {
  readonly name: string;
  readonly kind: 'ClusterSecretStore' | 'SecretStore';
}

/** A cert-manager issuer, as a `Certificate`'s `issuerRef`. */
export interface CertManagerIssuerRef {
  readonly name: string;
  /** `ClusterIssuer` (default) or `Issuer` for cert-manager.io; an external issuer's own kind otherwise. */
  readonly kind: string;
  /** API group of the issuer, default `cert-manager.io` (e.g. `awspca.cert-manager.io`). */
  readonly group: string;
}

/**
 * The shared root of trust: how each primary's plugin CA secret `cacerts` comes into being.
 * See docs/trust.md.
 */
export interface Trust {
  /** `cert-manager`, `external-secrets`, or `existing` (created out of band; the default). */
  readonly provider: TrustProvider;
  /** With `cert-manager`: an intermediate CA `Certificate` per primary, written to `cacerts`. */
  readonly certManager?: {
    /** The root issuer; every cluster's `ca.crt` is this issuer's CA, so it must be the shared root. */
    readonly issuer: CertManagerIssuerRef;
    /** Lifetime of each intermediate (`Certificate.spec.duration`, default `8760h`). */
    readonly duration: string;
    /** Renew this long before expiry (`Certificate.spec.renewBefore`, default `720h`). */
    readonly renewBefore: string;
  };
  /** With `external-secrets`: an `ExternalSecret` per primary building `cacerts` from a store. */
  readonly externalSecrets?: {
    readonly store: SecretStoreRef;
    /** Remote key holding the cluster's CA bundle; `{cluster}` is replaced by the cluster name. */
    readonly key: string;
    /** How often ESO re-reads the store (`ExternalSecret.spec.refreshInterval`, default `1h`). */
    readonly refreshInterval: string;
  };
}

/** Remote-cluster credentials (the kubeconfigs istiod uses to read other clusters). */
export interface Credentials {
  /** `external-secrets`, or `existing` (remote secrets created out of band; the default). */
  readonly provider: CredentialsProvider;
  readonly externalSecrets?: {
    readonly store: SecretStoreRef;
    /** Remote key holding a cluster's reader `token` and `ca.crt`; `{cluster}` is replaced. */
    readonly key: string;
    /** How often ESO re-reads (and pushes) the store, default `1h`. */
    readonly refreshInterval: string;
    /**
     * Whether each read cluster pushes its reader token to the store with an ESO `PushSecret`
     * (default true); false when something else (a pipeline) writes the store.
     */
    readonly push: boolean;
  };
}

/** Where the synthesized directories live in Git. */
export interface GitSource {
  readonly url: string;
  readonly branch: string;
  /** Path of the synthesized output inside the repository. */
  readonly path: string;
}

/**
 * Name of the `GitRepository` that `flux bootstrap` creates. A `delivery.flux.gitRepository`
 * of this name refers to that existing source: meshfleet references it and does not generate it.
 */
export const FLUX_BOOTSTRAP_GIT_REPOSITORY = 'flux-system';

/** Flux delivery settings. See docs/delivery.md. */
export interface FluxDelivery {
  /** `per-cluster` (Flux in every cluster, the default) or `management` (one Flux drives all clusters). */
  readonly mode: FluxMode;
  /** In `management` mode: the cluster whose Flux drives all others. */
  readonly managementCluster?: string;
  /** Namespace of the Flux objects (`flux-system` by default). */
  readonly namespace: string;
  /** Reconcile interval of the `GitRepository` and the `Kustomization`s (`10m` by default). */
  readonly interval: string;
  /**
   * Name of the Flux `GitRepository` source (`meshfleet` by default). `flux-system`
   * ({@link FLUX_BOOTSTRAP_GIT_REPOSITORY}) refers to the source `flux bootstrap` created,
   * which must then point at the same repository; it is not generated.
   */
  readonly gitRepository: string;
  /**
   * Secret (in `namespace`) with the Git credentials of the generated `GitRepository`
   * (`spec.secretRef.name`); required for an `ssh://` URL.
   */
  readonly secretRef?: string;
}

/** Argo CD delivery settings. See docs/delivery.md. */
export interface ArgoCdDelivery {
  /** Namespace Argo CD runs in and its `Application`s live in (`argocd` by default). */
  readonly namespace: string;
  /** Name of the generated `AppProject` (`meshfleet` by default). */
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
