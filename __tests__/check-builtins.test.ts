/**
 * `meshfleet check`, check 1 for built-in kinds: the shipped bundle derived from the pinned
 * Kubernetes OpenAPI (@kubernetes/client-node models), and a corpus of broken built-in
 * objects the API server would reject, each with the expected path and message.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { shippedBuiltinBundle } from '../src/check/builtin-bundle';
import { runChecks } from '../src/check/run-checks';
import { ManifestValidator } from '../src/check/schema-validator';
import { parseTopology } from '../topology';
import { readBuiltinSource } from '../scripts/builtin-source';
import { upstreamBundle } from './support/crd-schema';

/** Built-ins only: no CRD in the way. */
const validator = new ManifestValidator({ sources: [], kinds: [] });

function texts(object: unknown): string[] {
  return validator.validate(object).map((p) => `${p.type} ${p.text}`);
}

const service = (spec: unknown) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec });

/** A Deployment as users write it: probes, env, resources (quantities as strings and numbers), volumes. */
function deployment(podSpec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { creationTimestamp: null, labels: { app: 'web' }, annotations: { 'sidecar.istio.io/inject': 'true' } },
        spec: {
          serviceAccountName: 'web',
          securityContext: { runAsNonRoot: true, fsGroup: 2000 },
          containers: [{
            name: 'web',
            image: 'nginx:1.27',
            ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
            env: [{ name: 'MODE', value: 'prod' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            resources: { limits: { cpu: 0.5, memory: '512Mi' }, requests: { cpu: '100m', 'nvidia.com/gpu': 1 } },
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
            livenessProbe: { tcpSocket: { port: 8080 } },
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          }],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }],
          ...podSpec,
        },
      },
    },
  };
}

describe('built-in bundle', () => {
  test('the committed bundle is exactly what scripts/builtin-bundle.ts derives from the pinned package', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'src', 'check', 'schemas', 'builtin-bundle.json'), 'utf8'));
    expect(readBuiltinSource()).toEqual(committed);
    expect(shippedBuiltinBundle()).toEqual(committed);
  });

  test('records the source package, its exact pin and the Kubernetes release', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    expect(pkg.devDependencies['@kubernetes/client-node']).toBe('2.0.1');
    expect(pkg.dependencies['@kubernetes/client-node']).toBeUndefined();
    expect(shippedBuiltinBundle().source).toEqual({ package: '@kubernetes/client-node', version: '2.0.1', kubernetes: 'release-1.36' });
  });

  test('holds the kinds meshfleet writes and the common workload kinds', () => {
    const kinds = shippedBuiltinBundle().kinds.map((k) => `${k.apiVersion} ${k.kind}`);
    expect(kinds).toEqual(expect.arrayContaining([
      'v1 Namespace', 'v1 Secret', 'v1 ConfigMap', 'v1 Service', 'v1 ServiceAccount',
      'apps/v1 Deployment', 'apps/v1 StatefulSet', 'batch/v1 Job', 'policy/v1 PodDisruptionBudget',
      'rbac.authorization.k8s.io/v1 RoleBinding', 'networking.k8s.io/v1 NetworkPolicy',
    ]));
  });

  test('the ServicePort definition is the OpenAPI\'s: port required, targetPort int-or-string', () => {
    expect(shippedBuiltinBundle().definitions.V1ServicePort).toEqual({
      type: 'object',
      properties: {
        appProtocol: { type: 'string' },
        name: { type: 'string' },
        nodePort: { type: 'integer', format: 'int32' },
        port: { type: 'integer', format: 'int32' },
        protocol: { type: 'string' },
        targetPort: { 'x-kubernetes-int-or-string': true },
      },
      required: ['port'],
    });
  });
});

describe('built-in objects the API server rejects', () => {
  test.each([
    ['unknown field in a Service spec', service({ ports: [{ port: 80 }], clusterIp: 'None' }),
      ['schema spec.clusterIp: unknown field']],
    ['missing required port in a Service', service({ ports: [{ name: 'http', targetPort: 8080 }] }),
      ['schema spec.ports[0].port: required field is missing']],
    ['a Service port as a string', service({ ports: [{ port: '80' }] }),
      ['schema spec.ports[0].port: must be integer or null (got string "80")']],
    ['a boolean targetPort', service({ ports: [{ port: 80, targetPort: true }] }),
      ['schema spec.ports[0].targetPort: must be integer or string or null (got boolean true)']],
    ['wrong type in a Namespace label', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': true } } },
      ['schema metadata.labels.istio-injection: must be string (got boolean true)']],
    ['unknown field in a Namespace spec', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' }, spec: { finalizer: ['kubernetes'] } },
      ['schema spec.finalizer: unknown field']],
    ['a Secret with data that is not base64', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'shop' }, data: { token: 'not base64!' } },
      ['schema data.token: must be a valid byte (got string "not base64!")']],
    ['a ConfigMap with an integer value', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data: { replicas: 3 } },
      ['schema data.replicas: must be string (got number 3)']],
    ['a ServiceAccount with a boolean as string', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', namespace: 'shop' }, automountServiceAccountToken: 'false' },
      ['schema automountServiceAccountToken: must be boolean or null (got string "false")']],
    ['a container without a name and a quantity that is not one', deployment({ containers: [{ image: 'nginx', resources: { limits: { cpu: 'lots' } } }] }),
      ['schema spec.template.spec.containers[0].name: required field is missing',
        'schema spec.template.spec.containers[0].resources.limits.cpu: must be a valid quantity (got string "lots")']],
    ['an unknown field deep in a pod template', deployment({ restartpolicy: 'Always' }),
      ['schema spec.template.spec.restartpolicy: unknown field']],
    ['a Deployment without a selector', { ...deployment(), spec: { template: { spec: { containers: [{ name: 'a' }] } } } },
      ['schema spec.selector: required field is missing']],
    ['a RoleBinding without roleRef', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'shop' }, subjects: [{ kind: 'ServiceAccount', name: 'web' }] },
      ['schema roleRef: required field is missing']],
    ['a Deployment of a removed apiVersion', { ...deployment(), apiVersion: 'extensions/v1beta1' },
      ['no-schema apiVersion: no schema for extensions/v1beta1 Deployment (Deployment is served as apps/v1)']],
  ])('%s', (_name, object, expected) => {
    expect(texts(object)).toEqual(expected);
  });

  test('valid objects pass: quantities as strings and numbers, int-or-string ports by name, null timestamps', () => {
    expect(texts(deployment())).toEqual([]);
    expect(texts(service({ type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }))).toEqual([]);
    expect(texts({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'shop' }, type: 'Opaque', data: { token: 'c2VjcmV0' }, stringData: { user: 'me' } })).toEqual([]);
  });

  test('a broken built-in object in the output is MF002 with the path, object and file', () => {
    const topology = parseTopology(fs.readFileSync(path.join(__dirname, 'fixtures', 'minimal.yaml'), 'utf8'), 'minimal.yaml');
    const output = new Map([
      ['c1/mesh/svc.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  ports: [{name: http}]\n  selectr: {app: web}\n'],
      ['c1/mesh/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [svc.yaml]\n'],
    ]);
    const findings = runChecks({ topology, output, bundle: upstreamBundle() }).filter((f) => f.code === 'MF002');
    expect(findings.map((f) => [f.code, f.severity, f.file, f.object, f.path, f.message])).toEqual([
      ['MF002', 'error', 'c1/mesh/svc.yaml', 'Service shop/web', 'spec.ports[0].port', 'required field is missing'],
      ['MF002', 'error', 'c1/mesh/svc.yaml', 'Service shop/web', 'spec.selectr', 'unknown field'],
    ]);
  });
});
