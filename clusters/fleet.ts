/**
 * The whole fleet: one {@link ClusterStack} per cluster, plus fleet-wide delivery objects.
 */
import { App } from 'cdk8s';
import { ClusterStack } from './cluster-stack';
import { applyCustomizations } from './customizations';
import { addDelivery } from './delivery';
import { APPLIED_LAYERS } from '../src/layer-chart';
import { OutputTree, renderTree } from '../src/output';
import { renderFiles } from '../src/render';
import { YamlEmitter } from '../src/yaml-emitter';
import { fluxHostCluster } from '../constructs/flux-kubeconfig';
import { meshDocument, PICTURE_FILE } from '../plan/picture';
import { FleetPlan, planFleet, PLAN_FILE, serializePlan } from '../plan/model';
import { VERIFY_FILE, verifyScript } from '../plan/verify-script';
import { MeshFacts, Problem, Topology, TopologyError } from '../topology';

/** A built (not yet written) fleet. */
export interface Fleet {
  /** The app holding every chart (cluster layers and fleet-wide delivery directories). */
  readonly app: App;
  /** One stack per cluster, in topology order. */
  readonly stacks: readonly ClusterStack[];
  /** The facts the stacks were built from. */
  readonly facts: MeshFacts;
  /** The fleet's model, planned first; the stacks render from it. */
  readonly plan: FleetPlan;
}

/** Options of {@link buildFleet}. */
export interface BuildFleetOptions {
  /**
   * Called with each cluster's stack once meshfleet's objects are in it: library users add
   * their own constructs to a layer here (`stack.layer('mesh')`), before delivery wiring
   * counts the layers and before own objects are checked against generated ones.
   * @default - nothing is added
   */
  readonly customize?: (stack: ClusterStack) => void;
  /**
   * Build only these clusters (with the fleet-wide files): what `synth` does when the other
   * clusters' output is unchanged. Needs `layersOf` for every other cluster a Flux host syncs,
   * and a topology without fleet-wide patches (which must match in some cluster).
   * @default - every cluster
   */
  readonly clusters?: ReadonlySet<string>;
  /**
   * The applied layers holding objects of clusters not built (as recorded when they were).
   * @default - none
   */
  readonly layersOf?: ReadonlyMap<string, readonly string[]>;
  /** The topology's facts, when already computed. @default - computed from the topology */
  readonly facts?: MeshFacts;
  /** The topology's plan, when already computed. @default - planned from the topology */
  readonly plan?: FleetPlan;
}

/**
 * Builds the cdk8s app for a validated topology. Pure: reads no files, env or clock.
 * @throws TopologyError when an own object collides with a generated one or a patch targets nothing
 */
export function buildFleet(topology: Topology, options: BuildFleetOptions = {}): Fleet {
  const app = new App({ outdir: '.cdk8s.out' });
  const facts = options.facts ?? new MeshFacts(topology);
  const plan = options.plan ?? planFleet(topology, facts);
  const only = options.clusters;
  if (only && topology.mesh.patches.length) throw new Error('buildFleet: a topology with fleet-wide patches builds every cluster');
  const stacks = topology.clusters.flatMap((cluster, i) => (!only || only.has(cluster.name) ? [new ClusterStack(app, cluster.name, { facts, cluster, plan: plan.clusters[i] })] : []));
  if (options.customize) for (const stack of stacks) options.customize(stack);
  // Last: delivery wiring depends on which layer directories the stacks filled.
  addDelivery(app, facts, stacks, options.layersOf);
  applyCustomizations(stacks);
  return { app, stacks, facts, plan };
}

/**
 * Synthesizes a validated topology into the output tree (relative path → content): every
 * cluster's layers and documents, plus at the root the fleet's model ({@link PLAN_FILE}, which
 * `meshfleet plan` reads back), its picture ({@link PICTURE_FILE}) and the script that verifies
 * a running fleet against it ({@link VERIFY_FILE}).
 */
export function synthesizeFleet(topology: Topology, options: BuildFleetOptions = {}): OutputTree {
  return synthesizeFleetWithLayers(topology, options).tree;
}

/**
 * {@link synthesizeFleet}, also returning the applied layers that hold objects, per cluster
 * built (what a Flux host's wiring reads; `synth` records it for clusters it may skip later).
 */
export function synthesizeFleetWithLayers(topology: Topology, options: BuildFleetOptions = {}): { tree: OutputTree; layers: Map<string, string[]> } {
  // A library user's constructs and fleet-wide patches see the whole fleet in one app.
  if (options.customize || topology.mesh.patches.length) return synthesizeInOneApp(topology, options);
  const facts = options.facts ?? new MeshFacts(topology);
  const plan = options.plan ?? planFleet(topology, facts);
  const files: Array<[string, string]> = [];
  const sink = (file: string, content: string) => files.push([file, content]);
  const yaml = new YamlEmitter();
  const layers = new Map<string, string[]>();
  const known = new Map<string, readonly string[]>(options.layersOf ?? []);
  const { delivery } = topology;
  // A Flux host lists the layer directories of the clusters it syncs: it is built after them.
  const hosts = new Set(delivery.flux ? topology.clusters.map((c) => fluxHostCluster(delivery, c.name)).filter((h, i) => h !== topology.clusters[i].name) : []);
  const wanted = topology.clusters.map((cluster, i) => ({ cluster, plan: plan.clusters[i] })).filter(({ cluster }) => !options.clusters || options.clusters.has(cluster.name));
  const problems: Problem[] = [];
  const finish = (app: App, stack: ClusterStack) => {
    addDelivery(app, facts, [stack], known, { roots: false });
    try {
      applyCustomizations([stack]);
    } catch (e) {
      if (!(e instanceof TopologyError)) throw e;
      problems.push(...e.problems);
      return;
    }
    renderFiles(app, APPLIED_LAYERS, stack.files, sink, yaml);
  };
  // One app per cluster, rendered and dropped in turn: the whole construct tree is never held
  // at once. Clusters are built in topology order; a Flux host is finished after the others.
  const pending: Array<[App, ClusterStack]> = [];
  for (const { cluster, plan: clusterPlan } of wanted) {
    const app = new App({ outdir: '.cdk8s.out' });
    const stack = new ClusterStack(app, cluster.name, { facts, cluster, plan: clusterPlan });
    const filled = APPLIED_LAYERS.filter((l) => stack.hasObjects(l));
    layers.set(cluster.name, filled);
    known.set(cluster.name, filled);
    if (hosts.has(cluster.name)) pending.push([app, stack]);
    else finish(app, stack);
  }
  for (const [app, stack] of pending) finish(app, stack);
  if (problems.length) throw new TopologyError(problems[0].file ?? 'topology', problems);
  const fleetApp = new App({ outdir: '.cdk8s.out' });
  addDelivery(fleetApp, facts, [], known, { roots: true });
  renderFiles(fleetApp, APPLIED_LAYERS, fleetDocuments(plan), sink, yaml);
  return { tree: new Map(files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), layers };
}

/** The fleet's model, its picture and the verify script: the fleet-wide documents at the root. */
function fleetDocuments(plan: FleetPlan): Map<string, string> {
  return new Map<string, string>([
    [PLAN_FILE, serializePlan(plan)],
    [PICTURE_FILE, meshDocument(plan)],
    [VERIFY_FILE, verifyScript(plan)],
  ]);
}

/** {@link synthesizeFleetWithLayers} with every cluster in one app (see {@link buildFleet}). */
function synthesizeInOneApp(topology: Topology, options: BuildFleetOptions): { tree: OutputTree; layers: Map<string, string[]> } {
  const fleet = buildFleet(topology, options);
  const documents = fleetDocuments(fleet.plan);
  for (const stack of fleet.stacks) for (const [file, content] of stack.files) documents.set(file, content);
  const layers = new Map(fleet.stacks.map((s) => [s.cluster.name, APPLIED_LAYERS.filter((l) => s.hasObjects(l))]));
  return { tree: renderTree(fleet.app, APPLIED_LAYERS, documents), layers };
}
