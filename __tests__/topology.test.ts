import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseTopology } from '../topology';
import { checkFormat, closest } from '../topology/reader';
import { editTopology, expectOnlyProblem, expectProblem, MINIMAL_TOPOLOGY, problemsOf } from './support/topology-edits';

const edited = (edit: (doc: any) => void): string => editTopology(MINIMAL_TOPOLOGY, edit);
const example = (name: string) => readFileSync(path.join(__dirname, '..', 'examples', name), 'utf8');

describe('loading a valid topology', () => {
  test('applies documented defaults', () => {
    const t = parseTopology(MINIMAL_TOPOLOGY, 'mesh.yaml');
    expect(t.mesh).toEqual({
      id: 'mesh1',
      trustDomain: 'cluster.local',
      istio: { version: '1.30.3', revision: undefined, chartRepository: 'https://istio-release.storage.googleapis.com/charts', values: {} },
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 100 },
      patches: [],
      objects: [],
    });
    expect(t.services[0]).toMatchObject({ clusterLocal: false, globalAlias: false, failover: [], failoverPriority: [] });
    expect(t.trust.provider).toBe('existing');
    expect(t.credentials.provider).toBe('existing');
  });

  test('defaults a consumer to every cluster that has its namespace', () => {
    const t = parseTopology(
      edited((d) => {
        d.services[0].runsIn = ['cluster1'];
        d.clusters[1].namespaces = ['sample'];
        d.clusters.push({ name: 'cluster3', role: 'primary', network: 'network3', region: 'region3' });
      }),
      'mesh.yaml',
    );
    expect(t.services[0].consumers[0].clusters).toEqual(['cluster1', 'cluster2']);
  });

  test('returns a deeply frozen model', () => {
    const t = parseTopology(MINIMAL_TOPOLOGY, 'mesh.yaml');
    expect(Object.isFrozen(t.clusters[0])).toBe(true);
    expect(Object.isFrozen(t.services[0].ports[0])).toBe(true);
  });

  test('sorts clusters, services and consumers whatever the author order', () => {
    const reordered = edited((d) => {
      d.clusters.reverse();
      d.services[0].runsIn.reverse();
      d.services[0].consumers.push({ namespace: 'a-team', serviceAccount: 'z' });
      d.clusters[0].namespaces = ['a-team'];
      d.clusters[1].namespaces = ['a-team'];
    });
    const t = parseTopology(reordered, 'mesh.yaml');
    expect(t.clusters.map((c) => c.name)).toEqual(['cluster1', 'cluster2']);
    expect(t.services[0].runsIn).toEqual(['cluster1', 'cluster2']);
    expect(t.services[0].consumers.map((c) => c.namespace)).toEqual(['a-team', 'sample']);
  });
});

describe('cluster and service rules, case by case', () => {
  const swapped = (edit: (doc: any) => void = () => {}) => edited((d) => {
    // Declared out of order, so the lists in messages show their own (sorted) order.
    d.clusters.reverse();
    edit(d);
  });
  const messages = (text: string) => problemsOf(text).map((p) => `${p.path}: ${p.message}`);

  test('an Istio version must be a full 1.26.x to 1.30.x release, patch numbers of any length', () => {
    const withVersion = (version: string) => edited((d) => (d.mesh.istio = { version }));
    for (const version of ['1.26.0', '1.30.3', '1.30.10']) expect(problemsOf(withVersion(version))).toEqual([]);
    for (const version of ['1.25.9', '1.31.0', '21.30.3', '1.30.3-rc.0', '1.30']) {
      expectOnlyProblem(withVersion(version), 'mesh.istio.version',
        `unsupported Istio version "${version}": meshfleet supports 1.26.0 to 1.30.x (a full x.y.z release, e.g. "1.30.3")`);
    }
  });

  test('unknown clusters and regions: the known ones are listed sorted, comma-separated', () => {
    expect(messages(swapped((d) => {
      d.services[0].runsIn = ['cluster1', 'cluster9'];
      d.services[0].consumers[0].clusters = ['cluster8'];
      d.services[0].failover = [{ from: 'region7', to: 'region1' }];
    }))).toEqual([
      'services[0].runsIn[1]: names unknown cluster "cluster9": known clusters are cluster1, cluster2',
      'services[0].consumers[0].clusters[0]: names unknown cluster "cluster8": known clusters are cluster1, cluster2',
      'services[0].failover[0].from: region "region7" has no cluster: regions in the mesh are region1, region2',
    ]);
  });

  test('weights may only name clusters the service runs in (listed in runsIn order)', () => {
    expect(messages(edited((d) => {
      d.clusters.push({ name: 'cluster3', role: 'primary', network: 'network3', region: 'region3', apiServer: 'https://cluster3.example.com:6443' });
      d.services[0].weights = { cluster1: 50, cluster3: 50 };
    }))).toEqual([
      'services[0].weights.cluster3: "cluster3" does not run this service: weights may only name clusters in runsIn (cluster1, cluster2)',
    ]);
  });

  test('fails if two ports of a service share a name', () => {
    expectOnlyProblem(edited((d) => d.services[0].ports.push({ name: 'http', number: 5001, protocol: 'HTTP' })),
      'services[0].ports[1].name', 'duplicate port name "http"');
  });

  test('a cluster or service without a name gets one problem, never a "duplicate" of another nameless one', () => {
    const clusters = messages(edited((d) => d.clusters.forEach((c: any) => delete c.name)));
    expect(clusters.filter((m) => m.includes('duplicate'))).toEqual([]);
    const services = messages(edited((d) => {
      d.services.push({ ...d.services[0] });
      d.services.forEach((s: any) => delete s.name);
    }));
    expect(services.filter((m) => m.includes('duplicate'))).toEqual([]);
    const noNamespace = messages(edited((d) => {
      d.services.push({ ...d.services[0] });
      d.services.forEach((s: any) => delete s.namespace);
    }));
    expect(noNamespace.filter((m) => m.includes('duplicate'))).toEqual([]);
  });
});

describe('formats and did-you-mean', () => {
  const LABEL = 'must be a DNS-1123 label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit';

  test('a list item of the wrong format is reported at its index', () => {
    expectOnlyProblem(edited((d) => (d.clusters[0].namespaces = ['apps', 'Bad_NS'])), 'clusters[0].namespaces[1]', `${LABEL} (got "Bad_NS")`);
  });

  test('a DNS-1123 label holds at most 63 characters (Kubernetes)', () => {
    expect(checkFormat('a'.repeat(63), 'dns-label')).toBeUndefined();
    expect(checkFormat('a'.repeat(64), 'dns-label')).toBe(LABEL);
  });

  test('a host may be one character; it may not start with "-"', () => {
    expect(checkFormat('a', 'host')).toBeUndefined();
    expect(checkFormat('10.0.0.1', 'host')).toBeUndefined();
    expect(checkFormat('-a', 'host')).toBe('must be an IP address or DNS name');
  });

  test('did-you-mean suggests within max(2, a third of the length) edits, the first of equally close keys', () => {
    // 11 characters, 3 edits away: a third of the length allows 3.
    expect(closest('namspacesxx', ['namespaces'])).toBe('namespaces');
    // 5 characters, 3 edits away (c→f, d→g, drop e): only 2 allowed.
    expect(closest('abcde', ['abfg'])).toBeUndefined();
    expect(closest('abc', ['xyz'])).toBeUndefined();
    expect(closest('zzzz', ['namespaces'])).toBeUndefined();
    expect(closest('ab', ['ac', 'ad'])).toBe('ac');
  });
});

describe('reporting problems', () => {
  test('reports every problem at once, each with line, column and path', () => {
    const text = edited((d) => {
      d.clusters[0].network = 'Network_1';
      d.clusters[1].role = 'leader';
      d.services[0].runsIn = ['cluster1', 'nowhere'];
    });
    const problems = problemsOf(text);
    expect(problems.map((p) => p.path).sort()).toEqual(['clusters[0].network', 'clusters[1].role', 'services[0].runsIn[1]']);
    for (const p of problems) expect(p.position).toEqual({ line: expect.any(Number), column: expect.any(Number) });
    const network = problems.find((p) => p.path === 'clusters[0].network')!;
    expect(text.split('\n')[network.position!.line - 1].slice(network.position!.column - 1)).toMatch(/^Network_1/);
  });

  test('formats the report as file:line:column: path: message', () => {
    const text = edited((d) => (d.clusters[0].region = 'Region 1'));
    expect(() => parseTopology(text, 'mesh.yaml')).toThrow(/^mesh\.yaml: 1 problem\nmesh\.yaml:\d+:\d+: clusters\[0\]\.region: must be a DNS-1123 label/);
  });

  test('fails if the YAML does not parse', () => {
    const [problem] = problemsOf('mesh: {id: [unclosed\n');
    expect(problem.message).toMatch(/^invalid YAML/);
    expect(problem.position?.line).toBeGreaterThan(0);
  });

  test('fails if apiVersion or kind is wrong', () => {
    const text = edited((d) => {
      d.apiVersion = 'meshfleet.dev/v1';
      d.kind = 'Mesh';
    });
    expect(problemsOf(text).map((p) => p.path).sort()).toEqual(['apiVersion', 'kind']);
    expectProblem(text, 'apiVersion', 'must be one of meshfleet.dev/v1alpha1');
  });

  test('fails if a key is unknown, suggesting the nearest one', () => {
    const problem = expectProblem(edited((d) => (d.clusters[0].netwrok = 'x')), 'clusters[0].netwrok', 'unknown key "netwrok": did you mean "network"?');
    expect(problem.position).toBeDefined();
  });

  test('fails if a required field is missing', () => {
    expectProblem(edited((d) => delete d.clusters[1].region), 'clusters[1].region', 'is required: add "region" to clusters[1]');
  });

  test('fails if a name is not a DNS-1123 label', () => {
    expectProblem(edited((d) => (d.services[0].name = 'Hello_World')), 'services[0].name', /must be a DNS-1123 label.*\(got "Hello_World"\)/);
  });

  test('fails if a version is written as a number', () => {
    expectProblem(edited((d) => (d.mesh.istio = { version: 1.3 })), 'mesh.istio.version', 'must be a string (quote it: "1.3")');
  });

  test('fails if the Istio version is outside the supported range', () => {
    expectProblem(edited((d) => (d.mesh.istio = { version: '1.22.1' })), 'mesh.istio.version', 'unsupported Istio version "1.22.1": meshfleet supports 1.26.0 to 1.30.x');
  });

  test('fails if two clusters have the same name', () => {
    expectProblem(edited((d) => (d.clusters[1].name = 'cluster1')), 'clusters[1].name', 'duplicate cluster name "cluster1" (also clusters[0].name)');
  });

  test('fails if two services have the same namespace and name', () => {
    expectProblem(edited((d) => d.services.push({ ...d.services[0] })), 'services[1].name', 'duplicate service "sample/helloworld" (also services[0])');
  });

  test('fails if a remote has no controlPlane', () => {
    expectProblem(edited((d) => (d.clusters[1].role = 'remote')), 'clusters[1].controlPlane', 'is required for a remote');
  });

  test('fails if a remote names an unknown controlPlane', () => {
    expectProblem(edited((d) => Object.assign(d.clusters[1], { role: 'remote', controlPlane: 'ghost' })), 'clusters[1].controlPlane', 'names unknown cluster "ghost"');
  });

  test('fails if a remote names another remote as its controlPlane', () => {
    const text = edited((d) => {
      Object.assign(d.clusters[1], { role: 'remote', controlPlane: 'cluster1' });
      d.clusters.push({ name: 'cluster3', role: 'remote', controlPlane: 'cluster2', network: 'network2', region: 'region2' });
    });
    expectProblem(text, 'clusters[2].controlPlane', 'names "cluster2", which is a remote');
  });

  test('fails if a primary names a controlPlane', () => {
    expectProblem(edited((d) => (d.clusters[0].controlPlane = 'cluster2')), 'clusters[0].controlPlane', 'is only for remote clusters');
  });

  test('fails if a service runs in an unknown cluster', () => {
    expectProblem(edited((d) => d.services[0].runsIn.push('cluster9')), 'services[0].runsIn[2]', 'names unknown cluster "cluster9": known clusters are cluster1, cluster2');
  });

  test('fails if a consumer is pinned to an unknown cluster', () => {
    expectProblem(edited((d) => (d.services[0].consumers[0].clusters = ['cluster1', 'elsewhere'])), 'services[0].consumers[0].clusters[1]', 'names unknown cluster "elsewhere"');
  });

  test('fails if a failover region has no cluster', () => {
    expectProblem(edited((d) => (d.services[0].failover = [{ from: 'region1', to: 'mars' }])), 'services[0].failover[0].to', 'region "mars" has no cluster');
  });

  test('fails if failover goes nowhere', () => {
    expectProblem(edited((d) => (d.services[0].failover = [{ from: 'region1', to: 'region1' }])), 'services[0].failover[0].to', 'must differ from "from"');
  });

  test('fails if weights do not add up to 100', () => {
    expectProblem(edited((d) => (d.services[0].weights = { cluster1: 60, cluster2: 30 })), 'services[0].weights', 'must add up to 100 (got 90)');
  });

  test('fails if weights name a cluster that does not run the service', () => {
    const text = edited((d) => {
      d.services[0].runsIn = ['cluster1'];
      d.services[0].weights = { cluster1: 50, cluster2: 50 };
    });
    expectProblem(text, 'services[0].weights.cluster2', '"cluster2" does not run this service');
  });

  test('fails if a port protocol is not one Istio knows', () => {
    expectProblem(edited((d) => (d.services[0].ports[0].protocol = 'HTTP3')), 'services[0].ports[0].protocol', 'must be one of HTTP, HTTPS, HTTP2, GRPC');
  });

  test('fails if two ports share a number', () => {
    expectProblem(edited((d) => d.services[0].ports.push({ name: 'http2', number: 5000, protocol: 'HTTP2' })), 'services[0].ports[1].number', 'duplicate port number 5000');
  });

  test('fails if the east-west gateway asks for the tutorial\'s MUTUAL mode', () => {
    expectProblem(
      edited((d) => (d.clusters[0].eastWestGateway = { tlsMode: 'MUTUAL' })),
      'clusters[0].eastWestGateway.tlsMode',
      /MUTUAL is not supported.*terminates the sidecars' end-to-end mTLS.*AUTO_PASSTHROUGH/,
    );
  });

  test('fails if the topology file cannot be read', () => {
    const { loadTopology } = jest.requireActual('../topology');
    expect(() => loadTopology('/nonexistent/mesh.yaml')).toThrow('cannot read the topology file: ENOENT');
  });
});

describe('one mistake, one problem: rules hold back on fields the shape step rejected', () => {
  const docs = example('docs-multi-primary.yaml');
  const fleet = example('global-fleet.yaml');

  test('fails if a weight entry is invalid, without "must add up to 100" on top', () => {
    expectOnlyProblem(edited((d) => (d.services[0].weights = { cluster1: 'eighty', cluster2: 20 })),
      'services[0].weights.cluster1', 'must be a whole number from 0 to 100 (got "eighty")');
    expectOnlyProblem(edited((d) => (d.services[0].weights = { cluster1: 150, cluster2: 20 })),
      'services[0].weights.cluster1', 'must be a whole number from 0 to 100 (got 150)');
    expectOnlyProblem(edited((d) => (d.services[0].weights = { cluster1: null, cluster2: 20 })),
      'services[0].weights.cluster1', 'must be a whole number from 0 to 100 (got nothing)');
  });

  test('still fails if valid weights do not add up to 100', () => {
    expectOnlyProblem(edited((d) => (d.services[0].weights = { cluster1: 60, cluster2: 30 })), 'services[0].weights', 'must add up to 100 (got 90)');
  });

  test('fails if apiServer is malformed, without "is required" (Argo CD, remote secrets) on top', () => {
    // The docs example has delivery.argocd and external-secrets credentials: both need apiServer.
    expectOnlyProblem(editTopology(docs, (d) => (d.clusters[1].apiServer = 'http://cluster2.example.com:6443')),
      'clusters[1].apiServer', 'must be a plain https:// URL: https://host[:port][/path] (got "http://cluster2.example.com:6443")');
  });

  test('still says apiServer is required when it is absent', () => {
    const problems = problemsOf(editTopology(docs, (d) => delete d.clusters[1].apiServer));
    expect(problems.map((p) => [p.path, p.message.split(':')[0]])).toEqual([
      ['clusters[1].apiServer', 'is required'],
      ['clusters[1].apiServer', 'is required when delivery.argocd is set'],
    ]);
  });

  test('fails if managementCluster is malformed, without "is required with mode: management" on top', () => {
    expectOnlyProblem(editTopology(fleet, (d) => (d.delivery.flux.managementCluster = 'East_1')),
      'delivery.flux.managementCluster', /^must be a DNS-1123 label/);
  });

  test('fails if the Flux mode is malformed, without "managementCluster is only used with mode: management" on top', () => {
    expectOnlyProblem(editTopology(fleet, (d) => (d.delivery.flux.mode = 'managed')),
      'delivery.flux.mode', 'must be one of per-cluster, management (got "managed")');
  });

  test('fails if secretRef is malformed, without "is required for an ssh:// Git URL" on top', () => {
    expectOnlyProblem(editTopology(fleet, (d) => (d.delivery.flux.secretRef = 'Flux_System')), 'delivery.flux.secretRef', /^must be a DNS-1123 label/);
  });

  test('fails if a provider is malformed, without "only read with provider …" for its block on top', () => {
    expectOnlyProblem(editTopology(docs, (d) => (d.trust.provider = 'vault')),
      'trust.provider', 'must be one of cert-manager, external-secrets, existing (got "vault")');
    expectOnlyProblem(editTopology(docs, (d) => (d.credentials.provider = 'vault')),
      'credentials.provider', 'must be one of external-secrets, existing (got "vault")');
  });

  test('fails if a runsIn entry is invalid or unknown, without failover or weights complaints on top', () => {
    expectOnlyProblem(editTopology(fleet, (d) => (d.services[0].runsIn[0] = 12345)), 'services[0].runsIn[0]', 'must be a string (got 12345)');
    expectOnlyProblem(editTopology(fleet, (d) => (d.services[0].runsIn[0] = 'esat')), 'services[0].runsIn[0]', /^names unknown cluster "esat"/);
    expectOnlyProblem(editTopology(fleet, (d) => (d.services[1].runsIn[0] = 'esat')), 'services[1].runsIn[0]', /^names unknown cluster "esat"/);
  });
});
