/**
 * Application namespaces, labelled for sidecar injection by the right control-plane revision.
 */
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-27';
import { Cluster, IstioRelease, MeshFacts } from '../topology';
import { MESH_ROOT_NAMESPACE, ServicePlacement } from '../topology/service-placement';

const index = new WeakMap<MeshFacts, ReadonlyMap<string, readonly string[]>>();

/**
 * Application namespaces present in a cluster, sorted: those it declares (`namespaces`), those
 * of the services it runs, those of the consumers that run in it and, in a primary, those its
 * services' mesh config is written to (see `ServicePlacement.configNamespacesIn`). Built once per fleet.
 */
export function appNamespaces(facts: MeshFacts, cluster: Cluster): readonly string[] {
  let byCluster = index.get(facts);
  if (!byCluster) {
    const sets = new Map<string, Set<string>>(facts.topology.clusters.map((c) => [c.name, new Set(c.namespaces)]));
    for (const service of facts.topology.services) {
      for (const name of service.runsIn) sets.get(name)?.add(service.namespace);
      for (const consumer of service.consumers) for (const name of consumer.clusters) sets.get(name)?.add(consumer.namespace);
    }
    // A primary also holds the mesh config (DestinationRule, Sidecar …) of services and callers
    // that run only in its remotes or are called from elsewhere: those namespaces must exist there.
    const placement = ServicePlacement.of(facts);
    for (const primary of facts.primaries) for (const ns of placement.configNamespacesIn(primary.name)) sets.get(primary.name)?.add(ns);
    // istio-system (callers there are gateways) is the control plane's, not an application namespace.
    for (const set of sets.values()) set.delete(MESH_ROOT_NAMESPACE);
    byCluster = new Map([...sets].map(([name, set]) => [name, [...set].sort()]));
    index.set(facts, byCluster);
  }
  return byCluster.get(cluster.name) ?? [];
}

/**
 * The injection label of an application namespace: `istio.io/rev: <revision>` with a revisioned
 * control plane (the canary's for namespaces moved to it), `istio-injection: enabled` otherwise.
 * @see https://istio.io/latest/docs/setup/upgrade/canary/#data-plane
 */
export function injectionLabels(istio: IstioRelease, namespace: string): Record<string, string> {
  const revision = istio.canary?.namespaces.includes(namespace) ? istio.canary.revision : istio.revision;
  return revision ? { 'istio.io/rev': revision } : { 'istio-injection': 'enabled' };
}

/** Properties of an {@link AppNamespaces}. */
export interface AppNamespacesProps {
  /** Namespace names. */
  readonly namespaces: readonly string[];
  /**
   * The Istio release, for the injection label.
   * @see https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy
   */
  readonly istio: IstioRelease;
}

/**
 * One `Namespace` per application namespace, labelled for injection. Namespace sameness makes
 * `<ns>/<svc>` one service across clusters, so the same namespace exists wherever it is used.
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/multicluster/
 */
export class AppNamespaces extends Construct {
  constructor(scope: Construct, id: string, props: AppNamespacesProps) {
    super(scope, id);
    for (const name of [...props.namespaces].sort()) {
      new kplus.Namespace(this, name, { metadata: { name, labels: injectionLabels(props.istio, name) } });
    }
  }
}
