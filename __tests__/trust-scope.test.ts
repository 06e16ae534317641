/**
 * Who holds a plugin CA and who reads whose API server (topology/trust-scope.ts), on a
 * primary-remote fleet: two primaries and a remote led by the first.
 */
import { parseTopology } from '../topology';
import { clustersReadBy, readersOf, runsIstiodCa } from '../topology/trust-scope';
import { editTopology, MINIMAL_TOPOLOGY } from './support/topology-edits';

const topology = parseTopology(editTopology(MINIMAL_TOPOLOGY, (d) => {
  d.clusters[0].eastWestGateway = { address: '192.0.2.10' };
  d.clusters.push({ name: 'cluster3', role: 'remote', controlPlane: 'cluster1', network: 'network1', region: 'region1', apiServer: 'https://cluster3.example.com:6443' });
}), 'mesh.yaml');
const [cluster1, cluster2, cluster3] = topology.clusters;
const primaries = [cluster1, cluster2];
const names = (clusters: readonly { name: string }[]) => clusters.map((c) => c.name);

describe('trust scope', () => {
  test('only primaries run an istiod CA (a remote gets its certificates from its primary)', () => {
    expect(runsIstiodCa(cluster1)).toBe(true);
    expect(runsIstiodCa(cluster2)).toBe(true);
    expect(runsIstiodCa(cluster3)).toBe(false);
  });

  test('a primary reads every other cluster, primary or remote; a remote reads none', () => {
    expect(names(clustersReadBy(topology.clusters, cluster1))).toEqual(['cluster2', 'cluster3']);
    expect(names(clustersReadBy(topology.clusters, cluster2))).toEqual(['cluster1', 'cluster3']);
    expect(clustersReadBy(topology.clusters, cluster3)).toEqual([]);
  });

  test('a cluster is read by every primary but itself', () => {
    expect(names(readersOf(primaries, cluster1))).toEqual(['cluster2']);
    expect(names(readersOf(primaries, cluster3))).toEqual(['cluster1', 'cluster2']);
  });
});
