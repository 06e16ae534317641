/**
 * The host names and principals of a shared service (topology/service-hosts.ts), spelled as
 * Kubernetes DNS and Istio's AuthorizationPolicy spell them.
 */
import { globalAliasHost, principal, serviceHost } from '../topology/service-hosts';

describe('service hosts', () => {
  test('the Kubernetes service host, the .global alias and an AuthorizationPolicy principal', () => {
    expect(serviceHost({ name: 'helloworld', namespace: 'sample' })).toBe('helloworld.sample.svc.cluster.local');
    expect(globalAliasHost({ name: 'helloworld', namespace: 'sample' })).toBe('helloworld.sample.global');
    // AuthorizationPolicy `source.principals`: the SPIFFE ID without "spiffe://".
    expect(principal('cluster.local', 'sample', 'curl')).toBe('cluster.local/ns/sample/sa/curl');
  });
});
