/**
 * Every cluster of the mesh, rendered into the caller's cdk8s app.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Topology } from '../topology';
import { MESH_LAYERS, MeshCluster, MeshLayer } from './mesh-cluster';

/** Properties of a {@link MeshFleet}. */
export interface MeshFleetProps {
  /** A validated topology (see `validateTopologyFile`). */
  readonly topology: Topology;
  /**
   * Picks a chart of yours for a cluster's layer; return `undefined` to let meshfleet create
   * one. `istioctl` renders only for clusters you return a chart for (see {@link MeshCluster}).
   * @default - a new chart `<cluster>/<layer>` under this construct per cluster and layer
   */
  readonly charts?: (cluster: string, layer: MeshLayer) => Chart | undefined;
}

/**
 * One {@link MeshCluster} per cluster of the topology (construct id: the cluster name), in
 * the topology's order. Cross-cluster facts (remote secrets, east-west gateways, global
 * services) come from the whole topology, so each cluster renders the same objects as
 * `meshfleet synth` writes for it.
 */
export class MeshFleet extends Construct {
  private readonly byName = new Map<string, MeshCluster>();

  constructor(scope: Construct, id: string, props: MeshFleetProps) {
    super(scope, id);
    for (const { name } of props.topology.clusters) {
      const charts: { [layer in MeshLayer]?: Chart } = {};
      for (const layer of MESH_LAYERS) {
        const chart = props.charts?.(name, layer);
        if (chart) charts[layer] = chart;
      }
      this.byName.set(name, new MeshCluster(this, name, { topology: props.topology, cluster: name, charts }));
    }
  }

  /** The clusters, in the topology's order. */
  public get clusters(): readonly MeshCluster[] {
    return [...this.byName.values()];
  }

  /** One cluster by name; throws when the topology has no such cluster. */
  public cluster(name: string): MeshCluster {
    const found = this.byName.get(name);
    if (!found) throw new Error(`MeshFleet: no cluster "${name}" in the topology; use one of ${[...this.byName.keys()].sort().join(', ')}`);
    return found;
  }
}
