/**
 * Gaps no test caught (issue 14): store keys with several placeholders, the subzone label
 * with failover, and failover direction (an asymmetric topology, so swapped from/to shows).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { storeKey } from '../topology/trust-scope';
import { ROOT, synthText } from './support/synth';
import { editTopology, expectOnlyProblem, MINIMAL_TOPOLOGY } from './support/topology-edits';

describe('secret-store keys', () => {
  test('replaces every {cluster} placeholder', () => {
    expect(storeKey('kv/{cluster}/istio/{cluster}-reader', 'east')).toBe('kv/east/istio/east-reader');
  });

  test('the remote-secret ExternalSecret reads the key with every placeholder replaced', () => {
    const fleet = readFileSync(path.join(ROOT, 'examples', 'global-fleet.yaml'), 'utf8');
    const out = synthText(editTopology(fleet, (d) => (d.credentials.externalSecrets.key = 'kv/{cluster}/reader-{cluster}')));
    const es = out.get('east/', 'ExternalSecret', 'istio-remote-secret-west');
    expect(es.spec.data.map((d: any) => d.remoteRef.key)).toEqual(['kv/west/reader-west', 'kv/west/reader-west']);
  });
});

describe('failover', () => {
  test('fails if failoverPriority names topology.istio.io/subzone together with failover', () => {
    expectOnlyProblem(editTopology(MINIMAL_TOPOLOGY, (d) => {
      d.services[0].failover = [{ from: 'region1', to: 'region2' }];
      d.services[0].failoverPriority = ['topology.istio.io/subzone'];
    }), 'services[0].failoverPriority[0]',
    'cannot be combined with failover: Istio rejects "topology.istio.io/subzone" in failoverPriority when failover is set; remove failover or this label');
  });

  test('one-way failover is generated in its direction only', () => {
    const out = synthText(editTopology(MINIMAL_TOPOLOGY, (d) => {
      d.clusters.push({ name: 'cluster3', role: 'primary', network: 'network3', region: 'region3', apiServer: 'https://cluster3.example.com:6443' });
      d.services[0].runsIn = ['cluster1', 'cluster2', 'cluster3'];
      d.services[0].failover = [{ from: 'region1', to: 'region3' }, { from: 'region3', to: 'region2' }];
    }));
    const dr = out.get('cluster1/', 'DestinationRule', 'helloworld', 'sample');
    expect(dr.spec.trafficPolicy.loadBalancer.localityLbSetting).toEqual({
      enabled: true,
      failover: [{ from: 'region1', to: 'region3' }, { from: 'region3', to: 'region2' }],
    });
  });
});
