/**
 * Loader rules for global services (topology/rules/global-services.ts), without constructs.
 */
import * as path from 'node:path';
import { loadTopology, parseTopology } from '../topology';
import { editTopology, expectOnlyProblem, MINIMAL_TOPOLOGY } from './support/topology-edits';

const edited = (edit: (doc: any) => void): string => editTopology(MINIMAL_TOPOLOGY, edit);

/** A second service in namespace `db`, cluster-local, running in cluster1 only. */
function clusterLocal(extra: Record<string, unknown> = {}) {
  return {
    name: 'orders-db',
    namespace: 'db',
    ports: [{ name: 'tcp-pg', number: 5432, protocol: 'TCP' }],
    runsIn: ['cluster1'],
    clusterLocal: true,
    consumers: [{ namespace: 'db', serviceAccount: 'orders' }],
    ...extra,
  };
}

describe('global service rules', () => {
  test('accepts the minimal fixture and both examples', () => {
    expect(() => parseTopology(MINIMAL_TOPOLOGY, 'mesh.yaml')).not.toThrow();
    for (const example of ['docs-multi-primary.yaml', 'global-fleet.yaml']) {
      expect(() => loadTopology(path.join(__dirname, '..', 'examples', example))).not.toThrow();
    }
  });

  test('fails if a consumer is pinned to a cluster that does not have its namespace', () => {
    expectOnlyProblem(
      edited((d) => (d.services[0].consumers = [{ namespace: 'web', serviceAccount: 'ui', clusters: ['cluster1'] }])),
      'services[0].consumers[0].clusters[0]',
      'cluster "cluster1" has no namespace "web": add "web" to clusters[0].namespaces, or remove "cluster1" from the consumer\'s clusters',
    );
  });

  test('fails if a consumer\'s namespace exists in no cluster', () => {
    expectOnlyProblem(
      edited((d) => (d.services[0].consumers = [{ namespace: 'web', serviceAccount: 'ui' }])),
      'services[0].consumers[0].namespace',
      'no cluster has namespace "web": add it to the namespaces of the clusters the caller runs in',
    );
  });

  test('fails if a gateway caller in istio-system does not list its clusters', () => {
    expectOnlyProblem(
      edited((d) => d.services[0].consumers.push({ namespace: 'istio-system', serviceAccount: 'istio-ingressgateway' })),
      'services[0].consumers[1].namespace',
      'callers in "istio-system" (gateways) must list their clusters',
    );
  });

  test('fails if a cluster-local service has weights', () => {
    expectOnlyProblem(
      edited((d) => d.services.push(clusterLocal({ weights: { cluster1: 100 } }))),
      'services[1].weights',
      /^must not be set on a cluster-local service: .* remove weights or clusterLocal$/,
    );
  });

  test('fails if a cluster-local service has failover', () => {
    expectOnlyProblem(
      edited((d) => d.services.push(clusterLocal({ runsIn: ['cluster1', 'cluster2'], failover: [{ from: 'region1', to: 'region2' }] }))),
      'services[1].failover',
      'must not be set on a cluster-local service',
    );
  });

  test('fails if a cluster-local service has failoverPriority', () => {
    expectOnlyProblem(
      edited((d) => d.services.push(clusterLocal({ failoverPriority: ['topology.kubernetes.io/zone'] }))),
      'services[1].failoverPriority',
      'must not be set on a cluster-local service',
    );
  });

  test('fails if a cluster-local service asks for a .global alias', () => {
    expectOnlyProblem(
      edited((d) => d.services.push(clusterLocal({ globalAlias: true }))),
      'services[1].globalAlias',
      'a .global name addresses the service across clusters; remove globalAlias or clusterLocal',
    );
  });

  test('fails if a consumer of a cluster-local service is pinned to a cluster that does not run it', () => {
    const text = edited((d) => {
      d.clusters[1].namespaces = ['db'];
      d.services.push(clusterLocal({ consumers: [{ namespace: 'db', serviceAccount: 'orders', clusters: ['cluster1', 'cluster2'] }] }));
    });
    expectOnlyProblem(text, 'services[1].consumers[0].clusters[1]', '"cluster2" does not run cluster-local service "db/orders-db"');
  });

  test('lets a defaulted consumer of a cluster-local service run where the service does not (it only reaches local replicas)', () => {
    const t = parseTopology(
      edited((d) => {
        d.clusters[1].namespaces = ['db'];
        d.services.push(clusterLocal());
      }),
      'mesh.yaml',
    );
    expect(t.services.find((s) => s.name === 'orders-db')!.consumers[0].clusters).toEqual(['cluster1', 'cluster2']);
  });

  test('fails if failover leads to a region where the service does not run', () => {
    const text = edited((d) => {
      d.services[0].runsIn = ['cluster1'];
      d.services[0].failover = [{ from: 'region1', to: 'region2' }];
    });
    expectOnlyProblem(text, 'services[0].failover[0].to', '"sample/helloworld" does not run in region "region2": fail over to a region of a cluster in runsIn (region1)');
  });

  test('fails if failover is combined with weights (each request is pinned to one cluster\'s subset)', () => {
    const text = edited((d) => {
      d.services[0].weights = { cluster1: 80, cluster2: 20 };
      d.services[0].failover = [{ from: 'region1', to: 'region2' }];
    });
    expectOnlyProblem(text, 'services[0].failover', 'has no effect together with weights');
  });

  test('fails if a region fails over twice', () => {
    const text = edited((d) => {
      d.clusters.push({ name: 'cluster3', role: 'primary', network: 'network3', region: 'region3', apiServer: 'https://cluster3.example.com:6443' });
      d.services[0].runsIn.push('cluster3');
      d.services[0].failover = [{ from: 'region1', to: 'region2' }, { from: 'region1', to: 'region3' }];
    });
    expectOnlyProblem(text, 'services[0].failover[1].from', 'region "region1" already fails over in services[0].failover[0]');
  });

  test('fails if failover is combined with a region, zone or subzone failoverPriority, as Istio rejects it', () => {
    const text = edited((d) => {
      d.services[0].failover = [{ from: 'region1', to: 'region2' }];
      d.services[0].failoverPriority = ['topology.istio.io/network', 'topology.kubernetes.io/zone'];
    });
    expectOnlyProblem(
      text,
      'services[0].failoverPriority[1]',
      'cannot be combined with failover: Istio rejects "topology.kubernetes.io/zone" in failoverPriority when failover is set',
    );
  });

  test('accepts failover with a network or cluster failoverPriority', () => {
    const text = edited((d) => {
      d.services[0].failover = [{ from: 'region1', to: 'region2' }];
      d.services[0].failoverPriority = ['topology.istio.io/network', 'topology.istio.io/cluster=cluster1', 'version=v1'];
    });
    expect(() => parseTopology(text, 'mesh.yaml')).not.toThrow();
  });

  test('fails if a failoverPriority entry is not a label', () => {
    expectOnlyProblem(
      edited((d) => (d.services[0].failoverPriority = ['topology.istio.io/network', 'not a label'])),
      'services[0].failoverPriority[1]',
      'must be a label key or key=value pair, e.g. topology.istio.io/network (got "not a label")',
    );
  });

  test('fails if a failoverPriority label is listed twice', () => {
    expectOnlyProblem(
      edited((d) => (d.services[0].failoverPriority = ['topology.istio.io/network', 'topology.istio.io/network'])),
      'services[0].failoverPriority[1]',
      'duplicate label "topology.istio.io/network"',
    );
  });

  test('fails if a .global alias collides with the names of another service', () => {
    const text = edited((d) => {
      d.services[0].globalAlias = true;
      d.services.push({ name: 'sample', namespace: 'global', ports: [{ name: 'http', number: 80, protocol: 'HTTP' }], runsIn: ['cluster1'] });
    });
    expectOnlyProblem(
      text,
      'services[0].globalAlias',
      'alias "helloworld.sample.global" collides with service "global/sample" (services[1]): "helloworld.sample.global.svc.cluster.local" names its pods',
    );
  });

  test('fails if a port protocol is one Istio cannot route', () => {
    expectOnlyProblem(edited((d) => (d.services[0].ports[0].protocol = 'UDP')), 'services[0].ports[0].protocol', 'must be one of HTTP, HTTPS, HTTP2, GRPC');
  });
});
