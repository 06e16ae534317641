/**
 * A cluster's intermediate CA, issued by cert-manager from the shared root into `cacerts`.
 */
import { Construct } from 'constructs';
import * as certmanager from '../imports/cert-manager-certificate-cert-manager.io';
import { ISTIO_SYSTEM_NAMESPACE, PLUGIN_CA_SECRET } from './secret-names';
import { CertManagerIssuerRef } from '../topology';

/** Properties of a {@link PluginCaCertificate}. */
export interface PluginCaCertificateProps {
  /** The cluster the intermediate belongs to (`global.multiCluster.clusterName`); its common name. */
  readonly clusterName: string;
  /** The mesh (`global.meshID`); the certificate's organization. */
  readonly meshId: string;
  /**
   * The shared root issuer. Istio takes `ca.crt` of the secret as the root of trust, and
   * cert-manager fills `ca.crt` with the issuing CA, so this issuer's own certificate must be
   * the mesh root (or at least the same CA in every cluster). An `Issuer` must exist in the
   * `cacerts` namespace.
   * @see https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/
   */
  readonly issuer: CertManagerIssuerRef;
  /**
   * Lifetime of the intermediate.
   * @default "8760h"
   */
  readonly duration?: string;
  /**
   * How long before expiry cert-manager renews it; istiod reloads the files without a restart.
   * @default "720h"
   */
  readonly renewBefore?: string;
  /**
   * Namespace of istiod.
   * @default "istio-system"
   */
  readonly namespace?: string;
}

/**
 * `Certificate istio-intermediate` (cert-manager.io/v1): an ECDSA P-256 CA certificate
 * whose secret is `cacerts`, in the layout istiod reads since 1.15 (`tls.crt`, `tls.key`,
 * `ca.crt`). The private key is generated in the cluster and never leaves it.
 *
 * ECDSA P-256 because istiod parses EC, PKCS#1 and PKCS#8 keys alike and signs with any of
 * them, and it is what cert-manager's istio-csr documents for Istio CAs; the key is
 * PKCS#8-encoded and rotated on every renewal (the root stays, so workloads keep trusting).
 * @see https://istio.io/latest/docs/ops/integrations/certmanager/
 */
export class PluginCaCertificate extends Construct {
  /** Name of the `Certificate`. */
  public static readonly NAME = 'istio-intermediate';
  /** The `Certificate` object. */
  public readonly certificate: certmanager.Certificate;

  constructor(scope: Construct, id: string, props: PluginCaCertificateProps) {
    super(scope, id);
    this.certificate = new certmanager.Certificate(this, 'Resource', {
      metadata: { name: PluginCaCertificate.NAME, namespace: props.namespace ?? ISTIO_SYSTEM_NAMESPACE },
      spec: {
        isCa: true,
        commonName: props.clusterName,
        subject: { organizations: [props.meshId], organizationalUnits: ['istio intermediate CA'] },
        secretName: PLUGIN_CA_SECRET,
        duration: props.duration ?? '8760h',
        renewBefore: props.renewBefore ?? '720h',
        privateKey: {
          algorithm: certmanager.CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          encoding: certmanager.CertificateSpecPrivateKeyEncoding.PKCS8,
          rotationPolicy: certmanager.CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
        },
        usages: [
          certmanager.CertificateSpecUsages.CERT_SIGN,
          certmanager.CertificateSpecUsages.CRL_SIGN,
          certmanager.CertificateSpecUsages.DIGITAL_SIGNATURE,
        ],
        issuerRef: { name: props.issuer.name, kind: props.issuer.kind, group: props.issuer.group },
      },
    });
  }
}
