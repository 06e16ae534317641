/**
 * The DestinationRule of a global service: mesh mTLS, one subset per cluster, locality failover.
 */
import { Construct } from 'constructs';
import * as networking from '../imports/istio-networking.istio.io';
import { Failover, OutlierDetection } from '../topology';

/** The cluster label istiod puts on every endpoint; per-cluster subsets select on it. */
export const CLUSTER_LABEL = 'topology.istio.io/cluster';

/** Properties of a {@link GlobalDestinationRule}. */
export interface GlobalDestinationRuleProps {
  /** `metadata.name`. */
  readonly name: string;
  /** `metadata.namespace`: the service's namespace. */
  readonly namespace: string;
  /** The service's fully qualified host (`spec.host`), e.g. `reviews.bookinfo.svc.cluster.local`. */
  readonly host: string;
  /**
   * Clusters that run the service: one subset each, named after the cluster and selecting
   * `topology.istio.io/cluster: <cluster>` (the label istiod sets from `clusterName`).
   * @see https://istio.io/latest/docs/ops/configuration/traffic-management/multicluster/
   */
  readonly clusters: readonly string[];
  /**
   * The subsets, when the caller computed them (`serviceRouting`: only routed per-cluster
   * subsets, and app-version subsets); replaces the one-per-cluster default.
   * @default - one subset per entry of `clusters`
   */
  readonly subsets?: readonly { readonly name: string; readonly labels: Readonly<Record<string, string>> }[];
  /**
   * Envoy outlier detection. Always set: without it Istio ignores `failover` and
   * `failoverPriority` (and locality-aware failover in general).
   * @see https://istio.io/latest/docs/tasks/traffic-management/locality-load-balancing/failover/
   */
  readonly outlierDetection: OutlierDetection;
  /**
   * Region-to-region failover (`localityLbSetting.failover`), in author order.
   * @default - Istio's default: fail over by locality proximity
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting
   */
  readonly failover?: readonly Failover[];
  /**
   * Ordered labels endpoints are preferred by (`localityLbSetting.failoverPriority`).
   * @default - none
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting
   */
  readonly failoverPriority?: readonly string[];
  /**
   * Namespaces whose proxies see this rule (`spec.exportTo`).
   * @default - every namespace
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#DestinationRule-export_to
   */
  readonly exportTo?: readonly string[];
}

/** `DestinationRule` with `ISTIO_MUTUAL`, outlier detection, locality failover and a subset per cluster. */
export class GlobalDestinationRule extends Construct {
  constructor(scope: Construct, id: string, props: GlobalDestinationRuleProps) {
    super(scope, id);
    const failover = props.failover ?? [];
    const failoverPriority = props.failoverPriority ?? [];
    const od = props.outlierDetection;
    new networking.DestinationRule(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        host: props.host,
        exportTo: props.exportTo ? [...props.exportTo] : undefined,
        trafficPolicy: {
          tls: { mode: networking.DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL },
          loadBalancer:
            failover.length || failoverPriority.length
              ? {
                  localityLbSetting: {
                    enabled: true,
                    failover: failover.length ? failover.map((f) => ({ from: f.from, to: f.to })) : undefined,
                    failoverPriority: failoverPriority.length ? [...failoverPriority] : undefined,
                  },
                }
              : undefined,
          outlierDetection: {
            consecutive5XxErrors: od.consecutive5xxErrors,
            interval: od.interval,
            baseEjectionTime: od.baseEjectionTime,
            maxEjectionPercent: od.maxEjectionPercent,
          },
        },
        subsets: subsetsOf(props),
      },
    });
  }
}

function subsetsOf(props: GlobalDestinationRuleProps) {
  const subsets = props.subsets
    ? props.subsets.map((s) => ({ name: s.name, labels: { ...s.labels } }))
    : [...props.clusters].sort().map((cluster) => ({ name: cluster, labels: { [CLUSTER_LABEL]: cluster } }));
  return subsets.length ? subsets : undefined;
}
