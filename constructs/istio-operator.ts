/**
 * `IstioOperator` files for `istioctl install -f`: the control plane (translated from the same
 * Helm values the GitOps releases use) and the east-west gateway (as Istio's
 * `samples/multicluster/gen-eastwest-gateway.sh` prints it).
 *
 * These are istioctl input only: since Istio 1.24 no CRD or controller exists for
 * `IstioOperator`, so applying one with GitOps would fail. They belong in the `istioctl`
 * layer, which no kustomization lists.
 * @see https://istio.io/latest/docs/reference/config/istio.operator.v1alpha1/
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { EAST_WEST_GATEWAY_NAME, HelmValues } from './helm-values';
import { ISTIO_SYSTEM_NAMESPACE } from './secret-names';
import { GATEWAY_VALUES_FOR_ISTIOCTL } from '../topology/istio-chart-data';

/** `apiVersion` of `IstioOperator`. */
export const ISTIO_OPERATOR_API_VERSION = 'install.istio.io/v1alpha1';

/**
 * Top-level `istiod` chart values that istioctl reads from the root of `spec.values`; every
 * other top-level key of the chart (`env`, `resources`, `autoscaleMin` …) is a pilot setting,
 * which an IstioOperator nests under `spec.values.pilot` (istioctl lifts it to the chart root).
 */
const VALUES_ROOT_KEYS = new Set(['global', 'istiodRemote', 'defaultRevision', 'base', 'sidecarInjectorWebhook', 'telemetry', 'revisionTags', 'gateways']);

type Tree = { [key: string]: unknown };

/**
 * istioctl profile of a primary's control plane: `minimal` installs `base` and `istiod` only,
 * like the Helm releases. Without a profile istioctl uses `default`, which also installs an
 * `istio-ingressgateway`.
 * @see https://istio.io/latest/docs/setup/additional-setup/config-profiles/
 */
export const ISTIOCTL_PRIMARY_PROFILE = 'minimal';

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(into: Tree, from: Tree): Tree {
  const out: Tree = { ...into };
  for (const [key, value] of Object.entries(from)) out[key] = isTree(out[key]) && isTree(value) ? merge(out[key] as Tree, value) : value;
  return out;
}

/**
 * The `IstioOperator` spec that installs what the `base` and `istiod` Helm values install:
 * `profile` → `spec.profile` (`minimal` without one, see {@link ISTIOCTL_PRIMARY_PROFILE}), `revision` → `spec.revision`, `meshConfig` → `spec.meshConfig`,
 * root values (`global`, `istiodRemote`, `base`'s `defaultRevision` …) → `spec.values`, pilot
 * settings → `spec.values.pilot`.
 * @see https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/
 */
export function istioOperatorSpec(base: HelmValues, istiod: HelmValues): Tree {
  const { profile, revision, meshConfig, ...rest } = istiod as Tree;
  const { profile: _baseProfile, ...baseRest } = base as Tree;
  let values: Tree = {};
  let pilot: Tree = {};
  for (const [key, value] of Object.entries(rest)) {
    if (VALUES_ROOT_KEYS.has(key)) values[key] = value;
    else pilot[key] = value;
  }
  values = merge(values, baseRest);
  if (Object.keys(pilot).length) values = { ...values, pilot };
  return {
    // istioctl's `default` profile would add an `istio-ingressgateway` LoadBalancer the Helm
    // releases never create (and a canary file would upgrade it in place); `minimal` installs
    // exactly base + istiod. A remote keeps `remote`.
    profile: profile ?? ISTIOCTL_PRIMARY_PROFILE,
    ...(revision ? { revision } : {}),
    ...(meshConfig ? { meshConfig } : {}),
    ...(Object.keys(values).length ? { values } : {}),
  };
}

/** Properties of a {@link ControlPlaneIstioOperator}. */
export interface ControlPlaneIstioOperatorProps {
  /**
   * `metadata.name`: istioctl ignores it, but each file of the `istioctl` layer needs its own.
   * @default "control-plane"
   */
  readonly name?: string;
  /** Values of the `base` chart. */
  readonly base: HelmValues;
  /** Values of the `istiod` chart. */
  readonly istiod: HelmValues;
}

/**
 * The control plane `IstioOperator` of a cluster (`istioctl install -f`), equivalent to its
 * `base` + `istiod` Helm releases: `profile: minimal` on a primary (istioctl's `default`
 * profile would add an `istio-ingressgateway` the Helm path does not install), `remote` on a remote.
 */
export class ControlPlaneIstioOperator extends Construct {
  constructor(scope: Construct, id: string, props: ControlPlaneIstioOperatorProps) {
    super(scope, id);
    new ApiObject(this, 'Resource', {
      apiVersion: ISTIO_OPERATOR_API_VERSION,
      kind: 'IstioOperator',
      // istioctl does not read metadata.namespace; it is set so the file is named like the
      // rest of the output (istiooperator.istio-system.<name>.yaml) and says where Istio goes.
      metadata: { name: props.name ?? 'control-plane', namespace: ISTIO_SYSTEM_NAMESPACE },
      spec: istioOperatorSpec(props.base, props.istiod),
    });
  }
}

/** Properties of an {@link EastWestGatewayIstioOperator}. */
export interface EastWestGatewayIstioOperatorProps {
  /**
   * The network whose traffic the gateway carries (`--network`).
   * @see https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/#install-the-east-west-gateway-in-cluster1
   */
  readonly network: string;
  /**
   * The control-plane revision (`--revision`).
   * @default "" (the default revision)
   */
  readonly revision?: string;
  /**
   * The `gateway` chart values the GitOps release of this gateway uses; their Service,
   * scaling and pod settings are translated into the component's `k8s` settings, so both
   * install paths give the same gateway. Keys without an IstioOperator form are refused by
   * the loader ({@link GATEWAY_VALUES_FOR_ISTIOCTL}).
   * @default - the chart's defaults
   */
  readonly values?: HelmValues;
}

/**
 * The `IstioOperator` that `samples/multicluster/gen-eastwest-gateway.sh --network <network>`
 * prints (Istio 1.24–1.30), field for field: gateway `istio-eastwestgateway` labelled
 * `istio: eastwestgateway`, `app: istio-eastwestgateway`, `topology.istio.io/network`, env
 * `ISTIO_META_REQUESTED_NETWORK_VIEW`, ports 15021, 15443, 15012, 15017; plus what the chart
 * values of the GitOps release add (Service type, annotations, load balancer IP and source
 * ranges, external IPs, replicas or autoscaling, resources, pod settings, env, labels).
 */
export class EastWestGatewayIstioOperator extends Construct {
  constructor(scope: Construct, id: string, props: EastWestGatewayIstioOperatorProps) {
    super(scope, id);
    const values = (props.values ?? {}) as Tree;
    const chartService = isTree(values.service) ? values.service : {};
    const service: Tree = {
      ...(typeof chartService.type === 'string' && chartService.type !== 'LoadBalancer' ? { type: chartService.type } : {}),
      ...(chartService.externalIPs ? { externalIPs: chartService.externalIPs } : {}),
      ...(chartService.loadBalancerIP ? { loadBalancerIP: chartService.loadBalancerIP } : {}),
      ...(chartService.loadBalancerSourceRanges ? { loadBalancerSourceRanges: chartService.loadBalancerSourceRanges } : {}),
      ports: [
        { name: 'status-port', port: 15021, targetPort: 15021 },
        { name: 'tls', port: 15443, targetPort: 15443 },
        { name: 'tls-istiod', port: 15012, targetPort: 15012 },
        { name: 'tls-webhook', port: 15017, targetPort: 15017 },
      ],
    };
    const env = isTree(values.env) ? Object.entries(values.env).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, value]) => ({ name, value: String(value) })) : [];
    const autoscaling = isTree(values.autoscaling) ? values.autoscaling : undefined;
    const k8s: Tree = {
      // Traffic through this gateway is routed inside its own network only.
      env: [{ name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: props.network }, ...env],
      service,
      ...(isTree(chartService.annotations) ? { serviceAnnotations: chartService.annotations } : {}),
      ...(values.replicaCount !== undefined ? { replicaCount: values.replicaCount } : {}),
      ...(autoscaling?.enabled === true
        ? {
            hpaSpec: {
              minReplicas: autoscaling.minReplicas,
              maxReplicas: autoscaling.maxReplicas,
              metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: autoscaling.targetCPUUtilizationPercentage } } }],
            },
          }
        : {}),
      ...(values.resources ? { resources: values.resources } : {}),
    };
    for (const [key, field] of Object.entries(GATEWAY_VALUES_FOR_ISTIOCTL)) if (values[key] !== undefined) k8s[field] = values[key];
    const labels = isTree(values.labels) ? values.labels : {};
    new ApiObject(this, 'Resource', {
      apiVersion: ISTIO_OPERATOR_API_VERSION,
      kind: 'IstioOperator',
      // The script prints no namespace; istioctl ignores it (see ControlPlaneIstioOperator).
      metadata: { name: 'eastwest', namespace: ISTIO_SYSTEM_NAMESPACE },
      spec: {
        revision: props.revision ?? '',
        profile: 'empty',
        components: {
          ingressGateways: [
            {
              name: EAST_WEST_GATEWAY_NAME,
              label: { ...labels, 'istio': 'eastwestgateway', 'app': EAST_WEST_GATEWAY_NAME, 'topology.istio.io/network': props.network },
              enabled: true,
              k8s,
            },
          ],
        },
        values: {
          gateways: {
            'istio-ingressgateway': {
              injectionTemplate: 'gateway',
              // A fixed replica count turns the autoscaler off, as autoscaling.enabled=false does in the chart.
              ...(autoscaling?.enabled === false ? { autoscaleEnabled: false } : {}),
            },
          },
          global: { network: props.network },
        },
      },
    });
  }
}
