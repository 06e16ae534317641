/**
 * The long-lived token of `istio-reader-service-account`, declared without its token.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ISTIO_SYSTEM_NAMESPACE, READER_SERVICE_ACCOUNT, READER_TOKEN_SECRET } from './secret-names';

/** Properties of a {@link ReaderToken}. */
export interface ReaderTokenProps {
  /**
   * Namespace of the reader service account (the `base` chart's namespace).
   * @default "istio-system"
   */
  readonly namespace?: string;
}

/**
 * `Secret istio-reader-service-account-istio-remote-secret-token` of type
 * `kubernetes.io/service-account-token`: Kubernetes (≥ 1.24 no longer creates one per
 * service account) fills in `token` and `ca.crt`; Git holds no data.
 *
 * The name is the one `istioctl create-remote-secret` creates, and istioctl reuses any
 * token Secret annotated for the account, so both paths share this one. The service account
 * must exist first: the token controller deletes a token Secret whose account is missing,
 * which is why this goes in a layer applied after the `base` chart (and not after istiod:
 * a remote's gateway needs the primaries to read the remote, hence this token, first).
 * @see https://kubernetes.io/docs/concepts/configuration/secret/#serviceaccount-token-secrets
 * @see https://github.com/istio/istio/issues/38246
 */
export class ReaderToken extends Construct {
  /** The `Secret` object. */
  public readonly secret: ApiObject;

  constructor(scope: Construct, id: string, props: ReaderTokenProps = {}) {
    super(scope, id);
    this.secret = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: READER_TOKEN_SECRET,
        namespace: props.namespace ?? ISTIO_SYSTEM_NAMESPACE,
        annotations: { 'kubernetes.io/service-account.name': READER_SERVICE_ACCOUNT },
      },
      type: 'kubernetes.io/service-account-token',
    });
  }
}
