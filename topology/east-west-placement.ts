/**
 * Which clusters run the east-west gateway, computed once per fleet ({@link MeshFacts.eastWestPlacement})
 * and once per load, for the rules, from the draft.
 *
 * A cluster runs the gateway when something outside its network must come in through it:
 * - a primary that serves remotes: they reach its istiod on 15012/15017 through it;
 * - a cluster that runs a (not cluster-local) service some cluster on another network calls:
 *   istiod sends those callers to a gateway of the endpoints' network, preferring one in the
 *   endpoints' own cluster.
 * Every other cluster (one that only calls, or serves only its own network) gets no gateway,
 * and no Internet-facing load balancer.
 *
 * Building the index walks every service's `runsIn` and its callers' clusters once: linear in
 * clusters + services + consumer clusters. Every lookup afterwards is a map access.
 * @see https://istio.io/latest/docs/ops/deployment/deployment-models/#multiple-networks
 * @see https://istio.io/latest/docs/setup/install/multicluster/primary-remote_multi-network/
 */
import type { MeshFacts } from './facts';
import { Cluster, MeshService } from './types';

/** What the placement reads of a service. */
export type PlacedService = Pick<MeshService, 'name' | 'namespace' | 'runsIn' | 'clusterLocal'>;

/** Why a cluster serves another network: a service it runs, and one caller on another network. */
export interface CrossNetworkCall {
  /** The service the cluster runs. */
  readonly service: PlacedService;
  /** A cluster on another network that calls it. */
  readonly caller: Cluster;
}

/** The east-west gateway placement of a fleet (see the file comment). */
export class EastWestPlacement {
  /**
   * The placement of any set of clusters and services (the loader's rules build one from the draft).
   * @param clusters the clusters, one per name
   * @param services the services
   * @param callersOf the clusters a service's consumers run in (names of unknown clusters are ignored)
   */
  public static build<S extends PlacedService>(
    clusters: Iterable<Cluster>,
    services: Iterable<S>,
    callersOf: (service: S) => Iterable<string>,
  ): EastWestPlacement {
    return new EastWestPlacement(clusters, services, callersOf as (service: PlacedService) => Iterable<string>);
  }

  /** Whether the clusters span more than one network. */
  public readonly multiNetwork: boolean;
  /** Clusters that run the east-west gateway, sorted. */
  public readonly clusters: readonly string[];

  private readonly crossNetwork = new Map<string, CrossNetworkCall>();
  private readonly gateways: ReadonlySet<string>;
  private readonly crossNetworkGateways = new Set<string>();

  private constructor(clusters: Iterable<Cluster>, services: Iterable<PlacedService>, callersOf: (service: PlacedService) => Iterable<string>) {
    const byName = new Map<string, Cluster>();
    for (const cluster of clusters) byName.set(cluster.name, cluster);
    this.multiNetwork = new Set([...byName.values()].map((c) => c.network)).size > 1;

    const remoteServers = new Set<string>();
    for (const cluster of byName.values()) {
      const primary = cluster.role === 'remote' && cluster.controlPlane ? byName.get(cluster.controlPlane) : undefined;
      if (primary?.role === 'primary') remoteServers.add(primary.name);
    }

    if (this.multiNetwork) {
      for (const service of services) {
        if (service.clusterLocal) continue;
        // The first caller, and the first caller on a network other than the first's: whatever
        // a serving cluster's network, one of the two is on another network, if any caller is.
        let first: Cluster | undefined;
        let other: Cluster | undefined;
        for (const name of callersOf(service)) {
          const caller = byName.get(name);
          if (!caller) continue;
          if (!first) first = caller;
          else if (caller.network !== first.network) {
            other = caller;
            break;
          }
        }
        if (!first) continue;
        for (const name of service.runsIn) {
          const server = byName.get(name);
          if (!server || this.crossNetwork.has(name)) continue;
          const caller = first.network !== server.network ? first : other;
          if (caller) this.crossNetwork.set(name, { service, caller });
        }
      }
    }

    this.gateways = new Set([...remoteServers, ...this.crossNetwork.keys()]);
    this.clusters = [...this.gateways].sort();
    if (this.multiNetwork) {
      for (const name of this.gateways) {
        const cluster = byName.get(name)!;
        this.crossNetworkGateways.add(cluster.role === 'remote' && cluster.controlPlane ? cluster.controlPlane : name);
      }
    }
  }

  /** Whether a cluster runs the east-west gateway. */
  public runsGateway(cluster: string): boolean {
    return this.gateways.has(cluster);
  }

  /** A call from another network into a service the cluster runs, if there is one. */
  public crossNetworkCallTo(cluster: string): CrossNetworkCall | undefined {
    return this.crossNetwork.get(cluster);
  }

  /**
   * Whether a primary carries `Gateway cross-network-gateway`: in a multi-network mesh, when it
   * or one of its remotes runs the east-west gateway. Its istiod configures those gateway pods,
   * and istiod may send any network's callers to any gateway of the endpoints' network (it
   * prefers the endpoints' cluster, and falls back to the network's other gateways), so every
   * east-west gateway of a multi-network mesh must accept 15443.
   */
  public carriesCrossNetworkGateway(primary: string): boolean {
    return this.crossNetworkGateways.has(primary);
  }
}
