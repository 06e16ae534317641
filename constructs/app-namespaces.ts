/**
 * Application namespaces, labelled for sidecar injection by the right control-plane revision.
 */
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-27';
import { RETAINED_NAMESPACE_ANNOTATIONS } from './retained-namespace';
import { Cluster, IstioRelease, MeshFacts } from '../topology';

/**
 * Application namespaces present in a cluster, sorted: those it declares (`namespaces`), those
 * of the services it runs, those of the consumers that run in it and, in a primary, those its
 * services' mesh config is written to. Built once per fleet (`ServicePlacement.appNamespacesIn`).
 */
export function appNamespaces(facts: MeshFacts, cluster: Cluster): readonly string[] {
  return facts.servicePlacement.appNamespacesIn(cluster.name);
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
 * Users' workloads live there, so GitOps never deletes them ({@link RETAINED_NAMESPACE_ANNOTATIONS}).
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/multicluster/
 */
export class AppNamespaces extends Construct {
  constructor(scope: Construct, id: string, props: AppNamespacesProps) {
    super(scope, id);
    for (const name of [...props.namespaces].sort()) {
      new kplus.Namespace(this, name, { metadata: { name, labels: injectionLabels(props.istio, name), annotations: { ...RETAINED_NAMESPACE_ANNOTATIONS } } });
    }
  }
}
