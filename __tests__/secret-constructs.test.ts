/**
 * The secret constructs on their own (the trust suite checks them inside whole fleets): the
 * defaults their props document, optional props passed through, and the kubeconfig layout.
 */
import { Testing } from 'cdk8s';
import { PluginCaCertificate } from '../constructs/plugin-ca-certificate';
import { PluginCaExternalSecret } from '../constructs/plugin-ca-external-secret';
import { ReaderTokenPush } from '../constructs/reader-token-push';
import { RemoteSecret, remoteKubeconfigTemplate } from '../constructs/remote-secret';

const STORE = { name: 'vault', kind: 'ClusterSecretStore' as const };
const ISSUER = { name: 'mesh-root', kind: 'ClusterIssuer', group: 'cert-manager.io' };

function synthOne(add: (chart: ReturnType<typeof Testing.chart>) => void): any {
  const chart = Testing.chart();
  add(chart);
  const objects = Testing.synth(chart);
  expect(objects).toHaveLength(1);
  return objects[0];
}

describe('RemoteSecret', () => {
  test('ESO re-reads the store hourly unless told otherwise, and the ExternalSecret carries no annotations unless given', () => {
    const es = synthOne((c) => new RemoteSecret(c, 'r', { clusterName: 'cluster2', apiServer: 'https://cluster2.example.com:6443', store: STORE, key: 'k' }));
    expect(es.spec.refreshInterval).toBe('1h');
    expect(es.metadata).toEqual({ name: 'istio-remote-secret-cluster2', namespace: 'istio-system' });
  });

  test('passes the refresh interval, namespace and annotations it is given', () => {
    const es = synthOne((c) => new RemoteSecret(c, 'r', {
      clusterName: 'cluster2', apiServer: 'https://cluster2.example.com:6443', store: STORE, key: 'k',
      refreshInterval: '15m', namespace: 'istio-control', annotations: { 'argocd.argoproj.io/ignore-healthcheck': 'true' },
    }));
    expect(es.spec.refreshInterval).toBe('15m');
    expect(es.metadata).toEqual({
      name: 'istio-remote-secret-cluster2',
      namespace: 'istio-control',
      annotations: { 'argocd.argoproj.io/ignore-healthcheck': 'true' },
    });
  });

  test('the kubeconfig template has the layout istioctl create-remote-secret writes (client-go: lists not indented)', () => {
    expect(remoteKubeconfigTemplate('cluster2', 'https://cluster2.example.com:6443')).toBe([
      'apiVersion: v1',
      'clusters:',
      '- cluster:',
      '    certificate-authority-data: {{ .caCrt | b64enc }}',
      '    server: https://cluster2.example.com:6443',
      '  name: cluster2',
      'contexts:',
      '- context:',
      '    cluster: cluster2',
      '    user: cluster2',
      '  name: cluster2',
      'current-context: cluster2',
      'kind: Config',
      'users:',
      '- name: cluster2',
      '  user:',
      '    token: {{ .token }}',
      '',
    ].join('\n'));
  });
});

describe('PluginCaExternalSecret', () => {
  test('refreshes hourly by default and at the interval it is given', () => {
    const byDefault = synthOne((c) => new PluginCaExternalSecret(c, 'p', { store: STORE, key: 'pki/east' }));
    expect(byDefault.spec.refreshInterval).toBe('1h');
    const given = synthOne((c) => new PluginCaExternalSecret(c, 'p', { store: STORE, key: 'pki/east', refreshInterval: '15m' }));
    expect(given.spec.refreshInterval).toBe('15m');
  });
});

describe('PluginCaCertificate', () => {
  test('a one-year intermediate renewed 30 days before expiry unless told otherwise', () => {
    const cert = synthOne((c) => new PluginCaCertificate(c, 'p', { clusterName: 'east', meshId: 'mesh1', issuer: ISSUER }));
    expect(cert.spec.duration).toBe('8760h');
    expect(cert.spec.renewBefore).toBe('720h');
  });
});

describe('ReaderTokenPush', () => {
  test('pushes token and ca.crt of the reader token Secret hourly by default, and at the interval it is given', () => {
    const byDefault = synthOne((c) => new ReaderTokenPush(c, 'p', { store: STORE, key: 'meshfleet/west/reader' }));
    expect(byDefault.metadata).toEqual({ name: 'istio-reader-token', namespace: 'istio-system' });
    expect(byDefault.spec).toEqual({
      refreshInterval: '1h',
      updatePolicy: 'Replace',
      deletionPolicy: 'None',
      secretStoreRefs: [{ name: 'vault', kind: 'ClusterSecretStore' }],
      selector: { secret: { name: 'istio-reader-service-account-istio-remote-secret-token' } },
      data: [
        { match: { secretKey: 'token', remoteRef: { remoteKey: 'meshfleet/west/reader', property: 'token' } } },
        { match: { secretKey: 'ca.crt', remoteRef: { remoteKey: 'meshfleet/west/reader', property: 'ca.crt' } } },
      ],
    });
    const given = synthOne((c) => new ReaderTokenPush(c, 'p', { store: STORE, key: 'meshfleet/west/reader', refreshInterval: '15m' }));
    expect(given.spec.refreshInterval).toBe('15m');
  });
});
