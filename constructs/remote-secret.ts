/**
 * A remote secret (`istio-remote-secret-<cluster>`), built by the External Secrets Operator:
 * Git holds the kubeconfig's shape, the secret store holds its token and CA.
 */
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import * as eso from '../imports/external-secrets-external-secrets.io';
import { ISTIO_SYSTEM_NAMESPACE, MULTICLUSTER_SECRET_LABEL, REMOTE_CLUSTER_ANNOTATION, remoteSecretName } from './secret-names';
import { goTemplateLiteral } from './template-text';
import { SecretStoreRef } from '../topology';

/** Properties of a {@link RemoteSecret}. */
export interface RemoteSecretProps {
  /**
   * The cluster istiod reads (`global.multiCluster.clusterName` of that cluster). It is the
   * secret's only data key: istiod treats every key of a remote secret as a cluster ID.
   * @see https://istio.io/latest/docs/setup/install/multicluster/multi-primary/#enable-endpoint-discovery
   */
  readonly clusterName: string;
  /** URL of that cluster's API server, as this cluster's istiod reaches it. */
  readonly apiServer: string;
  /** The store holding that cluster's reader `token` and `ca.crt`. */
  readonly store: SecretStoreRef;
  /** The remote key of that cluster's reader credentials (already resolved for the cluster). */
  readonly key: string;
  /**
   * How often ESO re-reads the store; istiod reconciles remote secrets live.
   * @default "1h"
   */
  readonly refreshInterval?: string;
  /**
   * Namespace of istiod (it only watches its own).
   * @default "istio-system"
   */
  readonly namespace?: string;
  /**
   * Annotations of the `ExternalSecret` object (e.g. for the delivery tool that applies it);
   * the Secret it writes gets its metadata from the template only.
   * @default - none
   */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Template variables the ExternalSecret fetches: store property → template variable name. */
const TOKEN_VARIABLE = 'token';
const CA_VARIABLE = 'caCrt';

/** The template expressions ESO replaces with the store's values (sprig `b64enc`). */
const CA_EXPRESSION = `{{ .${CA_VARIABLE} | b64enc }}`;
const TOKEN_EXPRESSION = `{{ .${TOKEN_VARIABLE} }}`;

/**
 * The kubeconfig of a remote secret as an ESO template (engine v2): the shape
 * `istioctl create-remote-secret` writes, with the token and the API server's CA left as
 * template expressions that ESO fills from the store in the cluster.
 *
 * Built as an object and serialized by the YAML encoder, then made template-literal
 * ({@link goTemplateLiteral}): a value holding a line break, a quote or `{{` stays one
 * value (the topology refuses such values anyway; this holds for any caller). The two
 * expressions replace placeholder values last, so nothing a value holds becomes one.
 */
export function remoteKubeconfigTemplate(clusterName: string, apiServer: string): string {
  // Placeholders no value contains, so each matches exactly the field it stands for.
  let n = 0;
  while ([clusterName, apiServer].some((v) => v.includes(`MESHFLEET-TEMPLATE-${n}-`))) n++;
  const caPlaceholder = `MESHFLEET-TEMPLATE-${n}-CA`;
  const tokenPlaceholder = `MESHFLEET-TEMPLATE-${n}-TOKEN`;
  const kubeconfig = {
    apiVersion: 'v1',
    clusters: [{ cluster: { 'certificate-authority-data': caPlaceholder, server: apiServer }, name: clusterName }],
    contexts: [{ context: { cluster: clusterName, user: clusterName }, name: clusterName }],
    'current-context': clusterName,
    kind: 'Config',
    users: [{ name: clusterName, user: { token: tokenPlaceholder } }],
  };
  return goTemplateLiteral(stringify(kubeconfig, { lineWidth: 0, indentSeq: false, aliasDuplicateObjects: false }))
    .replace(caPlaceholder, CA_EXPRESSION)
    .replace(tokenPlaceholder, TOKEN_EXPRESSION);
}

/**
 * `ExternalSecret istio-remote-secret-<cluster>` (external-secrets.io/v1) producing the Secret
 * `istioctl create-remote-secret` would: label `istio/multiCluster: "true"`, annotation
 * `networking.istio.io/cluster`, data key `<cluster>` holding a bearer-token kubeconfig.
 *
 * `creationPolicy: Owner`: when a cluster leaves the topology its ExternalSecret goes, and
 * so does the remote secret, so istiod stops watching that cluster.
 * @see https://istio.io/latest/docs/ops/diagnostic-tools/multicluster/
 */
export class RemoteSecret extends Construct {
  /** The `ExternalSecret` object. */
  public readonly externalSecret: eso.ExternalSecret;

  constructor(scope: Construct, id: string, props: RemoteSecretProps) {
    super(scope, id);
    const name = remoteSecretName(props.clusterName);
    this.externalSecret = new eso.ExternalSecret(this, 'Resource', {
      metadata: { name, namespace: props.namespace ?? ISTIO_SYSTEM_NAMESPACE, annotations: props.annotations && { ...props.annotations } },
      spec: {
        refreshInterval: props.refreshInterval ?? '1h',
        secretStoreRef: { name: props.store.name, kind: props.store.kind as eso.ExternalSecretSpecSecretStoreRefKind },
        target: {
          name,
          creationPolicy: eso.ExternalSecretSpecTargetCreationPolicy.OWNER,
          template: {
            engineVersion: eso.ExternalSecretSpecTargetTemplateEngineVersion.V2,
            type: 'Opaque',
            metadata: {
              labels: { [MULTICLUSTER_SECRET_LABEL]: 'true' },
              annotations: { [REMOTE_CLUSTER_ANNOTATION]: props.clusterName },
            },
            data: { [props.clusterName]: remoteKubeconfigTemplate(props.clusterName, props.apiServer) },
          },
        },
        data: [
          { secretKey: TOKEN_VARIABLE, remoteRef: { key: props.key, property: 'token' } },
          { secretKey: CA_VARIABLE, remoteRef: { key: props.key, property: 'ca.crt' } },
        ],
      },
    });
  }
}
