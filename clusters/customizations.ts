/**
 * The user's own objects and kustomize patches, added to the cluster layers after meshfleet's.
 *
 * Objects (`mesh.objects`, `clusters[].objects`) become objects of the layer they name; patches
 * (`mesh.patches`, `clusters[].patches`) are copied inline into the `kustomization.yaml` of each
 * layer holding an object they target. Both are checked against what meshfleet generates: an
 * own object may not be a generated one (same group, kind, namespace and name), nor claim a
 * host meshfleet routes (a second VirtualService or DestinationRule for it), and every patch
 * must target something.
 */
import { ApiObject } from 'cdk8s';
import type { ClusterStack } from './cluster-stack';
import { Layer, LayerChart } from '../src/layer-chart';
import { KustomizePatch, Origin, Problem, TopologyError, UserObject } from '../topology';
import { splitApiVersion } from '../topology/hatches-schema';

/** A generated or own object, as the checks see it. */
interface Placed {
  readonly layer: Layer;
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly json: () => { readonly spec?: { readonly host?: string; readonly hosts?: readonly string[] } };
}

/** The own objects of a cluster: fleet-wide first, then its own. */
export function userObjectsOf(stack: ClusterStack): readonly UserObject[] {
  return [...stack.facts.topology.mesh.objects, ...stack.cluster.objects];
}

/** Adds the cluster's own objects to their layers (before delivery wiring counts the layers). */
export function addUserObjects(stack: ClusterStack): void {
  for (const object of userObjectsOf(stack)) {
    const { apiVersion, kind, metadata, ...rest } = object.manifest;
    const id = `user:${kind}.${metadata.namespace ?? ''}.${metadata.name}`;
    const chart = stack.layer(object.layer);
    // Two own objects with one identity are reported by checkCustomizations; keep the first.
    if (chart.node.tryFindChild(id)) continue;
    const added = new ApiObject(chart, id, { apiVersion, kind, metadata: { ...metadata }, ...rest });
    stack.markUserObject(added, object);
  }
}

/**
 * Checks own objects and patches against the built fleet and attaches the patches; throws a
 * {@link TopologyError} listing every problem (each located at the entry that caused it).
 */
export function applyCustomizations(stacks: readonly ClusterStack[]): void {
  const problems: Problem[] = [];
  const fleetPatchUsed = new Set<KustomizePatch>();
  for (const stack of stacks) {
    const patches = [...stack.facts.topology.mesh.patches, ...stack.cluster.patches];
    // Nothing to check or attach: skip walking the cluster's objects (large fleets).
    if (!patches.length && !userObjectsOf(stack).length) continue;
    const generated: Placed[] = [];
    const own: { placed: Placed; object: UserObject }[] = [];
    for (const [layer, chart] of stack.layers) {
      if (!chart.kustomize) continue;
      for (const node of chart.node.findAll()) {
        if (!(node instanceof ApiObject)) continue;
        const [group, version] = splitApiVersion(node.apiVersion);
        const placed: Placed = { layer, group, version, kind: node.kind, name: node.name, namespace: node.metadata.namespace, json: () => node.toJson() };
        const object = stack.userObject(node);
        if (object) own.push({ placed, object });
        else generated.push(placed);
      }
    }
    checkObjects(stack, generated, own, problems);

    const all = [...generated, ...own.map((o) => o.placed)];
    for (const patch of patches) {
      const fleetWide = stack.facts.topology.mesh.patches.includes(patch);
      const layers = [...new Set(all.filter((o) => matches(patch, o)).map((o) => o.layer))];
      if (!layers.length) {
        if (!fleetWide) problems.push(located(patch.origin, `targets ${describe(patch)}, which cluster "${stack.cluster.name}" does not have: check the kind, name and namespace against its output (kubectl kustomize <cluster>/<layer>)`));
        continue;
      }
      fleetPatchUsed.add(patch);
      for (const layer of layers) (stack.layers.get(layer) as LayerChart).addKustomizationPatch({ patch: patch.patch, ...(patch.targeted ? { target: cleanTarget(patch) } : {}) });
    }
  }
  for (const patch of stacks[0]?.facts.topology.mesh.patches ?? []) {
    if (!fleetPatchUsed.has(patch)) problems.push(located(patch.origin, `targets ${describe(patch)}, which no cluster has: check the kind, name and namespace against the output`));
  }
  if (problems.length) throw new TopologyError(problems[0].file ?? 'topology', problems);
}

function checkObjects(stack: ClusterStack, generated: readonly Placed[], own: readonly { placed: Placed; object: UserObject }[], problems: Problem[]): void {
  const identity = (o: Placed) => `${o.group}/${o.kind}/${o.namespace ?? ''}/${o.name}`;
  const byIdentity = new Map(generated.map((o) => [identity(o), o]));
  const routedHosts = new Map<string, string>();
  for (const o of generated) {
    if (o.group !== 'networking.istio.io' || (o.kind !== 'VirtualService' && o.kind !== 'DestinationRule')) continue;
    const spec = o.json().spec ?? {};
    for (const host of o.kind === 'VirtualService' ? spec.hosts ?? [] : spec.host ? [spec.host] : []) routedHosts.set(`${o.kind}:${fqdn(host, o.namespace)}`, `${o.namespace}/${o.name}`);
  }
  const seen = new Map<string, UserObject>();
  for (const { placed, object } of own) {
    const key = identity(placed);
    const clash = byIdentity.get(key);
    const where = `${placed.kind} ${placed.namespace ? `${placed.namespace}/` : ''}${placed.name}`;
    if (clash) {
      problems.push(located(object.origin, `${where} is generated by meshfleet in cluster "${stack.cluster.name}" (layer ${clash.layer}): change it with a patch (patches:) instead of a second copy`));
      continue;
    }
    const first = seen.get(key);
    if (first && first !== object) problems.push(located(object.origin, `${where} is added twice to cluster "${stack.cluster.name}" (also ${first.origin.file}): keep one`));
    seen.set(key, object);
    if (placed.group === 'networking.istio.io' && (placed.kind === 'VirtualService' || placed.kind === 'DestinationRule')) {
      const spec = placed.json().spec ?? {};
      for (const host of placed.kind === 'VirtualService' ? spec.hosts ?? [] : spec.host ? [spec.host] : []) {
        const owner = routedHosts.get(`${placed.kind}:${fqdn(host, placed.namespace)}`);
        if (owner) {
          problems.push(located(object.origin, `${where} is a second ${placed.kind} for ${host}, which meshfleet's ${owner} already configures; Istio does not merge them ` +
            '(IST0109 for VirtualServices): declare versions and weights on the service in the topology, or patch the generated one'));
        }
      }
    }
  }
}

/** A service host as Istio resolves a short name in a namespace. */
function fqdn(host: string, namespace: string | undefined): string {
  const parts = host.split('.');
  if (host.includes('*')) return host;
  if (parts.length === 1) return `${host}.${namespace ?? 'default'}.svc.cluster.local`;
  if (parts.length === 2) return `${host}.svc.cluster.local`;
  if (parts.length === 3 && parts[2] === 'svc') return `${host}.cluster.local`;
  return host;
}

function matches(patch: KustomizePatch, o: Placed): boolean {
  const t = patch.target;
  return (t.kind === undefined || t.kind === o.kind) &&
    (t.name === undefined || t.name === o.name) &&
    (t.namespace === undefined || t.namespace === o.namespace) &&
    (t.group === undefined || t.group === o.group) &&
    (t.version === undefined || t.version === o.version);
}

function cleanTarget(patch: KustomizePatch) {
  return Object.fromEntries(Object.entries(patch.target).filter(([, v]) => v !== undefined));
}

function describe(patch: KustomizePatch): string {
  const t = patch.target;
  return `${t.kind ?? 'any kind'}${t.namespace ? ` ${t.namespace}/` : ' '}${t.name ?? '(any name)'}`;
}

function located(origin: Origin, message: string): Problem {
  return { file: origin.file, path: origin.path, message, position: origin.line ? { line: origin.line, column: origin.column ?? 1 } : undefined };
}
