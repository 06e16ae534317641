/**
 * `meshfleet check`: every check over an output tree, as one list of findings.
 */
import type { Topology } from '../../topology';
import { fleetFindings } from './fleet-checks';
import { sortFindings, type Finding } from './finding';
import { helmValuesFindings } from './helm-checks';
import { HelmValuesChecker, shippedChartBundle, type ChartBundle } from './helm-values';
import { istioFindings } from './istio-analyzers';
import { meshView } from './mesh-view';
import { outputObjects, type Tree } from './output-objects';
import { shippedSchemaBundle, type SchemaBundle } from './schema-bundle';
import { schemaFindings } from './schema-checks';
import { ManifestValidator } from './schema-validator';
import { staleFindings } from './staleness';

/** What to check. */
export interface CheckInput {
  /** The loaded topology the output was synthesized from. */
  readonly topology: Topology;
  /** The output tree to check (as read from the output directory, or freshly synthesized). */
  readonly output: Tree;
  /**
   * What the topology synthesizes; when given, every file that differs is a finding (MF010).
   * @default - no staleness check (as `synth` does, which checks what it is about to publish)
   */
  readonly expected?: Tree;
  /** Name of the topology file, for messages. @default 'the topology' */
  readonly topologyFile?: string;
  /** Schemas to validate against. @default - the bundle shipped in the package */
  readonly bundle?: SchemaBundle;
  /** A validator to reuse (it keeps compiled schemas) instead of one made from `bundle`. */
  readonly validator?: ManifestValidator;
  /** Istio charts to check Helm values against. @default - the charts shipped in the package */
  readonly charts?: ChartBundle;
}

/** Runs every check and returns the findings, sorted by cluster, file and severity. */
export function runChecks(input: CheckInput): Finding[] {
  const { objects, unreadable } = outputObjects(input.output);
  const validator = input.validator ?? new ManifestValidator(input.bundle ?? shippedSchemaBundle());
  const view = meshView(input.topology, objects);
  const clusters = [...view.byCluster.keys()].sort();
  return sortFindings([
    ...(input.expected ? staleFindings(input.expected, input.output, input.topologyFile) : []),
    ...schemaFindings(objects, unreadable, validator),
    ...helmValuesFindings(objects, new HelmValuesChecker(input.charts ?? shippedChartBundle())),
    ...clusters.flatMap((c) => istioFindings(view, c)),
    ...fleetFindings(view),
  ]);
}

/** Whether findings fail the check: any error, or with `strict` any warning. */
export function failsCheck(findings: readonly Finding[], strict = false): boolean {
  return findings.some((f) => f.severity === 'error' || (strict && f.severity === 'warning'));
}
