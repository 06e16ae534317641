/**
 * `meshfleet check`: every check over an output tree, as one list of findings.
 */
import type { Topology } from '../../topology';
import { callerReach, eastWestGateways, failoverTargets, fleetFindings, hostAgreement, identity, istiodExposure } from './fleet-checks';
import { sortFindings, type Finding } from './finding';
import { helmValuesFindings } from './helm-checks';
import { HelmValuesChecker, shippedChartBundle, type ChartBundle } from './helm-values';
import { istioFindings } from './istio-analyzers';
import { meshView } from './mesh-view';
import { outputObjects, type OutputObject, type Tree, type UnreadableFile } from './output-objects';
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
  /** `outputObjects(output)`, when the caller has it already. @default - parsed from `output` */
  readonly parsed?: ParsedOutput;
}

/** The objects of an output tree and its files that are not valid YAML (see `outputObjects`). */
export interface ParsedOutput {
  readonly objects: readonly OutputObject[];
  readonly unreadable: readonly UnreadableFile[];
}

/** Runs every check and returns the findings, sorted by cluster, file and severity. */
export function runChecks(input: CheckInput): Finding[] {
  const { objects, unreadable } = input.parsed ?? outputObjects(input.output);
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

/** What {@link runClusterChecks} checks: some clusters' fresh output, the others' digests. */
export interface ClusterCheckInput {
  readonly topology: Topology;
  /** The rebuilt clusters' files and the fleet-wide files (every file of those). */
  readonly output: Tree;
  /** The {@link fleetDigest} of every cluster not in `output` (as recorded when it was checked whole). */
  readonly digests: readonly OutputObject[];
  /** A validator to reuse instead of the shipped bundle's. */
  readonly validator?: ManifestValidator;
  /** `outputObjects(output)`, when the caller has it already. @default - parsed from `output` */
  readonly parsed?: ParsedOutput;
}

/**
 * The checks of {@link runChecks} for an output of which only some clusters were rebuilt:
 * every per-cluster check (schemas, Helm values, Istio analyzers) on the rebuilt clusters'
 * and fleet-wide files, and every cross-cluster check on a view of their objects plus the
 * {@link fleetDigest} of the other clusters. Sound for `synth`, which publishes only when it
 * finds no error: a cross-cluster check reads a cluster's objects only through the kinds the
 * digest keeps whole (gateways, istiod, Helm releases) or through per-cluster findings about
 * objects the digest leaves out (routes, policies, sidecars), and those were checked when that
 * cluster's unchanged files were. Host agreement (MF108, MF109) compares every cluster's
 * ServiceEntry and VirtualService hosts, which the digest keeps (the reduced objects go to
 * that check alone). Findings are not those of
 * {@link runChecks} (some objects are missing): on an error, run the full check for messages.
 */
export function runClusterChecks(input: ClusterCheckInput): Finding[] {
  const { objects, unreadable } = input.parsed ?? outputObjects(input.output);
  const validator = input.validator ?? new ManifestValidator(shippedSchemaBundle());
  // The reduced hosts feed host agreement only: every other check would read them as objects.
  const view = meshView(input.topology, [...objects, ...input.digests.filter((o) => !isReducedHost(o))]);
  const hostView = meshView(input.topology, [...objects.filter((o) => HOST_KINDS.has(o.manifest.kind)), ...input.digests.filter(isReducedHost)]);
  const rebuilt = [...new Set(objects.filter((o) => view.byCluster.has(o.cluster)).map((o) => o.cluster))].sort();
  return sortFindings([
    ...schemaFindings(objects, unreadable, validator),
    ...helmValuesFindings(objects, new HelmValuesChecker(shippedChartBundle())),
    ...rebuilt.flatMap((c) => istioFindings(view, c)),
    ...identity(view),
    ...eastWestGateways(view),
    ...istiodExposure(view),
    ...callerReach(view),
    ...failoverTargets(view),
    ...hostAgreement(hostView),
  ]);
}

/** A ServiceEntry or VirtualService that {@link fleetDigest} reduces to its hosts. */
function isReducedHost(o: OutputObject): boolean {
  return HOST_KINDS.has(o.manifest.kind) && !(o.manifest.kind === 'VirtualService' && o.manifest.metadata?.namespace === 'istio-system');
}

/** Istio kinds whose hosts the cross-cluster host checks compare (MF108, MF109). */
const HOST_KINDS = new Set(['ServiceEntry', 'VirtualService']);

/**
 * The objects of one cluster's output the cross-cluster checks need when that cluster is not
 * rebuilt: Helm releases, IstioOperators, Gateways and `istio-system` VirtualServices whole;
 * other ServiceEntries and VirtualServices reduced to their names, hosts, ports and gateways.
 */
export function fleetDigest(objects: readonly OutputObject[]): OutputObject[] {
  const out: OutputObject[] = [];
  for (const o of objects) {
    const { kind, metadata, spec } = o.manifest;
    if (['HelmRelease', 'IstioOperator', 'Gateway'].includes(kind) || (HOST_KINDS.has(kind) && !isReducedHost(o))) out.push(o);
    else if (isReducedHost(o) && typeof spec === 'object' && spec !== null) {
      const reduced = {
        apiVersion: o.manifest.apiVersion,
        kind,
        metadata: { name: metadata?.name, namespace: metadata?.namespace },
        spec: {
          hosts: spec.hosts,
          ...(kind === 'ServiceEntry' && Array.isArray(spec.ports) ? { ports: spec.ports.map((p: Record<string, unknown>) => ({ number: p?.number, protocol: p?.protocol })) } : {}),
          ...(kind === 'VirtualService' && spec.gateways !== undefined ? { gateways: spec.gateways } : {}),
        },
      };
      out.push({ ...o, manifest: reduced });
    }
  }
  return out;
}

/** Whether findings fail the check: any error, or with `strict` any warning. */
export function failsCheck(findings: readonly Finding[], strict = false): boolean {
  return findings.some((f) => f.severity === 'error' || (strict && f.severity === 'warning'));
}
