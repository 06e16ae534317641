/**
 * Cross-cluster facts computed once from a topology, so constructs never scan the fleet.
 *
 * Every lookup here is a map access; building the indexes is linear in the number of
 * clusters. Constructs receive the facts they need as typed values.
 */
import { EastWestPlacement } from './east-west-placement';
import { ServicePlacement } from './service-placement';
import { Cluster, Topology } from './types';

/** Indexed views of a {@link Topology}. */
export class MeshFacts {
  /** Clusters by name. */
  public readonly clusters: ReadonlyMap<string, Cluster>;
  /** Primary clusters, sorted by name. */
  public readonly primaries: readonly Cluster[];
  /** Distinct networks, sorted. */
  public readonly networks: readonly string[];
  /** Whether the mesh spans more than one network. */
  public readonly multiNetwork: boolean;

  private readonly remotes = new Map<string, Cluster[]>();
  private eastWest?: EastWestPlacement;
  private placement?: ServicePlacement;

  constructor(public readonly topology: Topology) {
    this.clusters = new Map(topology.clusters.map((c) => [c.name, c]));
    this.primaries = topology.clusters.filter((c) => c.role === 'primary');
    this.networks = [...new Set(topology.clusters.map((c) => c.network))].sort();
    this.multiNetwork = this.networks.length > 1;
    for (const c of topology.clusters) {
      if (c.role === 'remote' && c.controlPlane) {
        const list = this.remotes.get(c.controlPlane) ?? [];
        list.push(c);
        this.remotes.set(c.controlPlane, list);
      }
    }
  }

  /**
   * Which clusters run the east-west gateway: built on first use and kept by this instance
   * (one synthesis builds one `MeshFacts`), so every construct and the plan share one index.
   */
  public get eastWestPlacement(): EastWestPlacement {
    this.eastWest ??= EastWestPlacement.build(this.topology.clusters, this.topology.services, (s) => s.consumers.flatMap((c) => c.clusters));
    return this.eastWest;
  }

  /**
   * Which primary carries which service's mesh configuration: built on first use and kept by
   * this instance, like {@link eastWestPlacement}.
   */
  public get servicePlacement(): ServicePlacement {
    this.placement ??= new ServicePlacement(this);
    return this.placement;
  }

  /** The cluster with this name; throws on an unknown name (validated topologies have none). */
  public cluster(name: string): Cluster {
    const found = this.clusters.get(name);
    if (!found) throw new Error(`unknown cluster ${name}`);
    return found;
  }

  /** Remote clusters served by a primary, sorted by name. */
  public remotesOf(primary: string): readonly Cluster[] {
    return this.remotes.get(primary) ?? [];
  }

  /** The primary whose istiod configures this cluster (itself, for a primary). */
  public controlPlaneOf(cluster: Cluster): Cluster {
    return cluster.role === 'primary' ? cluster : this.cluster(cluster.controlPlane!);
  }
}
