/**
 * Per-cluster input fingerprints: what lets `synth` skip a cluster whose output cannot have
 * changed (see src/synth-state.ts, which records them beside the output).
 *
 * A cluster's fingerprint is the sha256 of a canonical serialization of everything its
 * output (its directory and `argocd/<cluster>/`) is built from: the meshfleet build (version
 * and a hash of its code), the fleet-wide sections of the topology (`mesh`, `trust`,
 * `credentials`, `delivery`), every cluster entry (remote secrets, readers and Argo CD
 * servers name other clusters), the cluster's planned model ({@link ClusterPlan}, without
 * its prose), the
 * topology entries of every service in that model or naming a cluster of the cluster's
 * control-plane group (without callers' service accounts where the service does not run in
 * the group), and, for a Flux host, the fingerprints of the clusters it syncs (its
 * `flux` layer lists their layer directories). Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import { fluxHostCluster } from '../constructs/flux-kubeconfig';
import type { ClusterPlan, FleetPlan } from '../plan/model';
import type { MeshService, Topology } from '../topology';

/**
 * JSON with object keys sorted at every level, so equal values serialize to equal text.
 * `undefined` members are dropped (as JSON.stringify does); values JSON cannot hold exactly
 * (functions, symbols, bigints, Maps, Sets, class instances, non-finite numbers) throw.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`canonicalJson: ${value} has no exact JSON form`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new Error(`canonicalJson: a ${proto?.constructor?.name ?? 'class'} instance has no canonical JSON form`);
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new Error(`canonicalJson: a ${typeof value} has no JSON form`);
}

/** sha256 (hex) of a text. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The meshfleet build the output comes from: a new version or new code never reuses old output. */
export interface BuildIdentity {
  readonly version: string;
  /** A hash of the code that runs (see `codeHash` in src/synth-state.ts). */
  readonly code: string;
}

/**
 * The fingerprint of every cluster of a planned topology, by cluster name.
 * @param build the meshfleet build (version and code hash)
 */
export function clusterFingerprints(topology: Topology, plan: FleetPlan, build: BuildIdentity): Map<string, string> {
  const { mesh, trust, credentials, delivery } = topology;
  const fleet = canonicalJson({ build, mesh, trust, credentials, delivery, clusters: topology.clusters });
  // Each service serialized once (whole, and without its callers' service accounts).
  const services = new Map(topology.services.map((s) => [`${s.namespace}/${s.name}`, new ServiceText(s)]));
  const own = new Map<string, string>();
  for (const cluster of plan.clusters) own.set(cluster.name, ownFingerprint(fleet, cluster, services));
  // A Flux host's `flux` layer lists the layer directories of every cluster it syncs.
  const hosted = new Map<string, string[]>();
  if (delivery.flux) {
    for (const c of topology.clusters) {
      const host = fluxHostCluster(delivery, c.name);
      hosted.set(host, [...(hosted.get(host) ?? []), c.name]);
    }
  }
  const out = new Map<string, string>();
  for (const [name, fingerprint] of own) {
    const synced = (hosted.get(name) ?? []).filter((c) => c !== name).sort();
    out.set(name, synced.length ? sha256(canonicalJson([fingerprint, synced.map((c) => [c, own.get(c) ?? ''])])) : fingerprint);
  }
  return out;
}

/** A service's topology entry, serialized on first use: whole, or without its callers' service accounts. */
class ServiceText {
  private whole?: string;
  private anonymous?: string;

  constructor(public readonly service: MeshService) {}

  public text(withAccounts: boolean): string {
    if (withAccounts) return (this.whole ??= canonicalJson(this.service));
    return (this.anonymous ??= canonicalJson({ ...this.service, consumers: this.service.consumers.map(({ serviceAccount: _, ...rest }) => rest) }));
  }
}

/**
 * The fingerprint of one cluster's own inputs: the fleet-wide part, the cluster's model (its
 * per-service entries and reasons left out: the constructs read the services from the
 * topology entries taken here) and the topology entries of the services it involves (in its
 * model, or naming a cluster of its control-plane group). A service that runs in none of the
 * group's clusters is taken without its callers' service accounts: only the
 * AuthorizationPolicy (in the primary of a cluster running the service) names them.
 */
function ownFingerprint(fleet: string, cluster: ClusterPlan, services: ReadonlyMap<string, ServiceText>): string {
  const group = new Set([cluster.name, ...(cluster.controlPlane ? [cluster.controlPlane] : []), ...cluster.remotes]);
  const keys = new Set(cluster.services.map((s) => s.key));
  for (const [key, { service: s }] of services) {
    if (s.runsIn.some((c) => group.has(c)) || s.consumers.some((k) => k.clusters.some((c) => group.has(c)))) keys.add(key);
  }
  const { services: _, ...model } = cluster;
  const hash = createHash('sha256').update(fleet).update('\n').update(canonicalJson(withoutReasons(model)));
  for (const key of [...keys].sort()) {
    const entry = services.get(key);
    hash.update('\n').update(entry ? entry.text(entry.service.runsIn.some((c) => group.has(c))) : JSON.stringify(key));
  }
  return hash.digest('hex');
}

/**
 * A value without its `because` members: the plan's reasons are prose for `meshfleet plan`
 * and MESH.md (fleet-wide files, always rewritten), and they name every caller's service account.
 */
function withoutReasons(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutReasons);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'because').map(([k, v]) => [k, withoutReasons(v)]));
}
