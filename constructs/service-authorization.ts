/**
 * Who may call a service: an ALLOW policy naming exactly its declared callers.
 */
import { Construct } from 'constructs';
import * as security from '../imports/istio-security.istio.io';

/** Properties of a {@link ServiceAuthorization}. */
export interface ServiceAuthorizationProps {
  /** `metadata.name`. */
  readonly name: string;
  /** `metadata.namespace`: the service's namespace. */
  readonly namespace: string;
  /**
   * Labels of the service's pods (`spec.selector.matchLabels`).
   * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#AuthorizationPolicy
   */
  readonly selector: Readonly<Record<string, string>>;
  /**
   * Caller identities allowed in, `<trustDomain>/ns/<namespace>/sa/<serviceAccount>` (no
   * `spiffe://`). An empty list allows nobody.
   * @see https://istio.io/latest/docs/reference/config/security/conditions/#supported-conditions
   */
  readonly principals: readonly string[];
}

/**
 * `AuthorizationPolicy` with `action: ALLOW` and one rule listing the callers' principals.
 *
 * Once an ALLOW policy selects a workload, every request no ALLOW policy matches is denied,
 * so callers that are not listed, and plain-text callers, are refused. With no principals
 * the policy has no rules and denies every request.
 * @see https://istio.io/latest/docs/concepts/security/#allow-nothing-deny-all-and-allow-all-policy
 */
export class ServiceAuthorization extends Construct {
  constructor(scope: Construct, id: string, props: ServiceAuthorizationProps) {
    super(scope, id);
    const principals = [...new Set(props.principals)].sort();
    new security.AuthorizationPolicy(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        selector: { matchLabels: { ...props.selector } },
        action: security.AuthorizationPolicySpecAction.ALLOW,
        rules: principals.length ? [{ from: [{ source: { principals } }] }] : undefined,
      },
    });
  }
}
