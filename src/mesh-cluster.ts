/**
 * One cluster's share of the mesh, rendered into the caller's cdk8s app.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterStack } from '../clusters/cluster-stack';
import { planFleet } from '../plan/model';
import { MeshFacts, Topology } from '../topology';
import { APPLIED_LAYERS, Layer } from './layer-chart';

/**
 * The layers a {@link MeshCluster} renders, in the order a GitOps tool applies the first
 * five; `istioctl` holds `IstioOperator` files for `istioctl install`, which are never applied.
 * (Flux `Kustomization`s and Argo CD `Application`s are not part of it: they point at the
 * directory layout `meshfleet synth` writes.)
 */
export type MeshLayer = Exclude<Layer, 'flux'>;

/** The {@link MeshLayer}s, in apply order (`istioctl` last). */
export const MESH_LAYERS: readonly MeshLayer[] = ['platform', 'base', 'reader', 'control-plane', 'mesh', 'istioctl'];

/** Where each layer renders: a chart of the caller's, or (omitted) a chart meshfleet creates. */
export type LayerCharts = { readonly [layer in MeshLayer]?: Chart };

/** Properties of a {@link MeshCluster}. */
export interface MeshClusterProps {
  /** A validated topology (see `validateTopologyFile`). */
  readonly topology: Topology;
  /** The name of the cluster to render, as in `clusters[].name`. */
  readonly cluster: string;
  /**
   * Charts of yours to render layers into. Several layers (and several clusters) may share
   * one chart: meshfleet's construct ids inside it are prefixed with `<cluster>-<layer>`.
   *
   * `istioctl` renders only when you give it a chart here; put that chart in an `App` of its
   * own (its own `outdir`), because `IstioOperator` is not a Kubernetes resource to apply.
   * @default - a new chart `<layer>` under this construct for each of `platform`, `base`,
   * `reader`, `control-plane` and `mesh` that has objects; `istioctl` is not rendered
   */
  readonly charts?: LayerCharts;
}

/**
 * Every object one cluster of the mesh needs (namespaces, trust, remote-cluster credentials,
 * Istio Helm releases, east-west gateway, mesh policies and routing), rendered into your app.
 *
 * Use it from your own cdk8s app like any construct library:
 *
 * The layers' charts depend on each other in apply order (`platform` → `base` → `reader` →
 * `control-plane` → `mesh`), so `app.synth()` numbers their files in that order.
 *
 * ```ts
 * const app = new App();
 * const cluster = new MeshCluster(app, 'cluster1', { topology, cluster: 'cluster1' });
 * const mine = new Chart(app, 'my-app');
 * mine.addDependency(cluster.chart('mesh')); // kubectl apply order: yours after the mesh
 * app.synth();
 * ```
 *
 * Objects are exactly those `meshfleet synth` writes into `<cluster>/<layer>/`, without the
 * Flux `Kustomization`s / Argo CD `Application`s that apply those directories.
 */
export class MeshCluster extends ClusterStack {
  constructor(scope: Construct, id: string, props: MeshClusterProps) {
    const facts = new MeshFacts(props.topology);
    const index = props.topology.clusters.findIndex((c) => c.name === props.cluster);
    if (index < 0) {
      throw new Error(`MeshCluster: no cluster "${props.cluster}" in the topology; use one of ${[...facts.clusters.keys()].sort().join(', ')}`);
    }
    const plan = planFleet(props.topology, facts).clusters[index];
    super(scope, id, { facts, cluster: props.topology.clusters[index], plan, charts: { istioctl: null, ...props.charts } });
    // Apply order between the layers' charts (cdk8s orders files and `app.synth()` output by it).
    const applied = APPLIED_LAYERS.filter((l) => this.hasObjects(l)).map((l) => Chart.of(this.layer(l)));
    for (let i = 1; i < applied.length; i++) {
      const [before, after] = [applied[i - 1], applied[i]];
      if (before !== after && before.node.root === after.node.root) after.addDependency(before);
    }
  }

  /** The chart a layer renders into (yours, or the one meshfleet created). */
  public chart(layer: MeshLayer): Chart {
    return Chart.of(this.layer(layer));
  }
}
