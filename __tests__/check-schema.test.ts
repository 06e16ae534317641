/**
 * `meshfleet check`, check 1 (as the API server would): the shipped schema bundle, CEL
 * rules of each pinned upstream project, list types, and the findings' codes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deriveSchemaBundle, shippedSchemaBundle } from '../src/check/schema-bundle';
import { ManifestValidator } from '../src/check/schema-validator';
import { runChecks } from '../src/check/run-checks';
import { parseTopology } from '../topology';
import { upstreamBundle, upstreamDir } from './support/crd-schema';

const validator = new ManifestValidator(upstreamBundle());

function texts(object: unknown, type?: string): string[] {
  return validator.validate(object).filter((p) => type === undefined || p.type === type).map((p) => p.text);
}

describe('schema bundle', () => {
  test('the committed bundle is exactly what scripts/schema-bundle.ts derives from ../shared/upstream', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'src', 'check', 'schemas', 'crd-bundle.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(deriveSchemaBundle((f) => fs.readFileSync(path.join(upstreamDir(), f), 'utf8')))));
    expect(shippedSchemaBundle()).toEqual(committed);
  });

  test('records the upstream project and tag of every schema', () => {
    const { sources, kinds } = shippedSchemaBundle();
    expect(sources.find((s) => s.file === 'istio-1.30.3/crd-all.gen.yaml')).toEqual({
      file: 'istio-1.30.3/crd-all.gen.yaml',
      project: 'istio/istio',
      version: '1.30.3',
      url: 'https://raw.githubusercontent.com/istio/istio/1.30.3/manifests/charts/base/files/crd-all.gen.yaml',
    });
    expect(kinds.find((k) => k.kind === 'HelmRelease' && k.apiVersion === 'helm.toolkit.fluxcd.io/v2')?.source).toBe('flux-2.x/helm.toolkit.fluxcd.io_helmreleases.yaml');
    expect(kinds.find((k) => k.kind === 'Certificate')?.source).toBe('cert-manager-1.21.1/cert-manager.io_certificates.yaml');
    for (const k of kinds) expect(sources.map((s) => s.file)).toContain(k.source);
  });

  test('keeps a property named description while dropping documentation', () => {
    // argoproj.io AppProject has spec.description (a field), whose schema keeps its type.
    const project = shippedSchemaBundle().kinds.find((k) => k.kind === 'AppProject')!;
    const spec = (project.schema.properties as any).spec;
    expect(spec.properties.description).toEqual({ type: 'string', maxLength: 255 });
    expect(spec.description).toBeUndefined();
  });
});

describe('CEL rules (x-kubernetes-validations), each rejected with the rule\'s message', () => {
  test('Istio: Gateway tls sets both credentialName and credentialNames', () => {
    const gateway = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'ingress', namespace: 'istio-system' },
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [{ hosts: ['*'], port: { name: 'https', number: 443, protocol: 'HTTPS' }, tls: { mode: 'SIMPLE', credentialName: 'a', credentialNames: ['b'] } }],
      },
    };
    expect(texts(gateway)).toEqual(['spec.servers[0].tls: only one of credentialName or credentialNames can be set']);
    expect(validator.validate(gateway)[0].type).toBe('cel');
  });

  test('Istio: an integer rule (port range) sees CEL ints', () => {
    const se = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'ext', namespace: 'default' },
      spec: { hosts: ['api.example.com'], ports: [{ name: 'https', number: 443, protocol: 'TLS' }], resolution: 'DNS', location: 'MESH_EXTERNAL' },
    };
    expect(texts(se)).toEqual([]);
    const bad = { ...se, spec: { ...se.spec, ports: [{ name: 'https', number: 70000, protocol: 'TLS' }] } };
    expect(texts(bad, 'cel')).toContain('spec.ports[0].number: port must be between 1-65535');
  });

  test('cert-manager: a Venafi Issuer with both tpp and cloud', () => {
    const issuer = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: { name: 'venafi', namespace: 'istio-system' },
      spec: {
        venafi: {
          zone: 'z',
          tpp: { url: 'https://tpp.example.com', credentialsRef: { name: 'tpp' } },
          cloud: { apiTokenSecretRef: { name: 'cloud', key: 'token' } },
        },
      },
    };
    expect(texts(issuer)).toEqual(['spec.venafi: exactly one of tpp, cloud, or ngts must be configured']);
  });

  test('Flux: a HelmRelease with both chart and chartRef, and retryInterval on RemediateOnFailure', () => {
    const hr = {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'istiod', namespace: 'istio-system' },
      spec: {
        interval: '10m',
        chart: { spec: { chart: 'istiod', sourceRef: { kind: 'HelmRepository', name: 'istio' } } },
        chartRef: { kind: 'OCIRepository', name: 'istiod' },
        install: { strategy: { name: 'RemediateOnFailure', retryInterval: '1m' } },
      },
    };
    expect(texts(hr, 'cel').sort()).toEqual([
      "spec.install.strategy: .retryInterval cannot be set when .name is 'RemediateOnFailure'",
      'spec: either chart or chartRef must be set',
    ]);
  });

  test('Flux: a GitRepository with serviceAccountName but no azure provider', () => {
    const repo = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'fleet', namespace: 'flux-system' },
      spec: { interval: '1m', url: 'https://example.com/fleet.git', serviceAccountName: 'git' },
    };
    expect(texts(repo)).toEqual(["spec: serviceAccountName can only be set when provider is 'azure' or 'aws'"]);
  });

  test('External Secrets: a PushSecret dataTo entry whose storeRef names no store', () => {
    const push = {
      apiVersion: 'external-secrets.io/v1alpha1',
      kind: 'PushSecret',
      metadata: { name: 'reader', namespace: 'istio-system' },
      spec: {
        secretStoreRefs: [{ name: 'mesh-secrets', kind: 'ClusterSecretStore' }],
        selector: { secret: { name: 'reader' } },
        dataTo: [{ storeRef: { kind: 'ClusterSecretStore' } }],
      },
    };
    expect(texts(push, 'cel')).toEqual(['spec.dataTo[0]: storeRef must specify either name or labelSelector']);
  });

  test('Argo CD: the pinned v3.5.1 CRDs carry no CEL rule, so the schema is what rejects', () => {
    const argo = shippedSchemaBundle().kinds.filter((k) => k.apiVersion.startsWith('argoproj.io/'));
    expect(argo.map((k) => k.kind).sort()).toEqual(['AppProject', 'Application', 'ApplicationSet']);
    for (const k of argo) expect(JSON.stringify(k.schema)).not.toContain('x-kubernetes-validations');
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'a', namespace: 'argocd' },
      spec: { project: 'default', destination: { name: 'in-cluster' }, source: { repoURL: 'https://example.com/r.git', path: '.' }, syncPolicy: { automated: { prunee: true } } },
    };
    expect(texts(app)).toEqual(['spec.syncPolicy.automated.prunee: unknown field']);
  });

  test('a rule with a function the evaluator lacks is reported, not passed', () => {
    const bundle = { sources: [], kinds: [{ apiVersion: 'example.com/v1', kind: 'Widget', scope: 'Namespaced' as const, source: 'test', schema: {
      type: 'object',
      properties: { spec: { type: 'object', properties: { ip: { type: 'string' } }, 'x-kubernetes-validations': [
        { rule: 'isIP(self.ip)', message: 'ip must be an address' },
        { rule: 'self.ip == oldSelf.ip', message: 'ip is immutable' },
      ] } },
    } }] };
    const problems = new ManifestValidator(bundle).validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'd' }, spec: { ip: '10.0.0.1' } });
    expect(problems).toEqual([
      { type: 'cel-unevaluable', text: 'spec: cannot evaluate rule "isIP(self.ip)": unbound function: isIP' },
      { type: 'cel-skipped', text: 'spec: transition rule not evaluated on create: self.ip == oldSelf.ip' },
    ]);
  });
});

describe('CEL bindings', () => {
  test('integer fields bind as CEL int and number fields as double, as the API server binds them', () => {
    const bundle = { sources: [], kinds: [{ apiVersion: 'example.com/v1', kind: 'Widget', scope: 'Namespaced' as const, source: 'test', schema: {
      type: 'object',
      properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' }, ratio: { type: 'number' } }, 'x-kubernetes-validations': [
        { rule: 'self.replicas % 2 == 0', message: 'replicas must be even' },
        { rule: 'type(self.ratio) == double', message: 'ratio must be a double' },
      ] } },
    } }] };
    const widget = (replicas: number) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'd' }, spec: { replicas, ratio: 1 } });
    const v = new ManifestValidator(bundle);
    expect(v.validate(widget(4))).toEqual([]);
    expect(v.validate(widget(3))).toEqual([{ type: 'cel', text: 'spec: replicas must be even' }]);
  });
});

describe('list types', () => {
  test('x-kubernetes-list-type: map rejects two entries with the same key', () => {
    const bundle = { sources: [], kinds: [{ apiVersion: 'example.com/v1', kind: 'Widget', scope: 'Namespaced' as const, source: 'test', schema: {
      type: 'object',
      properties: { spec: { type: 'object', properties: { ports: {
        type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port'],
        items: { type: 'object', properties: { port: { type: 'integer' }, name: { type: 'string' } } },
      }, tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } } } } },
    } }] };
    const problems = new ManifestValidator(bundle).validate({
      apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'd' },
      spec: { ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }], tags: ['x', 'x'] },
    });
    expect(problems.map((p) => p.text).sort()).toEqual([
      'spec.ports[1]: duplicate entry of a map list, same port as spec.ports[0] (got [80])',
      'spec.tags: must NOT have duplicate items (items ## 1 and 0 are identical)',
    ]);
  });
});

describe('schema findings of meshfleet check', () => {
  const topology = parseTopology(fs.readFileSync(path.join(__dirname, 'fixtures', 'minimal.yaml'), 'utf8'), 'minimal.yaml');

  test('a hand-edited file breaking a CEL rule is MF003 with the rule\'s message; bad YAML is MF001; an unknown kind MF005', () => {
    const gateway = [
      'apiVersion: networking.istio.io/v1',
      'kind: Gateway',
      'metadata: {name: ingress, namespace: istio-system}',
      'spec:',
      '  servers:',
      '    - hosts: ["*"]',
      '      port: {name: https, number: 443, protocol: HTTPS}',
      '      tls: {mode: SIMPLE, credentialName: a, credentialNames: [b]}',
    ].join('\n');
    const output = new Map([
      ['c1/mesh/gateway.yaml', gateway],
      ['c1/mesh/broken.yaml', 'kind: [unclosed'],
      ['c1/mesh/widget.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: d}\n'],
      ['c1/mesh/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [gateway.yaml]\n'],
    ]);
    const findings = runChecks({ topology, output, bundle: upstreamBundle() }).filter((f) => f.code < 'MF010');
    expect(findings.map((f) => [f.code, f.file, f.path, f.message.split('\n')[0]])).toEqual([
      ['MF001', 'c1/mesh/broken.yaml', undefined, expect.stringMatching(/^not valid YAML: /)],
      ['MF003', 'c1/mesh/gateway.yaml', 'spec.servers[0].tls', 'only one of credentialName or credentialNames can be set'],
      ['MF005', 'c1/mesh/widget.yaml', 'kind', 'no schema for example.com/v1 Widget (neither a pinned CRD nor a bundled built-in kind)'],
    ]);
    expect(findings.find((f) => f.code === 'MF003')).toMatchObject({ severity: 'error', cluster: 'c1', object: 'Gateway istio-system/ingress' });
  });
});
