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

/** What {@link runClusterwiseChecks} checks: some clusters' fresh output, the others' digests. */
export interface ClusterCheckInput {
  readonly topology: Topology;
  /** The rebuilt clusters' files and the fleet-wide files (every file of those). */
  readonly output: Tree;
  /** The {@link fleetDigest} of every cluster not in `output` (as recorded when it was checked whole). */
  readonly digests: readonly OutputObject[];
  /** A validator to reuse instead of the shipped bundle's. */
  readonly validator?: ManifestValidator;
}

/** A ServiceEntry or VirtualService that {@link fleetDigest} reduces to its hosts. */
function isReducedHost(o: OutputObject): boolean {
  return HOST_KINDS.has(o.manifest.kind) && !(o.manifest.kind === 'VirtualService' && o.manifest.metadata?.namespace === 'istio-system');
}

/** What {@link runClusterwiseChecks} found, with the digest of each top folder it checked. */
export interface ClusterwiseResult {
  readonly findings: readonly Finding[];
  /** {@link fleetDigest} of the objects of each top folder of the output (`<cluster>`, `argocd`). */
  readonly digests: ReadonlyMap<string, readonly OutputObject[]>;
}

/**
 * The checks of {@link runChecks}, one top folder (cluster) at a time, so that only one
 * cluster's parsed objects are held at once: per-cluster checks and the cross-cluster checks
 * that read one cluster's routes, policies and sidecars (MF101, MF106, MF107) on a view of
 * that cluster's objects plus the digests of the others (remotes first, whose Helm releases
 * their primary's checks read); then the checks that compare clusters (MF104, MF105, MF108,
 * MF109) once, on every digest. `digests` are those of clusters not in `output`.
 *
 * Decides pass or fail like {@link runChecks} (every error it finds is one runChecks finds; an
 * error only a whole view shows, none), but its findings may repeat or lack some context: on an
 * error, run {@link runChecks} for the messages.
 */
export function runClusterwiseChecks(input: ClusterCheckInput): ClusterwiseResult {
  const validator = input.validator ?? new ManifestValidator(shippedSchemaBundle());
  const charts = new HelmValuesChecker(shippedChartBundle());
  const groups = new Map<string, Array<[string, string]>>();
  for (const [file, content] of input.output) {
    const top = file.includes('/') ? file.slice(0, file.indexOf('/')) : '';
    const group = groups.get(top);
    if (group) group.push([file, content]);
    else groups.set(top, [[file, content]]);
  }
  const remotes = new Set(input.topology.clusters.filter((c) => c.role === 'remote').map((c) => c.name));
  const order = [...groups.keys()].sort((a, b) => Number(remotes.has(b)) - Number(remotes.has(a)) || (a < b ? -1 : a > b ? 1 : 0));
  const digests = new Map<string, readonly OutputObject[]>();
  const whole = (list: readonly OutputObject[]) => list.filter((o) => !isReducedHost(o));
  const given = whole(input.digests);
  // The digests' whole objects, filtered once per folder (not once per pair of folders).
  const wholeDigests = new Map<string, readonly OutputObject[]>();
  const findings: Finding[] = [];
  for (const top of order) {
    const { objects, unreadable } = outputObjects(new Map(groups.get(top)));
    const digest = fleetDigest(objects);
    digests.set(top, digest);
    wholeDigests.set(top, whole(digest));
    const others = [...given, ...[...wholeDigests].filter(([t]) => t !== top).flatMap(([, d]) => d)];
    const view = meshView(input.topology, [...objects, ...others]);
    findings.push(
      ...schemaFindings(objects, unreadable, validator),
      ...helmValuesFindings(objects, charts),
      ...(view.byCluster.has(top) ? istioFindings(view, top) : []),
      // Identity reads a cluster's own objects; the digests of the others repeat theirs.
      ...identity(view).filter((f) => f.cluster === top),
      ...callerReach(view, new Set([top])),
      ...failoverTargets(meshView(input.topology, objects)),
    );
  }
  const all = [...input.digests, ...[...digests.values()].flat()];
  const view = meshView(input.topology, whole(all));
  findings.push(...eastWestGateways(view), ...istiodExposure(view), ...hostAgreement(meshView(input.topology, all.filter((o) => HOST_KINDS.has(o.manifest.kind)))));
  return { findings: sortFindings(findings), digests };
}

/** Istio kinds whose hosts the cross-cluster host checks compare (MF108, MF109). */
const HOST_KINDS = new Set(['ServiceEntry', 'VirtualService']);

/** Kinds {@link fleetDigest} keeps (whole or reduced); no other object reaches a digest. */
export const DIGEST_KINDS: ReadonlySet<string> = new Set(['HelmRelease', 'IstioOperator', 'Gateway', ...HOST_KINDS]);

/**
 * The objects of one cluster's output the cross-cluster checks need when that cluster is not
 * rebuilt: Helm releases, IstioOperators, Gateways and `istio-system` VirtualServices whole;
 * other ServiceEntries and VirtualServices reduced to their names, hosts, ports and gateways.
 */
export function fleetDigest(objects: readonly OutputObject[]): OutputObject[] {
  const out: OutputObject[] = [];
  for (const o of objects) {
    const { kind, metadata, spec } = o.manifest;
    if (!DIGEST_KINDS.has(kind)) continue;
    if (!isReducedHost(o)) out.push(o);
    else if (typeof spec === 'object' && spec !== null) {
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
