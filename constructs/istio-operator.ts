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
import { EastWestGatewayServiceType } from '../topology';

/** `apiVersion` of `IstioOperator`. */
export const ISTIO_OPERATOR_API_VERSION = 'install.istio.io/v1alpha1';

/**
 * Top-level `istiod` chart values that istioctl reads from the root of `spec.values`; every
 * other top-level key of the chart (`env`, `resources`, `autoscaleMin` …) is a pilot setting,
 * which an IstioOperator nests under `spec.values.pilot` (istioctl lifts it to the chart root).
 */
const VALUES_ROOT_KEYS = new Set(['global', 'istiodRemote', 'defaultRevision', 'base', 'sidecarInjectorWebhook', 'telemetry', 'revisionTags', 'gateways']);

type Tree = { [key: string]: unknown };

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
 * `profile` → `spec.profile`, `revision` → `spec.revision`, `meshConfig` → `spec.meshConfig`,
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
    ...(profile ? { profile } : {}),
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
 * `base` + `istiod` Helm releases. A primary's has no `profile`, like Istio's guides, so
 * istioctl uses its `default` profile, which also installs an `istio-ingressgateway` the Helm
 * path does not.
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
   * Service type of the gateway.
   * @default "LoadBalancer" (the script sets none; LoadBalancer is the gateway's default)
   */
  readonly serviceType?: EastWestGatewayServiceType;
  /**
   * `externalIPs` of the gateway Service (with `serviceType: ClusterIP`).
   * @default - none
   */
  readonly externalIPs?: readonly string[];
}

/**
 * The `IstioOperator` that `samples/multicluster/gen-eastwest-gateway.sh --network <network>`
 * prints (Istio 1.24–1.30), field for field: gateway `istio-eastwestgateway` labelled
 * `istio: eastwestgateway`, `app: istio-eastwestgateway`, `topology.istio.io/network`, env
 * `ISTIO_META_REQUESTED_NETWORK_VIEW`, ports 15021, 15443, 15012, 15017.
 */
export class EastWestGatewayIstioOperator extends Construct {
  constructor(scope: Construct, id: string, props: EastWestGatewayIstioOperatorProps) {
    super(scope, id);
    const service: Tree = {
      ...(props.serviceType && props.serviceType !== 'LoadBalancer' ? { type: props.serviceType } : {}),
      ...(props.externalIPs?.length ? { externalIPs: [...props.externalIPs] } : {}),
      ports: [
        { name: 'status-port', port: 15021, targetPort: 15021 },
        { name: 'tls', port: 15443, targetPort: 15443 },
        { name: 'tls-istiod', port: 15012, targetPort: 15012 },
        { name: 'tls-webhook', port: 15017, targetPort: 15017 },
      ],
    };
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
              label: { 'istio': 'eastwestgateway', 'app': EAST_WEST_GATEWAY_NAME, 'topology.istio.io/network': props.network },
              enabled: true,
              k8s: {
                // Traffic through this gateway is routed inside its own network only.
                env: [{ name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: props.network }],
                service,
              },
            },
          ],
        },
        values: {
          gateways: { 'istio-ingressgateway': { injectionTemplate: 'gateway' } },
          global: { network: props.network },
        },
      },
    });
  }
}
