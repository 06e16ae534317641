import { editTopology, expectOnlyProblem, MINIMAL_TOPOLOGY, problemsOf } from './support/topology-edits';

const edited = (edit: (doc: any) => void) => editTopology(MINIMAL_TOPOLOGY, edit);
/** The minimal fixture with helloworld moved to `namespace` (callers stay in sample). */
const serviceIn = (namespace: string, delivery?: object) => edited((d) => {
  d.services[0].namespace = namespace;
  d.clusters.forEach((c: any) => (c.namespaces = ['sample']));
  if (delivery) d.delivery = { git: { url: 'https://git.example.com/fleet.git' }, ...delivery };
});

describe('reserved namespaces', () => {
  test('fails if a service is in istio-system, the root namespace', () => {
    expectOnlyProblem(serviceIn('istio-system'), 'services[0].namespace',
      '"istio-system" is Istio\'s root namespace: an AuthorizationPolicy or DestinationRule there applies to the whole mesh, not to one service; use an application namespace');
  });

  test.each(['kube-system', 'kube-public', 'kube-node-lease'])('fails if a service is in %s', (namespace) => {
    expectOnlyProblem(serviceIn(namespace), 'services[0].namespace',
      `"${namespace}" is a Kubernetes system namespace: meshfleet would label it for sidecar injection and inject the cluster's own components; use an application namespace`);
  });

  test('fails if a cluster namespace is flux-system or the configured Flux namespace', () => {
    expectOnlyProblem(edited((d) => (d.clusters[1].namespaces = ['apps', 'flux-system'])), 'clusters[1].namespaces[1]',
      '"flux-system" is the Flux namespace: meshfleet would label it for sidecar injection and inject the Flux controllers; use an application namespace');
    expectOnlyProblem(edited((d) => {
      d.clusters[0].namespaces = ['gitops'];
      d.delivery = { git: { url: 'https://git.example.com/fleet.git' }, flux: { namespace: 'gitops' } };
    }), 'clusters[0].namespaces[0]', /^"gitops" is the Flux namespace: /);
  });

  test('fails if a service is in argocd or the configured Argo CD namespace', () => {
    expectOnlyProblem(serviceIn('argocd'), 'services[0].namespace', /^"argocd" is the Argo CD namespace: /);
    expectOnlyProblem(serviceIn('cd', { argocd: { namespace: 'cd' } }), 'services[0].namespace', /^"cd" is the Argo CD namespace: /);
  });

  test('fails if the canary moves a reserved namespace', () => {
    expectOnlyProblem(edited((d) => (d.mesh.istio = { canary: { revision: 'canary', namespaces: ['kube-system'] } })),
      'mesh.istio.canary.namespaces[0]', /^"kube-system" is a Kubernetes system namespace: /);
    expectOnlyProblem(edited((d) => (d.mesh.istio = { canary: { revision: 'canary', namespaces: ['sample', 'kube-public'] } })),
      'mesh.istio.canary.namespaces[1]', /^"kube-public" is a Kubernetes system namespace: /);
  });

  test('accepts a canary that moves application namespaces only', () => {
    expect(problemsOf(edited((d) => (d.mesh.istio = { canary: { revision: 'canary', namespaces: ['sample'] } })))).toEqual([]);
  });

  test('accepts look-alikes and callers in istio-system (gateways)', () => {
    expect(problemsOf(serviceIn('istio-system-apps'))).toEqual([]);
    expect(problemsOf(serviceIn('flux', { flux: {} }))).toEqual([]);
  });
});
