/**
 * Proves the test-support validators accept what the pinned upstream APIs accept and
 * reject what they would drop or refuse.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadAll } from 'js-yaml';
import { crdKinds, validateManifests } from './support/crd-schema';
import { unknownValuePaths, type IstioChart } from './support/helm-values';

const UPSTREAM = process.env.MESHFLEET_UPSTREAM
  ? path.resolve(process.env.MESHFLEET_UPSTREAM)
  : path.resolve(__dirname, '..', '..', 'shared', 'upstream');
const SAMPLES = path.join(UPSTREAM, 'istio-1.30.3', 'samples-multicluster');

/** A manifest as synthesized (plain JSON); tests mutate copies of these. */
type Manifest = { [key: string]: any };

function loadYaml(file: string): Manifest[] {
  return loadAll(fs.readFileSync(file, 'utf8')).filter((d): d is Manifest => typeof d === 'object' && d !== null);
}

function withNamespace(docs: Manifest[], namespace: string): Manifest[] {
  return docs.map((d) => ({ ...d, metadata: { ...d.metadata, namespace } }));
}

/** A deep copy of `base`, changed by `edit`. */
function variant(base: Manifest, edit: (m: Manifest) => void): Manifest {
  const copy = structuredClone(base);
  edit(copy);
  return copy;
}

function exposeServicesGateway(): Manifest {
  const [gateway] = withNamespace(loadYaml(path.join(SAMPLES, 'expose-services.yaml')), 'istio-system');
  return gateway;
}

const peerAuthentication: Manifest = {
  apiVersion: 'security.istio.io/v1',
  kind: 'PeerAuthentication',
  metadata: { name: 'default', namespace: 'istio-system' },
  spec: { mtls: { mode: 'STRICT' } },
};

const helmRelease: Manifest = {
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'istiod', namespace: 'istio-system', labels: { 'app.kubernetes.io/part-of': 'meshfleet' } },
  spec: {
    interval: '10m',
    releaseName: 'istiod',
    targetNamespace: 'istio-system',
    chart: {
      spec: {
        chart: 'istiod',
        version: '1.30.3',
        interval: '1h',
        sourceRef: { kind: 'HelmRepository', name: 'istio', namespace: 'flux-system' },
      },
    },
    dependsOn: [{ name: 'istio-base' }],
    install: { crds: 'CreateReplace', remediation: { retries: 3 } },
    upgrade: { crds: 'CreateReplace' },
    values: { global: { meshID: 'mesh1', multiCluster: { clusterName: 'east' } }, anything: { goes: [1, 'two'] } },
  },
};

const certificate: Manifest = {
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { name: 'istio-ca', namespace: 'istio-system' },
  spec: {
    isCA: true,
    commonName: 'istio-ca',
    secretName: 'cacerts',
    duration: '87600h',
    renewBefore: '720h',
    privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
    usages: ['digital signature', 'key encipherment', 'cert sign'],
    issuerRef: { name: 'mesh-root', kind: 'ClusterIssuer', group: 'cert-manager.io' },
  },
};

const externalSecret: Manifest = {
  apiVersion: 'external-secrets.io/v1',
  kind: 'ExternalSecret',
  metadata: { name: 'cacerts', namespace: 'istio-system' },
  spec: {
    refreshInterval: '1h',
    secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
    target: { name: 'cacerts', creationPolicy: 'Owner' },
    data: [{ secretKey: 'ca-cert.pem', remoteRef: { key: 'mesh/east/ca', property: 'cert' } }],
  },
};

const application: Manifest = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'east-mesh', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
  spec: {
    project: 'default',
    source: { repoURL: 'https://git.example.com/fleet.git', targetRevision: 'main', path: 'clusters/east' },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'istio-system' },
    syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
  },
};

const coreObjects: Manifest[] = [
  {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'istio-system', labels: { 'topology.istio.io/network': 'network1' } },
  },
  {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'cacerts', namespace: 'istio-system', annotations: { 'meshfleet.io/source': 'vault' } },
    type: 'Opaque',
    data: { 'ca-cert.pem': 'LS0tLS1CRUdJTi0tLS0t' },
    stringData: { note: 'plain' },
    immutable: false,
  },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mesh', namespace: 'istio-system' }, data: { 'mesh.yaml': 'x: 1' } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader', namespace: 'istio-system' }, automountServiceAccountToken: false },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'istiod-remote', namespace: 'istio-system' },
    spec: { type: 'ClusterIP', ports: [{ name: 'tls-istiod', port: 15012, targetPort: 'tls', protocol: 'TCP' }] },
  },
];

/** Expect exactly one problem, for `path`, mentioning all of `words`. */
function expectProblem(problems: string[], prefix: string, at: string, ...words: string[]): void {
  const matching = problems.filter((p) => p.startsWith(`${prefix}: ${at}: `));
  expect({ problems, matching: matching.length }).toEqual({ problems, matching: 1 });
  for (const word of words) expect(matching[0]).toContain(word);
}

describe('validateManifests', () => {
  test('accepts the AUTO_PASSTHROUGH Gateway of expose-services.yaml with a namespace', () => {
    const gateway = exposeServicesGateway();
    expect(gateway.spec.servers[0].tls.mode).toBe('AUTO_PASSTHROUGH');
    expect(validateManifests([gateway])).toEqual([]);
  });

  test.each([
    ['a STRICT PeerAuthentication', peerAuthentication],
    ['a Flux HelmRelease with free-form values', helmRelease],
    ['a cert-manager Certificate', certificate],
    ['an ExternalSecret external-secrets.io/v1', externalSecret],
    ['an Argo CD Application', application],
  ])('accepts %s', (_name, manifest) => {
    expect(validateManifests([manifest])).toEqual([]);
  });

  test('accepts the built-in kinds meshfleet writes (Namespace, Secret, ConfigMap, ServiceAccount, Service)', () => {
    expect(validateManifests(coreObjects)).toEqual([]);
  });

  const samples = fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.yaml')).sort();
  test.each(samples)('accepts samples-multicluster/%s once metadata.namespace is set', (file) => {
    const docs = loadYaml(path.join(SAMPLES, file));
    expect(docs.length).toBeGreaterThan(0);
    expect(validateManifests(withNamespace(docs, 'istio-system'))).toEqual([]);
  });

  test('rejects a namespaced sample without metadata.namespace', () => {
    const problems = validateManifests(loadYaml(path.join(SAMPLES, 'expose-services.yaml')));
    expect(problems).toEqual(['Gateway/-/cross-network-gateway: metadata.namespace: required for namespaced kind Gateway']);
  });

  test('rejects an unknown spec field', () => {
    const problems = validateManifests([variant(certificate, (m) => { m.spec.secretname = 'typo'; })]);
    expect(problems).toEqual(['Certificate/istio-system/istio-ca: spec.secretname: unknown field']);
  });

  test('rejects an unknown field nested below spec', () => {
    const gateway = variant(exposeServicesGateway(), (m) => { m.spec.servers[0].tls.sni = 'x'; });
    expectProblem(validateManifests([gateway]), 'Gateway/istio-system/cross-network-gateway', 'spec.servers[0].tls.sni', 'unknown field');
  });

  test('rejects an unknown top-level field', () => {
    expectProblem(
      validateManifests([variant(peerAuthentication, (m) => { m.data = { a: 'b' }; })]),
      'PeerAuthentication/istio-system/default', 'data', 'unknown field',
    );
  });

  test('rejects a wrong enum value (tls.mode "MUTUALL")', () => {
    const gateway = variant(exposeServicesGateway(), (m) => { m.spec.servers[0].tls.mode = 'MUTUALL'; });
    expectProblem(validateManifests([gateway]), 'Gateway/istio-system/cross-network-gateway', 'spec.servers[0].tls.mode', '"MUTUALL"', '"AUTO_PASSTHROUGH"');
  });

  test('rejects a wrong enum value in PeerAuthentication (mtls.mode "STRICTER")', () => {
    const bad = variant(peerAuthentication, (m) => { m.spec.mtls.mode = 'STRICTER'; });
    expectProblem(validateManifests([bad]), 'PeerAuthentication/istio-system/default', 'spec.mtls.mode', '"STRICTER"');
  });

  test('rejects a non-string label value', () => {
    const bad = variant(peerAuthentication, (m) => { m.metadata.labels = { version: 2 }; });
    expectProblem(validateManifests([bad]), 'PeerAuthentication/istio-system/default', 'metadata.labels.version', 'must be string');
  });

  test('rejects a syntactically invalid label value and resource name', () => {
    const bad = variant(peerAuthentication, (m) => {
      m.metadata.name = 'Default_PA';
      m.metadata.labels = { 'app.kubernetes.io/name': 'has space' };
    });
    const problems = validateManifests([bad]);
    expectProblem(problems, 'PeerAuthentication/istio-system/Default_PA', 'metadata.name', 'RFC 1123 subdomain');
    expectProblem(problems, 'PeerAuthentication/istio-system/Default_PA', 'metadata.labels["app.kubernetes.io/name"]', 'label value');
  });

  test('rejects an unknown metadata field', () => {
    const bad = variant(peerAuthentication, (m) => { m.metadata.label = { a: 'b' }; });
    expectProblem(validateManifests([bad]), 'PeerAuthentication/istio-system/default', 'metadata.label', 'unknown field');
  });

  test('rejects metadata without name or generateName', () => {
    const bad = variant(peerAuthentication, (m) => { delete m.metadata.name; });
    expectProblem(validateManifests([bad]), 'PeerAuthentication/istio-system/-', 'metadata.name', 'required');
    const generated = variant(peerAuthentication, (m) => { delete m.metadata.name; m.metadata.generateName = 'pa-'; });
    expect(validateManifests([generated])).toEqual([]);
  });

  test('rejects a namespace on a cluster-scoped kind', () => {
    const bad = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system', namespace: 'default' } };
    expectProblem(validateManifests([bad]), 'Namespace/default/istio-system', 'metadata.namespace', 'cluster-scoped');
  });

  test('rejects an IstioOperator (no CRD since Istio 1.24)', () => {
    const operator = {
      apiVersion: 'install.istio.io/v1alpha1',
      kind: 'IstioOperator',
      metadata: { name: 'control-plane', namespace: 'istio-system' },
      spec: { profile: 'default' },
    };
    expectProblem(validateManifests([operator]), 'IstioOperator/istio-system/control-plane', 'kind',
      'no schema for install.istio.io/v1alpha1 IstioOperator', 'Istio 1.24');
  });

  test.each([
    ['security.istio.io/v1alpha1', peerAuthentication],
    ['helm.toolkit.fluxcd.io/v2beta1', helmRelease],
    ['external-secrets.io/v1beta1', externalSecret], // in the CRD, but served: false
  ])('rejects a wrong apiVersion (%s)', (apiVersion, manifest) => {
    const bad = { ...manifest, apiVersion };
    const problems = validateManifests([bad]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`apiVersion: no schema for ${apiVersion} ${manifest.kind}`);
    expect(problems[0]).toContain(`${manifest.apiVersion}`); // the served versions are suggested
  });

  test('rejects a kind that is neither a CRD nor a bundled built-in kind', () => {
    const replicaSet = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'x', namespace: 'y' } };
    expect(validateManifests([replicaSet])).toEqual([
      'ReplicaSet/y/x: kind: no schema for apps/v1 ReplicaSet (neither a pinned CRD nor a bundled built-in kind)',
    ]);
  });

  test('rejects a missing required field', () => {
    const bad = variant(certificate, (m) => { delete m.spec.issuerRef; });
    expectProblem(validateManifests([bad]), 'Certificate/istio-system/istio-ca', 'spec.issuerRef', 'required');
  });

  test('rejects an unknown field beside a preserve-unknown-fields subtree', () => {
    const bad = variant(helmRelease, (m) => { m.spec.chart.spec.valuesFile = 'x.yaml'; });
    expectProblem(validateManifests([bad]), 'HelmRelease/istio-system/istiod', 'spec.chart.spec.valuesFile', 'unknown field');
  });

  test('accepts arbitrary content where the schema preserves unknown fields (EnvoyFilter patch.value)', () => {
    const filter = {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'EnvoyFilter',
      metadata: { name: 'f', namespace: 'istio-system' },
      spec: { configPatches: [{ applyTo: 'NETWORK_FILTER', patch: { operation: 'MERGE', value: { any: { thing: [1] } } } }] },
    };
    expect(validateManifests([filter])).toEqual([]);
  });

  test('rejects two alternatives of an Istio oneOf (uri exact and prefix)', () => {
    const vs = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'vs', namespace: 'istio-system' },
      spec: { hosts: ['a'], http: [{ match: [{ uri: { exact: '/a', prefix: '/b' } }], route: [{ destination: { host: 'a' } }] }] },
    };
    expectProblem(validateManifests([vs]), 'VirtualService/istio-system/vs', 'spec.http[0].match[0].uri', 'at most one of exact, prefix, regex');
  });

  test('rejects null where the schema is not nullable', () => {
    const bad = variant(peerAuthentication, (m) => { m.spec.mtls = null; });
    expectProblem(validateManifests([bad]), 'PeerAuthentication/istio-system/default', 'spec.mtls', 'must be object', 'null');
  });

  test('rejects wrong types in built-in core kinds (int-or-string, int32, base64)', () => {
    const [, secret, , , service] = coreObjects;
    const problems = validateManifests([
      variant(service, (m) => { m.spec.ports[0].targetPort = true; m.spec.ports[0].nodePort = 2 ** 31; }),
      variant(secret, (m) => { m.data['ca-cert.pem'] = 'not base64!'; }),
    ]);
    expectProblem(problems, 'Service/istio-system/istiod-remote', 'spec.ports[0].targetPort', 'integer or string');
    expectProblem(problems, 'Service/istio-system/istiod-remote', 'spec.ports[0].nodePort', 'int32');
    expectProblem(problems, 'Secret/istio-system/cacerts', 'data["ca-cert.pem"]', 'byte');
    expect(problems).toHaveLength(3);
  });

  test('rejects a non-object', () => {
    expect(validateManifests(['kind: Gateway'])).toEqual(['-/-/-: (root): must be an object (got string "kind: Gateway")']);
  });

  test('rejects unserved versions and IstioOperator from crdKinds()', () => {
    const kinds = crdKinds();
    expect(kinds).toEqual(expect.arrayContaining([
      'networking.istio.io/v1 Gateway',
      'security.istio.io/v1 PeerAuthentication',
      'helm.toolkit.fluxcd.io/v2 HelmRelease',
      'cert-manager.io/v1 Certificate',
      'external-secrets.io/v1 ExternalSecret',
      'argoproj.io/v1alpha1 Application',
      'argoproj.io/v1alpha1 ApplicationSet',
      'argoproj.io/v1alpha1 AppProject',
    ]));
    expect(kinds).not.toContain('external-secrets.io/v1beta1 ExternalSecret');
    expect(kinds.some((k) => k.includes('IstioOperator'))).toBe(false);
    expect(kinds).not.toContain('v1 Secret');
  });
});

/** `{a: {b: value}}` from `a.b`. */
function valuesAt(dotted: string, value: unknown): Record<string, unknown> {
  return dotted.split('.').reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), value as never);
}

describe('unknownValuePaths', () => {
  const valid: Array<[IstioChart, string, unknown]> = [
    ['istiod', 'global.meshID', 'mesh1'],
    ['istiod', 'global.multiCluster.clusterName', 'east'],
    ['istiod', 'global.network', 'network1'],
    ['istiod', 'global.externalIstiod', true],
    ['istiod', 'global.remotePilotAddress', '10.0.0.1'],
    ['istiod', 'istiodRemote.injectionPath', '/inject/cluster/east/net/network1'],
    ['istiod', 'meshConfig.trustDomain', 'cluster.local'],
    ['istiod', 'meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE', 'true'],
    ['istiod', 'meshConfig.serviceSettings', [{ settings: { clusterLocal: true }, hosts: ['*.svc'] }]],
    ['istiod', 'revision', '1-30-3'],
    ['istiod', 'env.FOO', 'bar'],
    ['istiod', 'profile', 'remote'],
    ['istiod', 'global.certSigners', [{ not: { inspected: true } }]],
    ['istiod', 'global.proxy.resources.limits.memory', '2Gi'],
    ['istiod', 'pdb.maxUnavailable', 1], // documented as a commented-out default
    ['gateway', 'name', 'eastwest'],
    ['gateway', 'networkGateway', 'network1'],
    ['gateway', 'revision', '1-30-3'],
    ['gateway', 'labels.x', 'y'],
    ['gateway', 'env.X', '1'],
    ['gateway', 'service.ports', [{ name: 'tls', port: 15443, targetPort: 15443 }]],
    ['gateway', 'runAsRoot', false], // declared only in values.schema.json
    ['base', 'profile', 'remote'],
    ['base', 'defaultRevision', 'default'],
    ['base', 'global.istioNamespace', 'istio-system'],
  ];
  test.each(valid)('accepts %s value %s', (chart, dotted, value) => {
    expect(unknownValuePaths(chart, valuesAt(dotted, value))).toEqual([]);
  });

  test('accepts all the istiod multi-cluster values together', () => {
    const values = {
      profile: 'remote',
      revision: '1-30-3',
      env: { FOO: 'bar' },
      global: { meshID: 'm', multiCluster: { clusterName: 'east' }, network: 'n1', externalIstiod: true, remotePilotAddress: '1.2.3.4' },
      istiodRemote: { injectionPath: '/inject' },
      meshConfig: { trustDomain: 'td', defaultConfig: { proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true' } }, serviceSettings: [] },
    };
    expect(unknownValuePaths('istiod', values)).toEqual([]);
  });

  test('rejects istiod paths the chart does not define (wrong case, IstioOperator-style pilot.*)', () => {
    const values = {
      global: { multicluster: { clusterName: 'east' }, meshID: 'ok' },
      pilot: { env: { X: '1' }, enabled: true },
      istiodRemote: { enabled: false, injectionPth: '/typo' },
      revision: { nested: 'x' },
    };
    expect(unknownValuePaths('istiod', values).sort()).toEqual([
      'global.multicluster.clusterName',
      'istiodRemote.injectionPth',
      'pilot.enabled',
      'pilot.env.X',
      'revision.nested',
    ]);
  });

  test('rejects gateway values outside values.yaml and the chart schema', () => {
    expect(unknownValuePaths('gateway', { foo: 1 })).toEqual(['foo']);
    expect(unknownValuePaths('gateway', { service: { bogus: true }, 'a.b': { c: 1 } }).sort()).toEqual(['a\\.b.c', 'service.bogus']);
  });

  test('rejects gateway values that break values.schema.json types', () => {
    const problems = unknownValuePaths('gateway', { kind: 'StatefulSet', service: { ipFamilyPolicy: 'Dual' } });
    expect(problems).toEqual([
      'kind: must be one of "Deployment", "DaemonSet" (values.schema.json)',
      'service.ipFamilyPolicy: must be one of "", "SingleStack", "PreferDualStack", "RequireDualStack" (values.schema.json)',
    ]);
  });

  test('rejects base values that only istiod defines', () => {
    expect(unknownValuePaths('base', { global: { meshID: 'm', istioNamespace: 'istio-system' } })).toEqual(['global.meshID']);
  });

  test('rejects setting _internal_defaults_do_not_set directly', () => {
    expect(unknownValuePaths('istiod', { _internal_defaults_do_not_set: { revision: 'x' } })).toEqual([
      '_internal_defaults_do_not_set.revision',
    ]);
  });
});
