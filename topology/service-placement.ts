/**
 * Which primary carries which service's mesh configuration: computed once per fleet
 * ({@link MeshFacts.servicePlacement}).
 *
 * Every primary reads Istio config only from its own API server, and configures its remotes'
 * proxies too, so a service's config must be in each primary whose clusters (itself or its
 * remotes) run the service or call it, and nowhere else. Building the index walks every
 * service's `runsIn` and every consumer's `clusters` once: linear in clusters + services +
 * consumers. Every lookup afterwards is a map access.
 * @see https://istio.io/latest/docs/ops/deployment/deployment-models/#control-plane-models
 */
import type { MeshFacts } from './facts';
import { serviceHost } from './service-hosts';
import { MeshService } from './types';

/** A namespace in which declared callers run, and the services they call. */
export interface ConsumerNamespace {
  readonly namespace: string;
  /** Services called from this namespace, sorted by namespace, then name. */
  readonly services: readonly MeshService[];
}

/**
 * The mesh root namespace (`istio-system`). Callers there are gateways: they get no Sidecar
 * (Sidecar resources do not apply to gateways, and a selector-less one in the root namespace
 * would become every namespace's default), and the namespace is not an application namespace.
 */
export const MESH_ROOT_NAMESPACE = 'istio-system';

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * The per-primary placement of the topology's services (see the file comment).
 *
 * Read it from {@link MeshFacts.servicePlacement}: the facts build it once and hand the same
 * instance to every caller (cluster stacks, Helm values, the plan).
 */
export class ServicePlacement {
  /** Hosts of cluster-local services, sorted (for `meshConfig.serviceSettings`). */
  public readonly clusterLocalHosts: readonly string[];

  private readonly routed = new Map<string, MeshService[]>();
  private readonly guarded = new Map<string, MeshService[]>();
  private readonly consumers = new Map<string, Map<string, Set<MeshService>>>();
  private readonly dnsCapture = new Set<string>();
  /** Namespaces each primary's mesh config is written to. */
  private readonly namespaces = new Map<string, Set<string>>();
  /** Namespaces declared in, run in or called from each cluster. */
  private readonly present = new Map<string, Set<string>>();
  private readonly visibility = new Map<MeshService, readonly string[]>();
  private readonly appNamespaces = new Map<string, readonly string[]>();

  /** Builds the index of a fleet; use {@link MeshFacts.servicePlacement} rather than building another. */
  constructor(facts: MeshFacts) {
    const primaryOf = new Map<string, string>();
    for (const cluster of facts.clusters.values()) {
      primaryOf.set(cluster.name, facts.controlPlaneOf(cluster).name);
      this.present.set(cluster.name, new Set(cluster.namespaces));
    }
    const localHosts: string[] = [];

    // Services are sorted by namespace, then name, so every list built here is sorted too.
    for (const service of facts.topology.services) {
      const runsIn = new Set(service.runsIn);
      const runPrimaries = new Set<string>();
      for (const name of service.runsIn) {
        runPrimaries.add(primaryOf.get(name)!);
        this.present.get(name)!.add(service.namespace);
      }
      for (const primary of runPrimaries) this.add(this.guarded, primary, service);

      const routing = new Set(runPrimaries);
      for (const consumer of service.consumers) {
        for (const name of consumer.clusters) {
          this.present.get(name)!.add(consumer.namespace);
          // A caller of a cluster-local service only reaches replicas in its own cluster.
          if (service.clusterLocal && !runsIn.has(name)) continue;
          const primary = primaryOf.get(name)!;
          routing.add(primary);
          this.addConsumer(primary, consumer.namespace, service);
          // The caller's cluster DNS cannot answer a `.global` name, nor the name of a service
          // that has no Service object in the caller's cluster: the sidecar's DNS proxy can.
          if (!service.clusterLocal && (service.globalAlias || !runsIn.has(name))) this.dnsCapture.add(primary);
        }
      }

      if (service.clusterLocal) {
        localHosts.push(serviceHost(service));
        continue;
      }
      for (const primary of [...routing].sort()) this.add(this.routed, primary, service);
    }
    this.clusterLocalHosts = localHosts.sort();
  }

  /** Global services whose DestinationRule (and VirtualService, alias) this primary carries. */
  public routedIn(primary: string): readonly MeshService[] {
    return this.routed.get(primary) ?? EMPTY;
  }

  /** Services, global or cluster-local, that run in this primary or one of its remotes (their AuthorizationPolicy lives here). */
  public guardedIn(primary: string): readonly MeshService[] {
    return this.guarded.get(primary) ?? EMPTY;
  }

  /** Application namespaces of this primary and its remotes where declared callers run, sorted, with what they call. */
  public consumerNamespacesIn(primary: string): readonly ConsumerNamespace[] {
    const byNamespace = this.consumers.get(primary);
    if (!byNamespace) return EMPTY;
    return [...byNamespace.keys()].sort().map((namespace) => ({ namespace, services: [...byNamespace.get(namespace)!] }));
  }

  /** Whether this primary's proxies need DNS capture (a `.global` alias or a service not running in the caller's cluster is called). */
  public dnsCaptureIn(primary: string): boolean {
    return this.dnsCapture.has(primary);
  }

  /**
   * Application namespaces present in a cluster, sorted: those it declares (`namespaces`), those
   * of the services it runs, those of the consumers that run in it and, in a primary, those its
   * mesh config is written to: they must exist in the primary's API server even when no workload
   * of the primary itself runs there. Not the mesh root namespace, which belongs to the control plane.
   */
  public appNamespacesIn(cluster: string): readonly string[] {
    let names = this.appNamespaces.get(cluster);
    if (!names) {
      const set = new Set([...(this.present.get(cluster) ?? []), ...(this.namespaces.get(cluster) ?? [])]);
      set.delete(MESH_ROOT_NAMESPACE);
      names = [...set].sort();
      this.appNamespaces.set(cluster, names);
    }
    return names;
  }

  /**
   * The namespaces whose proxies must see a service's config (`exportTo`), sorted: its own
   * namespace and its callers' namespaces.
   */
  public exportTo(service: MeshService): readonly string[] {
    let namespaces = this.visibility.get(service);
    if (!namespaces) {
      namespaces = [...new Set([service.namespace, ...service.consumers.map((c) => c.namespace)])].sort();
      this.visibility.set(service, namespaces);
    }
    return namespaces;
  }

  private add(index: Map<string, MeshService[]>, primary: string, service: MeshService): void {
    const list = index.get(primary) ?? [];
    if (list[list.length - 1] !== service) list.push(service);
    index.set(primary, list);
    this.namespace(primary, service.namespace);
  }

  private addConsumer(primary: string, namespace: string, service: MeshService): void {
    if (namespace === MESH_ROOT_NAMESPACE) return;
    let byNamespace = this.consumers.get(primary);
    if (!byNamespace) this.consumers.set(primary, (byNamespace = new Map()));
    let services = byNamespace.get(namespace);
    if (!services) byNamespace.set(namespace, (services = new Set()));
    services.add(service);
    this.namespace(primary, namespace);
  }

  private namespace(primary: string, namespace: string): void {
    let set = this.namespaces.get(primary);
    if (!set) this.namespaces.set(primary, (set = new Set()));
    set.add(namespace);
  }
}
