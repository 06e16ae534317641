/**
 * The whole fleet: one {@link ClusterStack} per cluster, plus fleet-wide delivery objects.
 */
import { App } from 'cdk8s';
import { ClusterStack } from './cluster-stack';
import { addDelivery } from './delivery';
import { APPLIED_LAYERS } from '../src/layer-chart';
import { OutputTree, renderTree } from '../src/output';
import { MeshFacts, Topology } from '../topology';

/** A built (not yet written) fleet. */
export interface Fleet {
  readonly app: App;
  readonly stacks: readonly ClusterStack[];
}

/** Builds the cdk8s app for a validated topology. Pure: reads no files, env or clock. */
export function buildFleet(topology: Topology): Fleet {
  const app = new App({ outdir: '.cdk8s.out' });
  const facts = new MeshFacts(topology);
  const stacks = topology.clusters.map((cluster) => new ClusterStack(app, cluster.name, { facts, cluster }));
  // Last: delivery wiring depends on which layer directories the stacks filled.
  addDelivery(app, facts, stacks);
  return { app, stacks };
}

/** Synthesizes a validated topology into the output tree (relative path → content). */
export function synthesizeFleet(topology: Topology): OutputTree {
  const fleet = buildFleet(topology);
  const documents = new Map<string, string>();
  for (const stack of fleet.stacks) for (const [file, content] of stack.files) documents.set(file, content);
  return renderTree(fleet.app, APPLIED_LAYERS, documents);
}
