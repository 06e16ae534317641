/**
 * The planning step: a validated topology in, a plain per-cluster model of what each cluster
 * gets out.
 *
 * The model is what `meshfleet plan` compares, what `MESH.md` is drawn from, and what is stored
 * beside the output ({@link PLAN_FILE}) so a later plan can read it back without the old
 * topology. It is plain, frozen and JSON-serializable: no class instances, no functions, keys
 * and lists in a fixed order, no timestamps.
 *
 * It agrees with what the constructs render because it is built from the same placement and
 * value helpers they use ({@link ServicePlacement}, {@link EastWestPlacement},
 * {@link controlPlaneValues}); a test checks the two against each other object by object.
 *
 * Every entry names the topology entry behind it as a {@link SourceRef}: a path keyed by names
 * (`services[bookinfo/reviews].consumers[0]`), stable when unrelated entries move, which
 * {@link SourceLocator} turns into the file's own path and `file:line:col`.
 */
import { controlPlaneValues, HelmValues, servesRemotes } from '../constructs/helm-values';
import { Cluster, EastWestGatewayServiceType, MeshFacts, MeshService, Topology } from '../topology';
import { EastWestPlacement } from '../topology/east-west-placement';
import { globalAliasHost, principal, serviceHost } from '../topology/service-hosts';
import { MESH_ROOT_NAMESPACE, ServicePlacement } from '../topology/service-placement';
import { serviceRouting } from '../topology/service-routes';
import { clustersReadBy, readersOf, runsIstiodCa, storeKey } from '../topology/trust-scope';

/** File name of the stored model, at the output root. */
export const PLAN_FILE = 'meshfleet-plan.json';
/** `kind` of the stored model. */
export const PLAN_KIND = 'MeshPlan';
/** `apiVersion` of the stored model; bumped on an incompatible change of its shape. */
export const PLAN_API_VERSION = 'meshfleet.dev/v1alpha1';

/**
 * A topology entry, keyed by names: `clusters[east]`, `services[bookinfo/reviews]`,
 * `services[bookinfo/reviews].consumers[0]` (consumers in author order), `mesh.istio`, `trust`,
 * `credentials`, `delivery.flux`.
 */
export type SourceRef = string;

/** Why something is in a cluster: a sentence and the topology entry it comes from. */
export interface Reason {
  readonly text: string;
  readonly source: SourceRef;
}

/** The whole fleet's model. */
export interface FleetPlan {
  readonly apiVersion: typeof PLAN_API_VERSION;
  readonly kind: typeof PLAN_KIND;
  readonly mesh: MeshPlan;
  readonly trust: TrustPlan;
  readonly credentials: CredentialsPlan;
  readonly delivery: DeliveryPlan;
  /** Sorted by name. */
  readonly clusters: readonly ClusterPlan[];
}

/** Mesh-wide settings. */
export interface MeshPlan {
  readonly id: string;
  readonly trustDomain: string;
  readonly istio: {
    readonly version: string;
    readonly revision?: string;
    readonly chartRepository: string;
    readonly canary?: { readonly version: string; readonly revision: string; readonly namespaces: readonly string[] };
  };
  readonly source: SourceRef;
}

/** Where the shared root of trust comes from. */
export interface TrustPlan {
  readonly provider: string;
  /** What the root is: the issuer (`ClusterIssuer mesh-root (cert-manager.io)`), the store and key, or `cacerts created out of band`. */
  readonly root: string;
  readonly source: SourceRef;
}

/** Where remote-cluster credentials come from. */
export interface CredentialsPlan {
  readonly provider: string;
  /** The store and key template, with `external-secrets`. */
  readonly store?: string;
  readonly push?: boolean;
  readonly source: SourceRef;
}

/** GitOps delivery, fleet-wide. */
export interface DeliveryPlan {
  readonly git: { readonly url: string; readonly branch: string; readonly path: string };
  readonly flux?: { readonly mode: string; readonly managementCluster?: string; readonly namespace: string };
  readonly argocd?: { readonly namespace: string; readonly project: string };
  readonly source: SourceRef;
}

/** What one cluster gets. */
export interface ClusterPlan {
  readonly name: string;
  readonly role: 'primary' | 'remote';
  /** A remote's primary. */
  readonly controlPlane?: string;
  /** A primary's remotes, sorted. */
  readonly remotes: readonly string[];
  readonly network: string;
  readonly region: string;
  readonly zones: readonly string[];
  readonly source: SourceRef;
  /** Helm values of the Istio charts, exactly as rendered. */
  readonly helmValues: {
    readonly base: HelmValues;
    readonly istiod: HelmValues;
    readonly canaryIstiod?: HelmValues;
    readonly eastWestGateway?: HelmValues;
  };
  /** The east-west gateway, when the cluster runs one. */
  readonly eastWestGateway?: EastWestGatewayPlan;
  /** Istio `Gateway`s in the cluster's `mesh` layer (`cross-network-gateway`, `istiod-gateway`), sorted. */
  readonly gateways: readonly string[];
  /** Application namespaces created (and labelled for injection) in the cluster, sorted. */
  readonly namespaces: readonly string[];
  /** Services that run here, are called from here, or whose config this primary carries; sorted by key. */
  readonly services: readonly ServicePlan[];
  /** Namespace-wide Sidecars this primary carries, sorted by namespace. */
  readonly sidecars: readonly SidecarPlan[];
  readonly trust: ClusterTrustPlan;
  readonly credentials: ClusterCredentialsPlan;
  readonly delivery: ClusterDeliveryPlan;
}

/** A cluster's east-west gateway. */
export interface EastWestGatewayPlan {
  readonly serviceType: EastWestGatewayServiceType;
  readonly address?: string;
  /** Whether the cloud provisions a load balancer for it. */
  readonly loadBalancer: boolean;
  readonly because: readonly Reason[];
}

/** A service as one cluster sees it. */
export interface ServicePlan {
  /** `<namespace>/<name>`. */
  readonly key: string;
  readonly host: string;
  readonly ports: readonly { readonly name: string; readonly number: number; readonly protocol: string }[];
  readonly source: SourceRef;
  /** Whether the service's workloads run in this cluster. */
  readonly runsHere: boolean;
  readonly clusterLocal: boolean;
  /** Clusters that run the service, sorted. */
  readonly runsIn: readonly string[];
  /** Names of the DestinationRule's subsets (per routed cluster, per version), in the rule's order. */
  readonly subsets: readonly string[];
  /** Percent per subset of the VirtualService's routes, sorted by subset; absent when traffic is not split. */
  readonly weights?: Readonly<Record<string, number>>;
  /** `from -> to` region failover, in author order. */
  readonly failover: readonly string[];
  readonly failoverPriority: readonly string[];
  /** `<name>.<namespace>.global`, when the service answers to it. */
  readonly globalAlias?: string;
  /** Declared callers whose workloads run in this cluster, in author order. */
  readonly callersHere: readonly CallerPlan[];
  /** What this primary carries for the service (absent in a remote, and in a primary that carries nothing for it). */
  readonly config?: ServiceConfigPlan;
  readonly because: readonly Reason[];
}

/** A declared caller. */
export interface CallerPlan {
  /** `<namespace>/<serviceAccount>`. */
  readonly identity: string;
  readonly source: SourceRef;
}

/** The Istio objects a primary carries for a service. */
export interface ServiceConfigPlan {
  readonly destinationRule: boolean;
  readonly virtualService: boolean;
  readonly globalAlias: boolean;
  /** Principals the `AuthorizationPolicy` allows, when the primary carries one. */
  readonly allowedPrincipals?: readonly string[];
  /** `exportTo` of the routing objects, sorted. */
  readonly exportTo: readonly string[];
}

/** A namespace-wide `Sidecar`. */
export interface SidecarPlan {
  readonly namespace: string;
  /** Egress hosts besides the root namespace, sorted. */
  readonly hosts: readonly string[];
  /** The callers whose declarations put it there. */
  readonly because: readonly Reason[];
}

/** Trust objects in one cluster. */
export interface ClusterTrustPlan {
  /** How `cacerts` comes into being here (primaries only): `Certificate`, `ExternalSecret <key>`, `existing`. */
  readonly cacerts?: string;
}

/** Remote-cluster credentials in one cluster. */
export interface ClusterCredentialsPlan {
  /** Clusters this primary's istiod reads (one remote secret each), sorted. */
  readonly reads: readonly string[];
  /** Primaries that read this cluster (it publishes a reader token for them), sorted. */
  readonly readBy: readonly string[];
  /** Whether remote secrets are generated (ExternalSecrets) rather than created out of band. */
  readonly generatedRemoteSecrets: boolean;
  /** Whether the reader token is pushed to the store. */
  readonly pushesReaderToken: boolean;
}

/** How one cluster's layers are delivered. */
export interface ClusterDeliveryPlan {
  /** The cluster whose Flux applies this cluster's layers. */
  readonly fluxHost?: string;
  /** Whether Argo CD applies this cluster (through its API server). */
  readonly argocdServer?: string;
}

/** Key of a service (`<namespace>/<name>`). */
export function serviceKey(service: { readonly namespace: string; readonly name: string }): string {
  return `${service.namespace}/${service.name}`;
}

/** The {@link SourceRef} of a service. */
export function serviceRef(service: { readonly namespace: string; readonly name: string }): SourceRef {
  return `services[${serviceKey(service)}]`;
}

/** Builds the fleet's model (see the file comment). Pure. */
export function planFleet(topology: Topology, facts: MeshFacts = new MeshFacts(topology)): FleetPlan {
  const placement = facts.servicePlacement;
  const eastWest = facts.eastWestPlacement;
  const { mesh, trust, credentials, delivery } = topology;

  const plan: FleetPlan = {
    apiVersion: PLAN_API_VERSION,
    kind: PLAN_KIND,
    mesh: {
      id: mesh.id,
      trustDomain: mesh.trustDomain,
      istio: {
        version: mesh.istio.version,
        ...(mesh.istio.revision ? { revision: mesh.istio.revision } : {}),
        chartRepository: mesh.istio.chartRepository,
        ...(mesh.istio.canary ? { canary: { ...mesh.istio.canary, namespaces: [...mesh.istio.canary.namespaces] } } : {}),
      },
      source: 'mesh',
    },
    trust: { provider: trust.provider, root: trustRoot(topology), source: 'trust' },
    credentials: {
      provider: credentials.provider,
      ...(credentials.externalSecrets
        ? { store: `${credentials.externalSecrets.store.kind} ${credentials.externalSecrets.store.name} key ${credentials.externalSecrets.key}`, push: credentials.externalSecrets.push }
        : {}),
      source: 'credentials',
    },
    delivery: {
      git: { ...delivery.git },
      ...(delivery.flux
        ? { flux: { mode: delivery.flux.mode, ...(delivery.flux.managementCluster ? { managementCluster: delivery.flux.managementCluster } : {}), namespace: delivery.flux.namespace } }
        : {}),
      ...(delivery.argocd ? { argocd: { namespace: delivery.argocd.namespace, project: delivery.argocd.project } } : {}),
      source: 'delivery',
    },
    clusters: topology.clusters.map((cluster) => planCluster(facts, placement, eastWest, cluster)),
  };
  return deepFreeze(plan);
}

function planCluster(facts: MeshFacts, placement: ServicePlacement, eastWest: EastWestPlacement, cluster: Cluster): ClusterPlan {
  const { topology } = facts;
  const isPrimary = cluster.role === 'primary';
  const values = controlPlaneValues(facts, cluster);
  const served = new Set([cluster.name, ...(isPrimary ? facts.remotesOf(cluster.name).map((r) => r.name) : [])]);

  const gateways: string[] = [];
  if (isPrimary && eastWest.carriesCrossNetworkGateway(cluster.name)) gateways.push('cross-network-gateway');
  if (servesRemotes(facts, cluster)) gateways.push('istiod-gateway');

  const es = topology.credentials.provider === 'external-secrets' ? topology.credentials.externalSecrets : undefined;
  const readBy = readersOf(facts.primaries, cluster).map((c) => c.name);
  const cacerts = runsIstiodCa(cluster) ? cacertsSource(topology, cluster.name) : undefined;

  return {
    name: cluster.name,
    role: cluster.role,
    ...(cluster.controlPlane ? { controlPlane: cluster.controlPlane } : {}),
    remotes: facts.remotesOf(cluster.name).map((r) => r.name),
    network: cluster.network,
    region: cluster.region,
    zones: [...cluster.zones],
    source: `clusters[${cluster.name}]`,
    helmValues: plain({
      base: values.base,
      istiod: values.istiod,
      ...(values.canaryIstiod ? { canaryIstiod: values.canaryIstiod } : {}),
      ...(values.eastWestGateway ? { eastWestGateway: values.eastWestGateway } : {}),
    }),
    ...(values.eastWestGateway ? { eastWestGateway: eastWestGatewayPlan(facts, eastWest, cluster) } : {}),
    gateways,
    namespaces: [...placement.appNamespacesIn(cluster.name)],
    services: servicesIn(facts, placement, cluster, served),
    sidecars: isPrimary ? sidecarsIn(placement, cluster.name, served) : [],
    trust: cacerts ? { cacerts } : {},
    credentials: {
      reads: clustersReadBy(topology.clusters, cluster).map((c) => c.name),
      readBy,
      generatedRemoteSecrets: es !== undefined && isPrimary,
      pushesReaderToken: es?.push === true && readBy.length > 0,
    },
    delivery: {
      ...(topology.delivery.flux ? { fluxHost: fluxHost(facts, cluster.name) } : {}),
      ...(topology.delivery.argocd && cluster.apiServer ? { argocdServer: cluster.apiServer } : {}),
    },
  };
}

function fluxHost(facts: MeshFacts, cluster: string): string {
  const flux = facts.topology.delivery.flux;
  return flux?.mode === 'management' && flux.managementCluster ? flux.managementCluster : cluster;
}

function eastWestGatewayPlan(facts: MeshFacts, eastWest: EastWestPlacement, cluster: Cluster): EastWestGatewayPlan {
  const because: Reason[] = [];
  for (const remote of facts.remotesOf(cluster.name)) {
    because.push({ text: `remote ${remote.name} reaches istiod through it (15012/15017)`, source: `clusters[${remote.name}].controlPlane` });
  }
  const call = eastWest.crossNetworkCallTo(cluster.name);
  if (call) {
    because.push({
      text: `${serviceKey(call.service)} runs here and is called from ${call.caller.name} on network ${call.caller.network} (15443)`,
      source: serviceRef(call.service),
    });
  }
  const { serviceType, address } = cluster.eastWestGateway;
  return { serviceType, ...(address ? { address } : {}), loadBalancer: serviceType === 'LoadBalancer', because };
}

function servicesIn(facts: MeshFacts, placement: ServicePlacement, cluster: Cluster, served: ReadonlySet<string>): ServicePlan[] {
  const { trustDomain } = facts.topology.mesh;
  const isPrimary = cluster.role === 'primary';
  const routed = new Set(isPrimary ? placement.routedIn(cluster.name) : []);
  const guarded = new Set(isPrimary ? placement.guardedIn(cluster.name) : []);
  const plans: ServicePlan[] = [];
  // Services are sorted by namespace, then name, so the list is sorted by key.
  for (const service of facts.topology.services) {
    const runsHere = service.runsIn.includes(cluster.name);
    const callersHere: CallerPlan[] = [];
    service.consumers.forEach((c, i) => {
      if (c.clusters.includes(cluster.name)) callersHere.push({ identity: `${c.namespace}/${c.serviceAccount}`, source: `${serviceRef(service)}.consumers[${i}]` });
    });
    const carried = routed.has(service) || guarded.has(service);
    if (!runsHere && !callersHere.length && !carried) continue;
    const exportTo = placement.exportTo(service);
    const routing = serviceRouting(service);
    plans.push({
      key: serviceKey(service),
      host: serviceHost(service),
      ports: service.ports.map((p) => ({ name: p.name, number: p.number, protocol: p.protocol })),
      source: serviceRef(service),
      runsHere,
      clusterLocal: service.clusterLocal,
      runsIn: [...service.runsIn],
      subsets: routing.subsets.map((r) => r.name),
      ...(routing.weights ? { weights: sortedRecord(routing.weights) } : {}),
      failover: service.failover.map((f) => `${f.from} -> ${f.to}`),
      failoverPriority: [...service.failoverPriority],
      ...(service.globalAlias ? { globalAlias: globalAliasHost(service) } : {}),
      callersHere,
      ...(carried
        ? {
            config: {
              destinationRule: routed.has(service),
              virtualService: routed.has(service) && routing.weights !== undefined,
              globalAlias: routed.has(service) && service.globalAlias,
              ...(guarded.has(service) ? { allowedPrincipals: service.consumers.map((c) => principal(trustDomain, c.namespace, c.serviceAccount)) } : {}),
              exportTo: [...exportTo],
            },
          }
        : {}),
      because: serviceReasons(service, served, cluster),
    });
  }
  return plans;
}

/** Why a service is in a cluster: where it runs and who calls it, among the clusters `served`. */
function serviceReasons(service: MeshService, served: ReadonlySet<string>, cluster: Cluster): Reason[] {
  const reasons: Reason[] = [];
  const ref = serviceRef(service);
  const where = (name: string) => (name === cluster.name ? `in ${name}` : `in ${name} (a remote of ${cluster.name})`);
  for (const name of service.runsIn) if (served.has(name)) reasons.push({ text: `runs ${where(name)}`, source: `${ref}.runsIn` });
  service.consumers.forEach((c, i) => {
    const here = c.clusters.filter((name) => served.has(name));
    if (here.length) reasons.push({ text: `consumer ${c.namespace}/${c.serviceAccount} runs ${here.map(where).join(', ')}`, source: `${ref}.consumers[${i}]` });
  });
  return reasons;
}

function sidecarsIn(placement: ServicePlacement, primary: string, served: ReadonlySet<string>): SidecarPlan[] {
  const sidecars: SidecarPlan[] = [];
  for (const { namespace, services } of placement.consumerNamespacesIn(primary)) {
    if (namespace === MESH_ROOT_NAMESPACE) continue;
    const hosts = new Set<string>();
    const because: Reason[] = [];
    for (const service of services) {
      hosts.add(`${service.namespace}/${serviceHost(service)}`);
      if (service.globalAlias && !service.clusterLocal) hosts.add(`${service.namespace}/${globalAliasHost(service)}`);
      service.consumers.forEach((c, i) => {
        if (c.namespace === namespace && c.clusters.some((name) => served.has(name))) {
          because.push({ text: `consumer ${c.namespace}/${c.serviceAccount} calls ${serviceKey(service)}`, source: `${serviceRef(service)}.consumers[${i}]` });
        }
      });
    }
    sidecars.push({ namespace, hosts: [...hosts].sort(), because });
  }
  return sidecars;
}

function trustRoot(topology: Topology): string {
  const { trust } = topology;
  if (trust.provider === 'cert-manager' && trust.certManager) {
    const { issuer } = trust.certManager;
    return `${issuer.kind} ${issuer.name} (${issuer.group})`;
  }
  if (trust.provider === 'external-secrets' && trust.externalSecrets) {
    const { store, key } = trust.externalSecrets;
    return `${store.kind} ${store.name} key ${key}`;
  }
  return 'cacerts created out of band';
}

function cacertsSource(topology: Topology, cluster: string): string {
  const { trust } = topology;
  if (trust.provider === 'cert-manager') return 'Certificate';
  if (trust.provider === 'external-secrets' && trust.externalSecrets) return `ExternalSecret ${storeKey(trust.externalSecrets.key, cluster)}`;
  return 'existing';
}

function sortedRecord(record: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A deep copy through JSON: plain objects only, `undefined` dropped. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * The stored form of a plan: JSON with keys sorted at every level, two-space indented,
 * newline-terminated. Same plan, same bytes.
 */
export function serializePlan(plan: FleetPlan): string {
  return `${JSON.stringify(sortKeys(plan), null, 2)}\n`;
}

/** Recursively sorts object keys (arrays keep their order). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
