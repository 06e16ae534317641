/**
 * Reading the topology's escape hatches: Helm values (inline and from files), east-west
 * gateway Service options, kustomize patches, the user's own objects and app versions.
 *
 * Files the hatches name are never read here: they arrive as {@link TopologyInputs}, read at
 * the I/O edge. Problems inside such a file are reported in that file, at the line they are on.
 */
import * as path from 'node:path';
import { dump } from 'js-yaml';
import { isMap, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { isReadFailure, isRelativePath, directoryEntry, TopologyInputs } from './inputs';
import { ChartValuesChecker, ValueProblem } from './istio-chart-data';
import { shown } from './problems';
import { isIpAddress } from './rules/control-plane';
import { Fields, Reader } from './reader';
import { joinPath, parseSource } from './source';
import {
  ChartValues,
  CUSTOMIZABLE_LAYERS,
  CustomizableLayer,
  EastWestGatewayServiceType,
  GatewayAutoscaling,
  GatewayResources,
  ISTIO_CHART_NAMES,
  IstioChartName,
  KustomizePatch,
  Origin,
  PatchTarget,
  ServiceVersion,
  UserObject,
  UserValues,
} from './types';

/** What reading the hatches needs besides the document. */
export interface HatchReading {
  readonly reader: Reader;
  readonly inputs: TopologyInputs;
  /** The topology file, as problems name it. */
  readonly file: string;
  readonly checker: ChartValuesChecker;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const CIDR = /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9A-Fa-f:]+\/\d{1,3})$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

type Tree = { [key: string]: unknown };

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep-merges Helm values the way `helm -f a.yaml -f b.yaml` does: maps merge key by key,
 * anything else (lists included) is replaced by the later value.
 */
export function mergeValues(...trees: readonly (UserValues | undefined)[]): UserValues {
  let out: Tree = {};
  for (const tree of trees) if (tree) out = mergeTwo(out, tree);
  return out;
}

function mergeTwo(into: Tree, from: UserValues): Tree {
  const out: Tree = { ...into };
  for (const [key, value] of Object.entries(from)) out[key] = isTree(out[key]) && isTree(value) ? mergeTwo(out[key] as Tree, value) : value;
  return out;
}

/** The path of a file the topology names, as problems print it (beside the topology file). */
function shownFile(h: HatchReading, rel: string): string {
  return path.posix.join(path.posix.dirname(h.file.split(path.sep).join('/')), rel);
}

function origin(h: HatchReading, at: string, file?: string, line?: number, column?: number): Origin {
  if (file) return { file, path: at, line, column };
  const position = h.reader.positionOf(at);
  return { file: h.file, path: at, line: position?.line, column: position?.column };
}

/**
 * `istio.values` and `istio.valuesFiles` of `mesh` or a cluster: per chart, the files in order
 * and then the inline values, deep-merged; every source checked against the pinned chart.
 */
export function readChartValues(istio: Fields | undefined, h: HatchReading): ChartValues {
  if (!istio) return {};
  const inline = istio.object('values', ISTIO_CHART_NAMES);
  const files = istio.object('valuesFiles', ISTIO_CHART_NAMES);
  const out: Partial<Record<IstioChartName, UserValues>> = {};
  for (const chart of ISTIO_CHART_NAMES) {
    const sources: UserValues[] = [];
    for (const [i, rel] of (files?.strings(chart) ?? []).entries()) {
      const at = joinPath(files!.at(chart), i);
      const tree = readValuesFile(h, at, rel, chart);
      if (tree) sources.push(tree);
    }
    if (inline?.has(chart)) {
      const value = inline.raw[chart];
      if (!isTree(value)) h.reader.report(inline.at(chart), `must be a mapping of ${chart} chart values (got ${shown(value)})`);
      else if (reportValueProblems(h.checker.check(chart, value), (p, m, atKey) => h.reader.report(valuePath(inline.at(chart), p), m, { atKey }))) sources.push(value);
    }
    if (sources.length) out[chart] = mergeValues(...sources);
  }
  return out;
}

function valuePath(base: string, segments: readonly (string | number)[]): string {
  return segments.reduce<string>((p, s) => joinPath(p, s), base);
}

/** Reports value problems; returns whether there were none. */
function reportValueProblems(problems: readonly ValueProblem[], report: (path: readonly (string | number)[], message: string, atKey: boolean) => void): boolean {
  for (const p of problems) report(p.path, p.message, p.message.startsWith('is not a value'));
  return problems.length === 0;
}

function readValuesFile(h: HatchReading, at: string, rel: string, chart: IstioChartName): UserValues | undefined {
  const text = lookupFile(h, at, rel, 'values file');
  if (text === undefined) return undefined;
  const file = shownFile(h, rel);
  const source = parseSource(text);
  if (source.syntaxProblems.length) {
    for (const p of source.syntaxProblems) h.reader.reportIn(file, undefined, '', p.message, {});
    return undefined;
  }
  const data = source.data ?? {};
  if (!isTree(data)) {
    h.reader.reportIn(file, source, '', `must be a mapping of ${chart} chart values (got ${shown(data)})`);
    return undefined;
  }
  const ok = reportValueProblems(h.checker.check(chart, data), (p, m, atKey) => h.reader.reportIn(file, source, valuePath('', p), m, { atKey }));
  return ok ? data : undefined;
}

function lookupFile(h: HatchReading, at: string, rel: string, what: string): string | undefined {
  if (!isRelativePath(rel)) {
    h.reader.report(at, `must be a ${what} path relative to the topology file (got ${shown(rel)})`);
    return undefined;
  }
  const text = h.inputs.files.get(rel);
  if (text === undefined || isReadFailure(text)) {
    const why = isReadFailure(text) ? text.error : 'not read';
    h.reader.report(at, `cannot read ${what} ${shownFile(h, rel)} (${why}): paths are relative to the topology file`);
    return undefined;
  }
  return text;
}

/** The east-west gateway's Service and scaling options (besides `address` and `serviceType`). */
export interface EastWestExtras {
  readonly serviceAnnotations: Readonly<Record<string, string>>;
  readonly loadBalancerIP?: string;
  readonly loadBalancerSourceRanges: readonly string[];
  readonly replicas?: number;
  readonly autoscaling?: GatewayAutoscaling;
  readonly resources?: GatewayResources;
}

/** Keys of `eastWestGateway` this module reads. */
export const EAST_WEST_EXTRA_KEYS = ['serviceAnnotations', 'loadBalancerIP', 'loadBalancerSourceRanges', 'replicas', 'autoscaling', 'resources'] as const;

/** Reads the Service, replica and resource options of `clusters[].eastWestGateway`. */
export function readEastWestExtras(ewg: Fields | undefined, serviceType: EastWestGatewayServiceType | undefined): EastWestExtras {
  if (!ewg) return { serviceAnnotations: {}, loadBalancerSourceRanges: [] };
  const annotations: Record<string, string> = {};
  const raw = ewg.raw.serviceAnnotations;
  if (raw !== undefined && raw !== null) {
    if (!isTree(raw)) ewg.reader.report(ewg.at('serviceAnnotations'), `must be a mapping of annotation name to text (got ${shown(raw)})`);
    else {
      for (const key of Object.keys(raw).sort()) {
        const at = joinPath(ewg.at('serviceAnnotations'), key);
        if (!LABEL_KEY.test(key)) ewg.reader.report(at, `is not a valid annotation name (got ${shown(key)})`, { atKey: true });
        else if (typeof raw[key] !== 'string') ewg.reader.report(at, `must be a string: quote it (got ${shown(raw[key])})`);
        else annotations[key] = raw[key] as string;
      }
    }
  }
  const loadBalancerIP = ewg.string('loadBalancerIP');
  if (loadBalancerIP !== undefined && !isIpAddress(loadBalancerIP)) ewg.reader.report(ewg.at('loadBalancerIP'), `must be an IP address (got ${shown(loadBalancerIP)})`);
  const ranges = ewg.strings('loadBalancerSourceRanges').filter((r, i) => {
    if (CIDR.test(r)) return true;
    ewg.reader.report(joinPath(ewg.at('loadBalancerSourceRanges'), i), `must be a CIDR such as 10.0.0.0/8 (got ${shown(r)})`);
    return false;
  });
  for (const key of ['loadBalancerIP', 'loadBalancerSourceRanges'] as const) {
    if (ewg.has(key) && serviceType && serviceType !== 'LoadBalancer') {
      ewg.reader.report(ewg.at(key), `applies only to serviceType LoadBalancer (got serviceType ${serviceType}): remove it or use LoadBalancer`);
    }
  }
  const replicas = ewg.integer('replicas', { min: 1, max: 1000 });
  const scaling = ewg.object('autoscaling', ['minReplicas', 'maxReplicas', 'targetCPUUtilizationPercentage']);
  let autoscaling: GatewayAutoscaling | undefined;
  if (scaling) {
    const min = scaling.integer('minReplicas', { min: 1, max: 1000 }) ?? 1;
    const max = scaling.integer('maxReplicas', { min: 1, max: 1000 }) ?? 5;
    const cpu = scaling.integer('targetCPUUtilizationPercentage', { min: 1, max: 100 }) ?? 80;
    if (min > max) scaling.reader.report(scaling.at('maxReplicas'), `must be at least minReplicas (${min}) (got ${max})`);
    autoscaling = { minReplicas: min, maxReplicas: max, targetCPUUtilizationPercentage: cpu };
  }
  if (replicas !== undefined && scaling) ewg.reader.report(ewg.at('replicas'), 'cannot be combined with autoscaling: a fixed replica count turns the autoscaler off; keep one of them');
  return {
    serviceAnnotations: annotations,
    loadBalancerIP: loadBalancerIP !== undefined && isIpAddress(loadBalancerIP) ? loadBalancerIP : undefined,
    loadBalancerSourceRanges: [...new Set(ranges)].sort(),
    replicas,
    autoscaling,
    resources: readResources(ewg),
  };
}

function readResources(ewg: Fields): GatewayResources | undefined {
  const r = ewg.object('resources', ['requests', 'limits']);
  if (!r) return undefined;
  const part = (key: 'requests' | 'limits') => {
    const f = r.object(key, ['cpu', 'memory']);
    if (!f) return undefined;
    const out: { cpu?: string; memory?: string } = {};
    for (const name of ['cpu', 'memory'] as const) {
      const raw = f.raw[name];
      if (raw === undefined || raw === null) continue;
      const text = typeof raw === 'number' ? String(raw) : raw;
      if (typeof text !== 'string' || !QUANTITY.test(text)) f.reader.report(f.at(name), `must be a Kubernetes quantity such as 500m or 512Mi (got ${shown(raw)})`);
      else out[name] = text;
    }
    return out;
  };
  return { requests: part('requests'), limits: part('limits') };
}


/** `patches` of `mesh` or a cluster: kustomize patches from files (or inline), with their targets. */
export function readPatches(parent: Fields | undefined, h: HatchReading): KustomizePatch[] {
  if (!parent) return [];
  return parent.list('patches', (value, at) => {
    const f = h.reader.object(value, at, ['file', 'patch', 'target']);
    if (!f) return undefined;
    // Every field is read before the one-of check, so a describing reader (json-schema.ts) sees them all.
    const target = readTarget(f);
    const rel = f.string('file');
    if (f.has('file') === f.has('patch')) {
      h.reader.report(at, 'must give exactly one of "file" (a patch file beside the topology) or "patch" (the patch inline)');
      return undefined;
    }
    if (f.has('patch')) {
      return patchFrom(f.raw.patch, target, origin(h, f.at('patch')), (m) => h.reader.report(f.at('patch'), m));
    }
    if (rel === undefined) return undefined;
    const text = lookupFile(h, f.at('file'), rel, 'patch file');
    if (text === undefined) return undefined;
    const file = shownFile(h, rel);
    const source = parseSource(text);
    if (source.syntaxProblems.length) {
      for (const p of source.syntaxProblems) h.reader.reportIn(file, undefined, '', p.message);
      return undefined;
    }
    // Problems found later (a target that matches nothing) point at the topology entry naming the file.
    return patchFrom(source.data, target, origin(h, f.at('file')), (m) => h.reader.reportIn(file, source, '', m));
  });
}

function readTarget(f: Fields): PatchTarget | undefined {
  const t = f.object('target', ['group', 'version', 'kind', 'name', 'namespace']);
  if (!t) return undefined;
  const target: PatchTarget = {
    group: t.string('group'),
    version: t.string('version'),
    kind: t.string('kind', { required: true }),
    name: t.string('name'),
    namespace: t.string('namespace', { format: 'dns-label' }),
  };
  return target;
}

function patchFrom(data: unknown, target: PatchTarget | undefined, where: Origin, report: (message: string) => void): KustomizePatch | undefined {
  if (Array.isArray(data)) {
    if (!target) {
      report('is a JSON 6902 patch (a list of operations): add a "target" naming the kind (and name) it patches');
      return undefined;
    }
    const bad = data.findIndex((op) => !isTree(op) || typeof op.op !== 'string' || typeof op.path !== 'string');
    if (bad >= 0) {
      report(`operation ${bad} must be a mapping with "op" and "path" (got ${shown(data[bad])})`);
      return undefined;
    }
    return { patch: dump(data, { noRefs: true, lineWidth: -1, sortKeys: false }), type: 'json6902', target, targeted: true, origin: where };
  }
  if (!isTree(data)) {
    report(`must be a strategic-merge patch (a mapping) or a JSON 6902 patch (a list of operations) (got ${shown(data)})`);
    return undefined;
  }
  const id = objectIdentity(data);
  if (!id && !target) {
    report('must name the object it patches: apiVersion, kind and metadata.name (or add a "target")');
    return undefined;
  }
  const [group, version] = id ? splitApiVersion(id.apiVersion) : [undefined, undefined];
  const derived: PatchTarget = target ?? { group, version, kind: id!.kind, name: id!.name, namespace: id!.namespace };
  return { patch: dump(data, { noRefs: true, lineWidth: -1 }), type: 'strategic-merge', target: derived, targeted: target !== undefined, origin: where };
}

function objectIdentity(data: Tree): { apiVersion: string; kind: string; name: string; namespace?: string } | undefined {
  const metadata = data.metadata;
  if (typeof data.apiVersion !== 'string' || typeof data.kind !== 'string' || !isTree(metadata) || typeof metadata.name !== 'string') return undefined;
  return { apiVersion: data.apiVersion, kind: data.kind, name: metadata.name, namespace: typeof metadata.namespace === 'string' ? metadata.namespace : undefined };
}

/** `apps/v1` → [`apps`, `v1`]; `v1` → [``, `v1`]. */
export function splitApiVersion(apiVersion: string): [string, string] {
  const cut = apiVersion.lastIndexOf('/');
  return cut < 0 ? ['', apiVersion] : [apiVersion.slice(0, cut), apiVersion.slice(cut + 1)];
}

/** `objects` of `mesh` or a cluster: every manifest in the named directories, for the named layer. */
export function readObjects(parent: Fields | undefined, h: HatchReading): UserObject[] {
  if (!parent) return [];
  return parent
    .list('objects', (value, at) => {
      const f = h.reader.object(value, at, ['directory', 'layer']);
      if (!f) return undefined;
      const dir = f.string('directory', { required: true });
      const layer = f.string<CustomizableLayer>('layer', { oneOf: CUSTOMIZABLE_LAYERS }) ?? 'mesh';
      if (dir === undefined) return undefined;
      if (!isRelativePath(dir)) {
        h.reader.report(f.at('directory'), `must be a directory path relative to the topology file (got ${shown(dir)})`);
        return undefined;
      }
      const listing = h.inputs.directories.get(dir);
      if (listing === undefined || isReadFailure(listing)) {
        const why = isReadFailure(listing) ? listing.error : 'not read';
        h.reader.report(f.at('directory'), `cannot read directory ${shownFile(h, dir)} (${why}): paths are relative to the topology file`);
        return undefined;
      }
      if (!listing.length) h.reader.report(f.at('directory'), `${shownFile(h, dir)} holds no .yaml files: add the objects there or remove the entry`);
      return listing.flatMap((name) => readObjectFile(h, directoryEntry(dir, name), layer));
    })
    .flat();
}

function readObjectFile(h: HatchReading, rel: string, layer: CustomizableLayer): UserObject[] {
  const file = shownFile(h, rel);
  const text = h.inputs.files.get(rel);
  if (text === undefined || isReadFailure(text)) {
    h.reader.reportIn(file, undefined, '', `cannot read object file (${isReadFailure(text) ? text.error : 'not read'})`);
    return [];
  }
  const lineCounter = new LineCounter();
  const out: UserObject[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false })) {
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const { line, col } = lineCounter.linePos(start);
    const where: Origin = { file, path: '', line, column: col };
    const report = (message: string) => h.reader.problems.push({ file, path: '', message, position: { line, column: col } });
    if (doc.errors.length) {
      report(`invalid YAML: ${doc.errors[0].message.split('\n')[0].toLowerCase()}`);
      continue;
    }
    if (doc.contents === null) continue;
    if (!isMap(doc.contents) && !isSeq(doc.contents)) {
      report(`must be a Kubernetes object (got ${shown(doc.toJS())})`);
      continue;
    }
    const data: unknown = doc.toJS();
    const problem = objectProblem(data);
    if (problem) {
      report(problem);
      continue;
    }
    out.push({ layer, manifest: data as UserObject['manifest'], origin: where });
  }
  return out;
}

function objectProblem(data: unknown): string | undefined {
  if (!isTree(data)) return `must be a Kubernetes object, a mapping with apiVersion, kind and metadata (got ${shown(data)})`;
  if (typeof data.apiVersion !== 'string' || !data.apiVersion) return 'needs an apiVersion';
  if (typeof data.kind !== 'string' || !data.kind) return 'needs a kind';
  if (data.kind === 'List' || data.kind.endsWith('List')) return `is a ${data.kind}: write its items as separate documents`;
  if (data.kind === 'Secret' && data.apiVersion === 'v1') {
    return 'is a Secret: secret material never goes into the output; create it from your secret store (e.g. an ExternalSecret) instead';
  }
  const metadata = data.metadata;
  if (!isTree(metadata)) return 'needs metadata with a name';
  if (metadata.generateName !== undefined) return 'uses metadata.generateName: give it a fixed metadata.name (GitOps applies the same name every time)';
  if (typeof metadata.name !== 'string' || !DNS1123_SUBDOMAIN.test(metadata.name) || metadata.name.length > 253) {
    return `metadata.name must be a DNS-1123 subdomain (got ${shown(metadata.name)})`;
  }
  if (metadata.namespace !== undefined && (typeof metadata.namespace !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(metadata.namespace))) {
    return `metadata.namespace must be a DNS-1123 label (got ${shown(metadata.namespace)})`;
  }
  return undefined;
}

/** `services[].versions`: subsets by pod labels, with optional traffic weights. */
export function readVersions(s: Fields, track: <T extends object>(value: T, path: string) => T): ServiceVersion[] {
  return s.list('versions', (value, at) => {
    const f = s.reader.object(value, at, ['name', 'labels', 'weight']);
    if (!f) return undefined;
    const name = f.string('name', { required: true, format: 'dns-label' });
    const raw = f.raw.labels;
    const labels: Record<string, string> = {};
    if (raw === undefined || raw === null) f.reader.report(f.at('labels'), 'is required: add the pod labels of this version, e.g. {version: v2}');
    else if (!isTree(raw) || !Object.keys(raw).length) f.reader.report(f.at('labels'), `must be a non-empty mapping of pod label to value (got ${shown(raw)})`);
    else {
      for (const key of Object.keys(raw).sort()) {
        const value = raw[key];
        const where = joinPath(f.at('labels'), key);
        if (!LABEL_KEY.test(key)) f.reader.report(where, `is not a valid label key (got ${shown(key)})`, { atKey: true });
        else if (typeof value !== 'string' || !LABEL_VALUE.test(value)) f.reader.report(where, `must be a label value (a string of at most 63 letters, digits, "-", "_", "."; quote numbers) (got ${shown(value)})`);
        else labels[key] = value;
      }
    }
    const weight = f.integer('weight', { min: 0, max: 100 });
    if (!name) return undefined;
    const version: ServiceVersion = { name, labels, ...(weight !== undefined ? { weight } : {}) };
    return track(version, at);
  });
}
