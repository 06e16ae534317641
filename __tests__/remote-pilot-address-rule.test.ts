/**
 * Issue 14 item 1: a primary that serves remotes must give its east-west gateway an IP, not a
 * host name, because the remote's `global.remotePilotAddress` then makes the istiod chart render
 * an `ExternalName` Service that the remote's API server cannot call webhooks through.
 */
import { renderChart } from './support/helm';
import { editTopology, expectOnlyProblem, MINIMAL_TOPOLOGY, problemsOf } from './support/topology-edits';

/** cluster1 serves the remote cluster2 through the given east-west gateway settings. */
function primaryRemote(eastWestGateway: object, edit: (doc: any) => void = () => undefined): string {
  return editTopology(MINIMAL_TOPOLOGY, (d) => {
    d.clusters[0].eastWestGateway = eastWestGateway;
    d.clusters[1] = { ...d.clusters[1], role: 'remote', controlPlane: 'cluster1' };
    edit(d);
  });
}

describe('the pinned istiod chart, rendered with real Helm, for a remote', () => {
  const remoteValues = (remotePilotAddress: string) => ({
    profile: 'remote',
    global: { multiCluster: { clusterName: 'cluster2' }, network: 'network2', remotePilotAddress, configCluster: true },
    istiodRemote: { injectionPath: '/inject/cluster/cluster2/net/network2' },
  });
  const istiodObjects = (address: string) =>
    renderChart({ chart: 'istiod', releaseName: 'istiod', namespace: 'istio-system', values: remoteValues(address) })
      .filter((o) => o.metadata.name === 'istiod' && (o.kind === 'Service' || o.kind === 'EndpointSlice'));

  test('a host name becomes an ExternalName Service, whose webhook port 443 is not 15017 at the name', () => {
    const [service, ...others] = istiodObjects('istiod.mesh.example.com');
    expect(others).toEqual([]);
    expect(service.kind).toBe('Service');
    expect(service.spec.type).toBe('ExternalName');
    expect(service.spec.externalName).toBe('istiod.mesh.example.com');
    expect(service.spec.ports).toContainEqual({ port: 443, targetPort: 15017, name: 'tcp-webhook', protocol: 'TCP' });
  });

  test('an IP becomes a plain Service with an EndpointSlice on 15012 and 15017', () => {
    const objects = istiodObjects('192.0.2.10');
    expect(objects.map((o) => o.kind).sort()).toEqual(['EndpointSlice', 'Service']);
    const slice = objects.find((o) => o.kind === 'EndpointSlice')!;
    expect(slice.endpoints).toEqual([{ addresses: ['192.0.2.10'] }]);
    expect(slice.ports.map((p: any) => p.port)).toEqual([15012, 15017]);
    expect(objects.find((o) => o.kind === 'Service')!.spec.type).toBeUndefined();
  });
});

describe('topology rule: the east-west address of a primary serving remotes', () => {
  test('fails if it is a DNS name, explaining why and what to do', () => {
    expectOnlyProblem(primaryRemote({ address: 'istiod.mesh.example.com' }), 'clusters[0].eastWestGateway.address',
      'must be an IP address, because remote "cluster2" reaches istiod through it (global.remotePilotAddress) (got "istiod.mesh.example.com"): ' +
        'with a host name the remote\'s istiod Service becomes an ExternalName Service, and the remote\'s API server calls the sidecar injector at ' +
        'https://istiod.mesh.example.com:443 (not 15017) or refuses ExternalName webhooks outright (istio/istio#45014), so no injected pod of the remote can start; ' +
        'give the gateway a static IP (a reserved load balancer IP) and set it here');
  });

  test('names every remote the primary serves, once', () => {
    const text = primaryRemote({ address: 'gw.example.com' }, (d) => {
      d.clusters.push({ name: 'cluster0', role: 'remote', controlPlane: 'cluster1', network: 'network1', region: 'region1', apiServer: 'https://cluster0.example.com:6443' });
    });
    expectOnlyProblem(text, 'clusters[0].eastWestGateway.address', /^must be an IP address, because remotes "cluster0", "cluster2" reach istiod/);
  });

  test('accepts an IPv4 or IPv6 address', () => {
    expect(problemsOf(primaryRemote({ address: '192.0.2.10' }))).toEqual([]);
    expect(problemsOf(primaryRemote({ address: '2001:db8::10' }))).toEqual([]);
  });

  test('accepts a DNS name on a primary that serves no remote (other networks resolve it)', () => {
    const text = editTopology(MINIMAL_TOPOLOGY, (d) => {
      d.clusters[0].eastWestGateway = { address: 'gw.example.com' };
    });
    expect(problemsOf(text)).toEqual([]);
  });
});
