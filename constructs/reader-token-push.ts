/**
 * Copies a cluster's reader token into the secret store, where other clusters' remote
 * secrets read it.
 */
import { Construct } from 'constructs';
import * as pushsecret from '../imports/external-secrets-pushsecret-external-secrets.io';
import { ISTIO_SYSTEM_NAMESPACE, READER_TOKEN_KEYS, READER_TOKEN_SECRET } from './secret-names';
import { SecretStoreRef } from '../topology';

/** Properties of a {@link ReaderTokenPush}. */
export interface ReaderTokenPushProps {
  /** The store to write to (ESO needs write access to it from this cluster). */
  readonly store: SecretStoreRef;
  /** The remote key of this cluster's reader credentials (already resolved for the cluster). */
  readonly key: string;
  /**
   * How often ESO re-pushes (and so propagates a re-issued token).
   * @default "1h"
   */
  readonly refreshInterval?: string;
  /**
   * Namespace of the reader token Secret.
   * @default "istio-system"
   */
  readonly namespace?: string;
  /**
   * Annotations of the `PushSecret` object (e.g. for the delivery tool that applies it).
   * @default - none
   */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * `PushSecret istio-reader-token` (external-secrets.io/v1alpha1): pushes `token` and `ca.crt`
 * of the reader token Secret to `<key>` (properties `token` and `ca.crt`).
 *
 * Until the token controller has filled the Secret, the push fails and ESO retries.
 * `deletionPolicy: None` keeps the stored token if the PushSecret is removed, so primaries
 * keep reading this cluster until someone revokes the token on purpose.
 * @see https://external-secrets.io/latest/api/pushsecret/
 */
export class ReaderTokenPush extends Construct {
  /** Name of the `PushSecret`. */
  public static readonly NAME = 'istio-reader-token';
  /** The `PushSecret` object. */
  public readonly pushSecret: pushsecret.PushSecret;

  constructor(scope: Construct, id: string, props: ReaderTokenPushProps) {
    super(scope, id);
    this.pushSecret = new pushsecret.PushSecret(this, 'Resource', {
      metadata: { name: ReaderTokenPush.NAME, namespace: props.namespace ?? ISTIO_SYSTEM_NAMESPACE, annotations: props.annotations && { ...props.annotations } },
      spec: {
        refreshInterval: props.refreshInterval ?? '1h',
        updatePolicy: pushsecret.PushSecretSpecUpdatePolicy.REPLACE,
        deletionPolicy: pushsecret.PushSecretSpecDeletionPolicy.NONE,
        secretStoreRefs: [{ name: props.store.name, kind: props.store.kind as pushsecret.PushSecretSpecSecretStoreRefsKind }],
        selector: { secret: { name: READER_TOKEN_SECRET } },
        data: READER_TOKEN_KEYS.map(({ key }) => ({ match: { secretKey: key, remoteRef: { remoteKey: props.key, property: key } } })),
      },
    });
  }
}
