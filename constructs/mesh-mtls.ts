/**
 * Mesh-wide strict mutual TLS.
 */
import { Construct } from 'constructs';
import * as security from '../imports/istio-security.istio.io';

/** Properties of a {@link MeshMtls}. */
export interface MeshMtlsProps {
  /**
   * The mesh root namespace; a selector-less `PeerAuthentication` there applies mesh-wide.
   * @default "istio-system"
   * @see https://istio.io/latest/docs/tasks/security/authentication/authn-policy/#globally-enabling-istio-mutual-tls-in-strict-mode
   */
  readonly rootNamespace?: string;
}

/** `PeerAuthentication default` in the root namespace with `mtls.mode: STRICT`. */
export class MeshMtls extends Construct {
  constructor(scope: Construct, id: string, props: MeshMtlsProps = {}) {
    super(scope, id);
    new security.PeerAuthentication(this, 'Resource', {
      metadata: { name: 'default', namespace: props.rootNamespace ?? 'istio-system' },
      spec: { mtls: { mode: security.PeerAuthenticationSpecMtlsMode.STRICT } },
    });
  }
}
