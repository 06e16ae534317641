/**
 * `meshfleet plan`: the new topology's model and output compared with what was there before.
 * Pure: the caller reads the files (src/plan-sources.ts) and prints the result.
 */
import { diffPlans } from './diff';
import { findDisruptions } from './guard-rails';
import { FleetPlan, PLAN_API_VERSION, PLAN_FILE, PLAN_KIND, planFleet } from './model';
import { diffTrees, explainObjects } from './objects';
import { hasChanges, PLAN_EXIT, PlanFormat, PlanResult, renderPlan } from './report';
import { SourceLocator } from './source-locator';
import { synthesizeFleet } from '../clusters/fleet';
import { MANIFEST, MARKER_DIR, parseManifest } from '../src/publish-marker';
import { parseTopology } from '../topology';
import { NO_INPUTS, TopologyInputs } from '../topology/inputs';

/** What was there before. */
export interface PlanBaseline {
  /** For reports: `dist/`, `git:main:dist/`. */
  readonly label: string;
  /** The previous output tree (relative path -> content); empty when there was none. */
  readonly tree: ReadonlyMap<string, string>;
  /** The previous topology's text, used when the tree holds no stored model. */
  readonly topologyText?: string;
  /** The files the previous topology refers to (values files, patches, objects). */
  readonly topologyInputs?: TopologyInputs;
}

/** Inputs of {@link planCommand}. */
export interface PlanCommandInput {
  readonly topologyText: string;
  /** The topology's file name, for locations. */
  readonly topologyFile: string;
  /** The files the topology refers to (values files, patches, objects), read by the caller. */
  readonly topologyInputs?: TopologyInputs;
  readonly baseline: PlanBaseline;
  readonly format: PlanFormat;
  /** `disruptive`: exit {@link PLAN_EXIT.disruptive} on an unacknowledged disruptive change. */
  readonly failOn?: 'disruptive';
  /** `<code>:<subject>` lines (see guard-rails.ts). */
  readonly acknowledgements?: readonly string[];
}

/** Output and exit code of a plan. */
export interface PlanCommandOutput {
  readonly output: string;
  readonly code: number;
  readonly result: PlanResult;
}

/**
 * Plans the topology against the baseline.
 * @throws TopologyError when the new topology (or the baseline's, when it must be planned) is invalid
 */
export function planCommand(input: PlanCommandInput): PlanCommandOutput {
  const topology = parseTopology(input.topologyText, input.topologyFile, input.topologyInputs ?? NO_INPUTS);
  const tree = synthesizeFleet(topology);
  const plan = JSON.parse(tree.get(PLAN_FILE)!) as FleetPlan;
  const before = baselinePlan(input.baseline);
  // The new model is read back from its stored form; a baseline planned from its topology is not.
  const diff = diffPlans(before, plan, input.baseline.tree.has(PLAN_FILE));
  const disruptions = findDisruptions(diff, before, plan, input.acknowledgements);
  const objects = explainObjects(diffTrees(ownedFiles(input.baseline.tree), tree, diff.renames), plan, before);
  const result: PlanResult = { diff, disruptions, objects, against: input.baseline.label, plan };
  const locator = new SourceLocator(input.topologyText, input.topologyFile);
  const output = renderPlan(result, input.format, locator);
  let code: number = hasChanges(result) ? PLAN_EXIT.changed : PLAN_EXIT.unchanged;
  if (input.failOn === 'disruptive' && disruptions.some((d) => !d.acknowledged)) code = PLAN_EXIT.disruptive;
  return { output, code, result };
}

/** The baseline's model: stored beside its output, else planned from its topology, else none. */
export function baselinePlan(baseline: PlanBaseline): FleetPlan | undefined {
  const stored = baseline.tree.get(PLAN_FILE);
  if (stored !== undefined) {
    let parsed: Partial<FleetPlan>;
    try {
      parsed = JSON.parse(stored) as Partial<FleetPlan>;
    } catch (e) {
      throw new PlanInputError(`${baseline.label}${PLAN_FILE}: not valid JSON (${(e as Error).message}); re-synthesize the baseline or use --against-ref`);
    }
    if (parsed.kind !== PLAN_KIND || parsed.apiVersion !== PLAN_API_VERSION || !Array.isArray(parsed.clusters)) {
      throw new PlanInputError(`${baseline.label}${PLAN_FILE}: not a ${PLAN_KIND} ${PLAN_API_VERSION} (got kind ${JSON.stringify(parsed.kind)}, apiVersion ${JSON.stringify(parsed.apiVersion)}); re-synthesize the baseline with this meshfleet`);
    }
    return parsed as FleetPlan;
  }
  if (baseline.topologyText !== undefined) return planFleet(parseTopology(baseline.topologyText, `${baseline.label} topology`, baseline.topologyInputs ?? NO_INPUTS));
  return undefined;
}

/** A baseline that cannot be read. */
export class PlanInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanInputError';
  }
}

/**
 * The files of an output tree that meshfleet wrote: those its publish marker lists (files of
 * your own in the output directory are not meshfleet's to plan), never the marker itself.
 */
export function ownedFiles(tree: ReadonlyMap<string, string>): ReadonlyMap<string, string> {
  const manifest = tree.get(MANIFEST);
  const listed = manifest === undefined ? undefined : new Set(parseManifest(manifest));
  return new Map([...tree].filter(([file]) => !file.startsWith(`${MARKER_DIR}/`) && (!listed || listed.has(file))));
}
