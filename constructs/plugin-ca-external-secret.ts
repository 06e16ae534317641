/**
 * A cluster's `cacerts`, built by the External Secrets Operator from a secret store.
 */
import { Construct } from 'constructs';
import * as eso from '../imports/external-secrets-external-secrets.io';
import { ISTIO_SYSTEM_NAMESPACE, PLUGIN_CA_KEYS, PLUGIN_CA_SECRET } from './secret-names';
import { SecretStoreRef } from '../topology';

/** Properties of a {@link PluginCaExternalSecret}. */
export interface PluginCaExternalSecretProps {
  /** The store holding the CA bundles. */
  readonly store: SecretStoreRef;
  /**
   * The remote key of this cluster's bundle (already resolved for the cluster), holding one
   * property per `cacerts` key: `ca-cert.pem`, `ca-key.pem`, `root-cert.pem`, `cert-chain.pem`.
   * @see https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/
   */
  readonly key: string;
  /**
   * How often ESO re-reads the store; istiod picks up changed files without a restart.
   * @default "1h"
   */
  readonly refreshInterval?: string;
  /**
   * Namespace of istiod.
   * @default "istio-system"
   */
  readonly namespace?: string;
}

/**
 * `ExternalSecret cacerts` (external-secrets.io/v1) writing Secret `cacerts` with Istio's
 * own key names, one store property each.
 *
 * `creationPolicy: Orphan`: removing the ExternalSecret (say, when switching providers) must
 * not delete `cacerts`, or the next istiod restart silently falls back to a self-signed CA
 * and cross-cluster mTLS breaks.
 */
export class PluginCaExternalSecret extends Construct {
  /** The `ExternalSecret` object. */
  public readonly externalSecret: eso.ExternalSecret;

  constructor(scope: Construct, id: string, props: PluginCaExternalSecretProps) {
    super(scope, id);
    this.externalSecret = new eso.ExternalSecret(this, 'Resource', {
      metadata: { name: PLUGIN_CA_SECRET, namespace: props.namespace ?? ISTIO_SYSTEM_NAMESPACE },
      spec: {
        refreshInterval: props.refreshInterval ?? '1h',
        secretStoreRef: { name: props.store.name, kind: props.store.kind as eso.ExternalSecretSpecSecretStoreRefKind },
        target: {
          name: PLUGIN_CA_SECRET,
          creationPolicy: eso.ExternalSecretSpecTargetCreationPolicy.ORPHAN,
        },
        data: PLUGIN_CA_KEYS.map(({ key }) => ({ secretKey: key, remoteRef: { key: props.key, property: key } })),
      },
    });
  }
}
