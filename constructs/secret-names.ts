/**
 * Names Istio gives its secrets, and the layout meshfleet expects in the secret store.
 *
 * Istio reads these by exact name, so they are fixed here once and shared by the
 * constructs, the secrets inventory and the tests.
 */

/** The namespace istiod runs in and reads `cacerts` and remote secrets from. */
export const ISTIO_SYSTEM_NAMESPACE = 'istio-system';

/**
 * The plugin CA secret istiod mounts at `/etc/cacerts` (optional: without it, istiod
 * self-signs).
 * @see https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/
 */
export const PLUGIN_CA_SECRET = 'cacerts';

/**
 * Istio's own key names in `cacerts`, each with what it holds. The cert-manager layout
 * (`tls.crt`, `tls.key`, `ca.crt`) is accepted too since Istio 1.15.
 */
export const PLUGIN_CA_KEYS: ReadonlyArray<{ readonly key: string; readonly content: string }> = [
  { key: 'ca-cert.pem', content: 'the cluster\'s intermediate CA certificate' },
  { key: 'ca-key.pem', content: 'the intermediate CA\'s private key' },
  { key: 'root-cert.pem', content: 'the shared root certificate (the same in every cluster; may hold several roots during a root rotation)' },
  { key: 'cert-chain.pem', content: 'the intermediate followed by the root (the chain istiod hands out)' },
];

/** The service account (from the `base` chart) that other clusters' istiods read this cluster as. */
export const READER_SERVICE_ACCOUNT = 'istio-reader-service-account';

/**
 * The long-lived token Secret for {@link READER_SERVICE_ACCOUNT}: the name
 * `istioctl create-remote-secret` gives it, so istioctl reuses the declarative one.
 */
export const READER_TOKEN_SECRET = 'istio-reader-service-account-istio-remote-secret-token';

/** The keys the Kubernetes token controller fills in {@link READER_TOKEN_SECRET} that a remote secret needs. */
export const READER_TOKEN_KEYS: ReadonlyArray<{ readonly key: string; readonly content: string }> = [
  { key: 'token', content: 'the reader service account\'s bearer token (a JWT, no expiry)' },
  { key: 'ca.crt', content: 'the PEM CA bundle of the cluster\'s API server' },
];

/** Label that makes istiod treat a Secret in its namespace as a remote secret. */
export const MULTICLUSTER_SECRET_LABEL = 'istio/multiCluster';

/** Annotation `istioctl create-remote-secret` writes with the cluster name (istiod does not read it). */
export const REMOTE_CLUSTER_ANNOTATION = 'networking.istio.io/cluster';

/** Name of the remote secret through which an istiod reads `cluster`. */
export function remoteSecretName(cluster: string): string {
  return `istio-remote-secret-${cluster}`;
}
