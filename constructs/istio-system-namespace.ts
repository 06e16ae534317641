/**
 * The Istio system namespace, labelled with the cluster's network.
 */
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-27';
import { RETAINED_NAMESPACE_ANNOTATIONS } from './retained-namespace';

/** Properties of an {@link IstioSystemNamespace}. */
export interface IstioSystemNamespaceProps {
  /**
   * The cluster's network (`topology.istio.io/network`): the default network of every pod
   * the control plane manages. Helm never sets it, so GitOps must.
   * @see https://istio.io/latest/docs/reference/config/labels/#TopologyNetwork
   */
  readonly network: string;
  /**
   * For a remote cluster: the primaries whose istiod may lead it
   * (`topology.istio.io/controlPlaneClusters`). Istiod does not lead unannotated remotes.
   * @default - none (a primary leads itself)
   * @see https://istio.io/latest/docs/reference/config/annotations/#TopologyControlPlaneClusters
   */
  readonly controlPlaneClusters?: readonly string[];
  /**
   * Namespace name.
   * @default "istio-system"
   */
  readonly name?: string;
}

/**
 * `Namespace istio-system` with the network label (and, on remotes, the control-plane
 * annotation). It holds `cacerts` and the control plane, so GitOps never deletes it
 * ({@link RETAINED_NAMESPACE_ANNOTATIONS}).
 */
export class IstioSystemNamespace extends Construct {
  /** The namespace name. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: IstioSystemNamespaceProps) {
    super(scope, id);
    this.name = props.name ?? 'istio-system';
    const annotations: Record<string, string> = { ...RETAINED_NAMESPACE_ANNOTATIONS };
    if (props.controlPlaneClusters?.length) annotations['topology.istio.io/controlPlaneClusters'] = [...props.controlPlaneClusters].sort().join(',');
    new kplus.Namespace(this, 'Resource', {
      metadata: { name: this.name, labels: { 'topology.istio.io/network': props.network }, annotations },
    });
  }
}
