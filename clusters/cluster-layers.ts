/**
 * What the per-cluster composition steps (`addControlPlane`, `addClusterSecrets`) add to: one
 * cluster's layers and documents, with the cluster's planned model. An interface of its own so
 * those steps do not depend on {@link ClusterStack} (which calls them).
 */
import type { Construct } from 'constructs';
import type { ClusterPlan } from '../plan/model';
import type { Layer } from '../src/layer-chart';
import type { Cluster, MeshFacts } from '../topology';

/** One cluster's output being composed. */
export interface ClusterLayers {
  readonly cluster: Cluster;
  readonly facts: MeshFacts;
  /** The cluster's planned model (plan/model.ts): what it gets, as flat values. */
  readonly plan: ClusterPlan;
  /** The scope of one of the cluster's layers (created on first use): its chart, or a construct in a chart the caller gave. */
  layer(layer: Layer): Construct;
  /** Adds a non-manifest file (e.g. `SECRETS.md`) to the cluster's directory. */
  addDocument(name: string, content: string): void;
}
