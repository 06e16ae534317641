/**
 * GitOps delivery: the Flux and Argo CD objects, their order, and the layout they apply.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { dump, load, loadAll } from 'js-yaml';
import { validateManifests } from './support/crd-schema';
import { argoCdOrderViolations, fluxOrderViolations } from './support/delivery-order';
import { Manifest, ROOT, Synthesized, synthFile, synthText } from './support/synth';
import { trustHealthChecks } from '../clusters/cluster-secrets';
import { ARGOCD_APPLICATION_HEALTH_LUA, ARGOCD_WAVES } from '../constructs/argocd-delivery';
import { controlPlaneReleases } from '../constructs/control-plane-releases';
import { fluxKubeConfig } from '../constructs/flux-kubeconfig';
import { FluxSync } from '../constructs/flux-sync';
import { writeTempTree } from '../src/cli';
import { toYaml } from '../src/output';
import { MeshFacts } from '../topology';

const DOCS_FILE = 'examples/docs-multi-primary.yaml';
const FLEET_FILE = 'examples/global-fleet.yaml';
const exampleText = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** An example with `edit` applied to its parsed form, synthesized. */
function variant(file: string, edit: (doc: any) => void): Synthesized {
  const doc = load(exampleText(file)) as any;
  edit(doc);
  return synthText(dump(doc));
}

const cache = new Map<string, Synthesized>();
const docs = () => cache.get('docs') ?? cache.set('docs', synthFile(DOCS_FILE)).get('docs')!;
const fleet = () => cache.get('fleet') ?? cache.set('fleet', synthFile(FLEET_FILE)).get('fleet')!;
const fluxOnly = () => cache.get('flux') ?? cache.set('flux', variant(DOCS_FILE, (d) => delete d.delivery.argocd)).get('flux')!;
const argoOnly = () => cache.get('argo') ?? cache.set('argo', variant(FLEET_FILE, (d) => delete d.delivery.flux)).get('argo')!;
const canary = () =>
  cache.get('canary') ??
  cache.set('canary', variant(DOCS_FILE, (d) => (d.mesh.istio.canary = { version: '1.30.3', revision: 'canary', namespaces: ['sample'] }))).get('canary')!;
const ALL = () => ({ docs: docs(), fleet: fleet(), fluxOnly: fluxOnly(), argoOnly: argoOnly(), canary: canary() });

const DELIVERY_KINDS = new Set(['GitRepository', 'Kustomization', 'Application', 'AppProject']);
const deliveryObjects = (s: Synthesized) =>
  s.manifests().filter((m) => DELIVERY_KINDS.has(m.kind) && !m.apiVersion.startsWith('kustomize.config.k8s.io'));

describe('layout', () => {
  test('each cluster directory applies platform, control-plane and mesh, in that order', () => {
    const s = docs();
    for (const c of ['cluster1', 'cluster2']) {
      expect(load(s.tree.get(`${c}/kustomization.yaml`)!)).toEqual({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: ['platform', 'control-plane', 'mesh'],
      });
      expect(s.files(`${c}/flux/`)).toContain(`${c}/flux/kustomization.yaml`);
      expect(s.files(`${c}/istioctl/`)).not.toContain(`${c}/istioctl/kustomization.yaml`);
    }
  });

  test('every Flux and Argo CD object validates against the pinned CRDs', () => {
    for (const [name, s] of Object.entries(ALL())) {
      const objects = deliveryObjects(s);
      expect(objects.length).toBeGreaterThan(0);
      expect({ name, problems: validateManifests(objects) }).toEqual({ name, problems: [] });
    }
  });

  test('kubectl kustomize builds every kustomize directory of both examples', () => {
    for (const s of [docs(), fleet()]) {
      const dir = writeTempTree(s.tree);
      try {
        const roots = s.files().filter((f) => f.endsWith('/kustomization.yaml')).map((f) => path.dirname(f));
        const clusters = s.topology.clusters.map((c) => c.name);
        expect(roots).toEqual(expect.arrayContaining(['argocd', ...clusters, ...clusters.map((c) => `argocd/${c}`), ...clusters.map((c) => `${c}/platform`)]));
        /** Objects a kustomize directory should build to: its files, and its directories' objects. */
        const expected = (root: string): number =>
          (load(s.tree.get(`${root}/kustomization.yaml`)!) as { resources: string[] }).resources
            .map((r) => (r.endsWith('.yaml') ? 1 : expected(`${root}/${r}`)))
            .reduce((a, b) => a + b, 0);
        for (const root of roots) {
          const out = execFileSync('kubectl', ['kustomize', path.join(dir, root)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
          expect({ root, objects: loadAll(out).filter(Boolean).length }).toEqual({ root, objects: expected(root) });
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});

describe('Flux, per-cluster', () => {
  test('each cluster gets a GitRepository and a dependsOn chain platform → control-plane → mesh', () => {
    const s = docs();
    const repo = s.get('cluster1/flux/', 'GitRepository', 'meshfleet', 'flux-system');
    expect(repo.apiVersion).toBe('source.toolkit.fluxcd.io/v1');
    expect(repo.spec).toEqual({ interval: '10m', url: 'https://github.com/example/mesh-fleet.git', ref: { branch: 'main' } });

    const ks = (name: string) => s.get('cluster1/flux/', 'Kustomization', name, 'flux-system');
    const common = { interval: '10m', retryInterval: '1m', prune: true, sourceRef: { kind: 'GitRepository', name: 'meshfleet' } };
    expect(ks('cluster1-platform').spec).toEqual({
      ...common,
      path: './dist/cluster1/platform',
      healthChecks: [{ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: 'istio-intermediate', namespace: 'istio-system' }],
    });
    expect(ks('cluster1-control-plane').spec).toEqual({
      ...common,
      path: './dist/cluster1/control-plane',
      dependsOn: [{ name: 'cluster1-platform' }],
      wait: true,
    });
    expect(ks('cluster1-mesh').spec).toEqual({ ...common, path: './dist/cluster1/mesh', dependsOn: [{ name: 'cluster1-control-plane' }], wait: true });
    // The directory keeps itself in sync after the one-time `kubectl apply -k`.
    expect(ks('cluster1-flux').spec).toEqual({ ...common, path: './dist/cluster1/flux' });
    expect(s.ofKind('cluster1/flux/', 'Kustomization').map((k) => k.metadata.name).sort()).toEqual(
      ['cluster1-control-plane', 'cluster1-flux', 'cluster1-mesh', 'cluster1-platform'],
    );
    expect(s.ofKind('cluster2/flux/', 'Kustomization')).toHaveLength(4);
  });

  test('the platform Kustomization health-checks exactly the trust objects that gate istiod', () => {
    const s = docs();
    const facts = new MeshFacts(s.topology);
    for (const cluster of s.topology.clusters) {
      const platform = s.get(`${cluster.name}/flux/`, 'Kustomization', `${cluster.name}-platform`);
      expect(platform.spec.wait).toBeUndefined();
      expect(platform.spec.healthChecks).toEqual(trustHealthChecks(facts, cluster).map(({ generated: _, ...r }) => r));
    }
  });

  test('gitRepository: flux-system refers to the bootstrap source instead of generating one', () => {
    const s = variant(DOCS_FILE, (d) => (d.delivery.flux.gitRepository = 'flux-system'));
    expect(s.ofKind('cluster1/flux/', 'GitRepository')).toEqual([]);
    for (const k of s.ofKind('cluster1/flux/', 'Kustomization')) expect(k.spec.sourceRef).toEqual({ kind: 'GitRepository', name: 'flux-system' });
  });

  test('paths follow delivery.git.path, including the repository root', () => {
    const s = variant(DOCS_FILE, (d) => (d.delivery.git.path = '.'));
    expect(s.get('cluster1/flux/', 'Kustomization', 'cluster1-mesh').spec.path).toBe('./cluster1/mesh');
    expect(s.get('argocd/cluster1/', 'Application', 'cluster1-mesh').spec.source.path).toBe('cluster1/mesh');
    expect(s.get('argocd/', 'Application', 'meshfleet-cluster1').spec.source.path).toBe('argocd/cluster1');
    const nested = variant(DOCS_FILE, (d) => (d.delivery.git.path = 'deploy/mesh/'));
    expect(nested.get('cluster2/flux/', 'Kustomization', 'cluster2-platform').spec.path).toBe('./deploy/mesh/cluster2/platform');
  });

  test('layers without objects get no Kustomization, and dependsOn skips them', () => {
    const chart = Testing.chart();
    new FluxSync(chart, 'sync', {
      hostCluster: 'c1',
      git: { url: 'https://git.example.com/r.git', branch: 'main', path: 'dist' },
      flux: { mode: 'per-cluster', namespace: 'flux-system', interval: '5m', gitRepository: 'meshfleet' },
      clusters: [{ cluster: 'c1', layers: ['platform', 'mesh'] }],
    });
    const objects = Testing.synth(chart) as Manifest[];
    const names = objects.filter((o) => o.kind === 'Kustomization').map((o) => o.metadata.name).sort();
    expect(names).toEqual(['c1-flux', 'c1-mesh', 'c1-platform']);
    expect(objects.find((o) => o.metadata.name === 'c1-mesh')!.spec.dependsOn).toEqual([{ name: 'c1-platform' }]);
    expect(validateManifests(objects)).toEqual([]);
  });
});

describe('Flux, management cluster', () => {
  test('all Kustomizations live in the management cluster, which alone has a flux directory', () => {
    const s = fleet();
    expect(s.files().filter((f) => /^[^/]+\/flux\//.test(f)).every((f) => f.startsWith('east/flux/'))).toBe(true);
    const names = s.ofKind('east/flux/', 'Kustomization').map((k) => k.metadata.name).sort();
    for (const c of ['east', 'eu', 'eu-edge', 'west', 'west-edge']) {
      expect(names).toEqual(expect.arrayContaining([`${c}-platform`, `${c}-control-plane`, `${c}-mesh`]));
    }
    expect(s.get('east/flux/', 'GitRepository', 'meshfleet').spec).toEqual({
      interval: '10m',
      url: 'ssh://git@github.com/example/fleet-gitops.git',
      ref: { branch: 'main' },
      secretRef: { name: 'flux-system' },
    });
  });

  test('other clusters\' platform and mesh go through their kubeconfig; control planes apply to the management cluster', () => {
    const s = fleet();
    const ks = (name: string) => s.get('east/flux/', 'Kustomization', name);
    for (const c of ['eu', 'eu-edge', 'west', 'west-edge']) {
      const kubeConfig = { secretRef: { name: `${c}-kubeconfig`, key: 'value' } };
      expect(ks(`${c}-platform`).spec.kubeConfig).toEqual(kubeConfig);
      expect(ks(`${c}-mesh`).spec.kubeConfig).toEqual(kubeConfig);
      expect(ks(`${c}-control-plane`).spec.kubeConfig).toBeUndefined();
      // The same convention as the HelmReleases the control-plane layer holds.
      for (const hr of s.ofKind(`${c}/control-plane/`, 'HelmRelease')) expect(hr.spec.kubeConfig).toEqual(kubeConfig);
      expect(fluxKubeConfig(s.topology.delivery, c)).toEqual(kubeConfig);
    }
    for (const layer of ['platform', 'control-plane', 'mesh']) expect(ks(`east-${layer}`).spec.kubeConfig).toBeUndefined();
    expect(fluxKubeConfig(s.topology.delivery, 'east')).toBeUndefined();
  });

  test('remotes have no cacerts to wait for; primaries wait for their ExternalSecret', () => {
    const s = fleet();
    expect(s.get('east/flux/', 'Kustomization', 'west-edge-platform').spec.healthChecks).toBeUndefined();
    expect(s.get('east/flux/', 'Kustomization', 'west-platform').spec.healthChecks).toEqual([
      { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'cacerts', namespace: 'istio-system' },
    ]);
  });
});

describe('Argo CD', () => {
  test('dist/argocd holds the AppProject and one root Application per cluster', () => {
    const s = fleet();
    expect(load(s.tree.get('argocd/kustomization.yaml')!)).toMatchObject({
      resources: [
        'application.argocd.meshfleet-east.yaml',
        'application.argocd.meshfleet-eu-edge.yaml',
        'application.argocd.meshfleet-eu.yaml',
        'application.argocd.meshfleet-west-edge.yaml',
        'application.argocd.meshfleet-west.yaml',
        'appproject.argocd.mesh.yaml',
      ],
    });
    const project = s.get('argocd/', 'AppProject', 'mesh', 'argocd');
    expect(project.spec.sourceRepos).toEqual(['https://istio-release.storage.googleapis.com/charts', 'ssh://git@github.com/example/fleet-gitops.git']);
    expect(project.spec.destinations).toEqual([
      { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
      ...['east', 'eu-edge', 'eu', 'west-edge', 'west'].map((c) => ({ server: `https://${c}.k8s.example.com:6443`, namespace: '*' })),
    ]);
    const root = s.get('argocd/', 'Application', 'meshfleet-west', 'argocd');
    expect(root.metadata.annotations).toBeUndefined();
    expect(root.spec).toEqual({
      project: 'mesh',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
      source: { repoURL: 'ssh://git@github.com/example/fleet-gitops.git', targetRevision: 'main', path: 'dist/argocd/west' },
      syncPolicy: {
        automated: { enabled: true, prune: true, selfHeal: true },
        retry: { limit: -1, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
      },
    });
  });

  test('each cluster\'s children target its API server, in waves platform → base → istiod → gateway → mesh', () => {
    const s = fleet();
    for (const cluster of s.topology.clusters) {
      const apps = s.ofKind(`argocd/${cluster.name}/`, 'Application');
      const waves = Object.fromEntries(apps.map((a) => [a.metadata.name, Number(a.metadata.annotations!['argocd.argoproj.io/sync-wave'])]));
      expect(waves).toEqual({
        [`${cluster.name}-platform`]: 0,
        [`${cluster.name}-istio-base`]: 1,
        [`${cluster.name}-istiod`]: 2,
        [`${cluster.name}-istio-eastwestgateway`]: 3,
        [`${cluster.name}-mesh`]: 4,
      });
      for (const app of apps) {
        expect(app.spec.destination).toEqual({ server: cluster.apiServer, namespace: 'istio-system' });
        expect(app.spec.project).toBe('mesh');
        expect(app.metadata.labels).toEqual({ 'meshfleet.dev/cluster': cluster.name });
      }
    }
    expect(ARGOCD_WAVES).toEqual({ platform: 0, base: 1, istiod: 2, gateway: 3, mesh: 4 });
  });

  test('chart waves follow the releases\' dependsOn', () => {
    for (const s of [fleet(), canary()]) {
      const facts = new MeshFacts(s.topology);
      for (const cluster of s.topology.clusters) {
        const wave = (release: string) => Number(s.get(`argocd/${cluster.name}/`, 'Application', `${cluster.name}-${release}`).metadata.annotations!['argocd.argoproj.io/sync-wave']);
        for (const r of controlPlaneReleases(facts, cluster)) for (const dep of r.dependsOn) expect(wave(r.releaseName)).toBeGreaterThan(wave(dep));
      }
    }
  });

  test('the control plane comes from Helm sources with exactly the Flux HelmReleases\' values', () => {
    for (const s of [docs(), fleet(), canary()]) {
      let compared = 0;
      for (const cluster of s.topology.clusters) {
        for (const hr of s.ofKind(`${cluster.name}/control-plane/`, 'HelmRelease')) {
          const app = s.get(`argocd/${cluster.name}/`, 'Application', `${cluster.name}-${hr.spec.releaseName}`);
          expect(app.spec.source).toEqual({
            repoURL: s.topology.mesh.istio.chartRepository,
            chart: hr.spec.chart.spec.chart,
            targetRevision: hr.spec.chart.spec.version,
            helm: { releaseName: hr.spec.releaseName, ...(hr.spec.values ? { valuesObject: hr.spec.values } : {}) },
          });
          compared++;
        }
      }
      expect(compared).toBeGreaterThanOrEqual(s.topology.clusters.length * 3);
    }
  });

  test('a canary istiod is its own Application, in the istiod wave, at the canary version', () => {
    const s = canary();
    const app = s.get('argocd/cluster1/', 'Application', 'cluster1-istiod-canary');
    expect(app.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '2' });
    expect(app.spec.source).toMatchObject({ chart: 'istiod', targetRevision: '1.30.3', helm: { releaseName: 'istiod-canary' } });
    expect(app.spec.source.helm.valuesObject.revision).toBe('canary');
  });

  test('istiod\'s runtime webhook patches are ignored and not reverted', () => {
    const s = docs();
    const base = s.get('argocd/cluster1/', 'Application', 'cluster1-istio-base');
    expect(base.spec.ignoreDifferences).toEqual([
      {
        group: 'admissionregistration.k8s.io',
        kind: 'ValidatingWebhookConfiguration',
        name: 'istiod-default-validator',
        jqPathExpressions: ['.webhooks[]?.failurePolicy', '.webhooks[]?.clientConfig.caBundle'],
      },
    ]);
    expect(base.spec.syncPolicy.syncOptions).toEqual(['ServerSideApply=true', 'RespectIgnoreDifferences=true']);
    const istiod = s.get('argocd/cluster1/', 'Application', 'cluster1-istiod');
    expect(istiod.spec.ignoreDifferences).toEqual([
      { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
      {
        group: 'admissionregistration.k8s.io',
        kind: 'ValidatingWebhookConfiguration',
        jqPathExpressions: ['.webhooks[]?.failurePolicy', '.webhooks[]?.clientConfig.caBundle'],
      },
    ]);
    expect(istiod.spec.syncPolicy.syncOptions).toEqual(['RespectIgnoreDifferences=true']);
    const gateway = s.get('argocd/cluster1/', 'Application', 'cluster1-istio-eastwestgateway');
    expect(gateway.spec.ignoreDifferences).toBeUndefined();
    expect(gateway.spec.syncPolicy.syncOptions).toBeUndefined();
  });

  test('Git layers: mesh config skips the dry run of kinds not installed yet; platform has no sync options', () => {
    const s = docs();
    const mesh = s.get('argocd/cluster2/', 'Application', 'cluster2-mesh');
    expect(mesh.spec.source).toEqual({ repoURL: 'https://github.com/example/mesh-fleet.git', targetRevision: 'main', path: 'dist/cluster2/mesh' });
    expect(mesh.spec.syncPolicy).toEqual({
      automated: { enabled: true, prune: true, selfHeal: true },
      syncOptions: ['SkipDryRunOnMissingResource=true'],
      retry: { limit: -1, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
    });
    const platform = s.get('argocd/cluster2/', 'Application', 'cluster2-platform');
    expect(platform.spec.source.path).toBe('dist/cluster2/platform');
    expect(platform.spec.syncPolicy.syncOptions).toBeUndefined();
    // With Flux on, Argo CD must not apply the Flux HelmReleases of the control-plane directory.
    expect(s.ofKind('argocd/', 'Application').map((a) => a.spec.source.path).filter((p) => p?.includes('control-plane'))).toEqual([]);
  });

  test('the platform wave waits for the trust objects only', () => {
    for (const s of [docs(), fleet()]) {
      const facts = new MeshFacts(s.topology);
      for (const cluster of s.topology.clusters) {
        const gating = new Set(trustHealthChecks(facts, cluster).map((r) => `${r.kind}/${r.name}`));
        for (const m of s.manifests(`${cluster.name}/platform/`)) {
          const ignored = m.metadata.annotations?.['argocd.argoproj.io/ignore-healthcheck'] === 'true';
          const custom = m.apiVersion.includes('/');
          expect({ object: `${m.kind}/${m.metadata.name}`, ignored }).toEqual({
            object: `${m.kind}/${m.metadata.name}`,
            ignored: custom && !gating.has(`${m.kind}/${m.metadata.name}`),
          });
        }
      }
    }
    // Without Argo CD, nothing is annotated.
    expect(fluxOnly().manifests().filter((m) => m.metadata.annotations?.['argocd.argoproj.io/ignore-healthcheck'])).toEqual([]);
  });

  test('without Flux, the control-plane directory is empty and Argo CD installs the charts', () => {
    const s = argoOnly();
    expect(s.files().filter((f) => f.includes('/control-plane/') || f.includes('/flux/'))).toEqual([]);
    expect(s.ofKind('argocd/eu-edge/', 'Application').map((a) => a.metadata.name).sort()).toEqual(
      ['eu-edge-istio-base', 'eu-edge-istio-eastwestgateway', 'eu-edge-istiod', 'eu-edge-mesh', 'eu-edge-platform'],
    );
    expect(load(s.tree.get('eu-edge/kustomization.yaml')!)).toMatchObject({ resources: ['platform', 'mesh'] });
  });

  test('without Argo CD there is no argocd directory', () => {
    expect(fluxOnly().files('argocd/')).toEqual([]);
  });

  test('docs/delivery.md carries the Application health check the waves rely on', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'delivery.md'), 'utf8');
    // The `argocd-cm` snippet of the bootstrap steps, as YAML.
    const block = /\n( *)```yaml\n((?:\1.*\n)*?\1apiVersion: v1\n(?:\1.*\n)*?)\1```/.exec(doc);
    expect(block).not.toBeNull();
    const indent = block![1].length;
    const snippet = load(block![2].split('\n').map((l) => l.slice(indent)).join('\n')) as any;
    expect(snippet.metadata).toEqual({ name: 'argocd-cm', namespace: 'argocd' });
    expect(snippet.data['resource.customizations.health.argoproj.io_Application']).toBe(ARGOCD_APPLICATION_HEALTH_LUA);
  });
});

describe('order', () => {
  test('every object\'s Kustomization or HelmRelease comes after what it needs (Flux)', () => {
    for (const [name, s] of Object.entries(ALL())) {
      if (!s.topology.delivery.flux) continue;
      expect({ name, violations: fluxOrderViolations(s) }).toEqual({ name, violations: [] });
    }
  });

  test('every object\'s sync wave comes after what it needs (Argo CD)', () => {
    for (const [name, s] of Object.entries(ALL())) {
      if (!s.topology.delivery.argocd) continue;
      expect({ name, violations: argoCdOrderViolations(s) }).toEqual({ name, violations: [] });
    }
  });

  test('the model catches a broken order', () => {
    const s = docs();
    const broken = new Map(s.tree);
    const edit = (file: string, change: (m: any) => void) => {
      const m = load(broken.get(file)!) as any;
      change(m);
      broken.set(file, toYaml(m));
    };
    edit('cluster1/flux/kustomization.flux-system.cluster1-mesh.yaml', (m) => (m.spec.dependsOn = [{ name: 'cluster1-platform' }]));
    edit('cluster1/flux/kustomization.flux-system.cluster1-control-plane.yaml', (m) => delete m.spec.dependsOn);
    edit('argocd/cluster2/application.argocd.cluster2-istio-eastwestgateway.yaml', (m) => (m.metadata.annotations['argocd.argoproj.io/sync-wave'] = '2'));
    edit('argocd/cluster2/application.argocd.cluster2-mesh.yaml', (m) => (m.metadata.annotations['argocd.argoproj.io/sync-wave'] = '0'));
    const b = new Synthesized(s.topology, broken);
    const flux = fluxOrderViolations(b);
    expect(flux).toEqual(expect.arrayContaining([
      expect.stringMatching(/^Kustomization cluster1-mesh: PeerAuthentication istio-system\/default needs crd:cluster1\/istio/),
      expect.stringMatching(/^HelmRelease cluster1:istio-system\/istiod: HelmRelease cluster1:istio-system\/istiod needs obj:cluster1\/Certificate\/istio-system\/istio-intermediate/),
      expect.stringMatching(/^HelmRelease cluster1:istio-system\/istio-base: HelmRelease cluster1:istio-system\/istio-base needs ns:cluster1\/istio-system/),
    ]));
    expect(flux.every((v) => v.includes('cluster1'))).toBe(true);
    const argo = argoCdOrderViolations(b);
    expect(argo).toEqual(expect.arrayContaining([
      'Application cluster2-istio-eastwestgateway: Application cluster2-istio-eastwestgateway needs chart:cluster2/istiod (ready) first',
      expect.stringMatching(/^Application cluster2-mesh: .* needs crd:cluster2\/istio/),
      expect.stringMatching(/^Application cluster2-mesh: Secret istio-system\/istio-reader-service-account-istio-remote-secret-token needs sa:cluster2\/istio-system\/istio-reader-service-account/),
    ]));
    expect(argo.every((v) => v.includes('cluster2'))).toBe(true);
  });
});

describe('changing one service', () => {
  /** Files that differ between two trees (added, removed or changed). */
  const changed = (a: Synthesized, b: Synthesized) =>
    [...new Set([...a.tree.keys(), ...b.tree.keys()])].filter((f) => a.tree.get(f) !== b.tree.get(f)).sort();

  /**
   * Clusters a service can touch: where it runs, where its consumers run, every primary
   * (mesh config is replicated to every primary), and the primaries of those remotes.
   */
  const touchedBy = (s: Synthesized, name: string) => {
    const facts = new MeshFacts(s.topology);
    const service = s.topology.services.find((x) => x.name === name)!;
    const names = new Set([...service.runsIn, ...service.consumers.flatMap((c) => c.clusters), ...facts.primaries.map((p) => p.name)]);
    for (const n of [...names]) names.add(facts.controlPlaneOf(facts.cluster(n)).name);
    return names;
  };

  /** Asserts `edit` changes some files, all of them under `<c>/` or `argocd/<c>/` of a touched cluster. */
  const expectConfined = (service: string, edit: (svc: any) => void) => {
    const before = fleet();
    const after = variant(FLEET_FILE, (d) => edit(d.services.find((x: any) => x.name === service)));
    const files = changed(before, after);
    expect(files.length).toBeGreaterThan(0);
    const touched = touchedBy(after, service);
    const clusterOf = (f: string) => (f.startsWith('argocd/') ? f.split('/')[1] : f.split('/')[0]);
    for (const f of files) {
      // Fleet-wide files (AppProject, root Applications) and the Flux wiring never depend on services.
      expect({ f, fleetWide: /^argocd\/[^/]+$/.test(f) || /\/flux\//.test(f) }).toEqual({ f, fleetWide: false });
      expect({ f, touched: touched.has(clusterOf(f)) }).toEqual({ f, touched: true });
    }
    return { files, touched };
  };

  test('a caller change touches only the clusters the service and its callers are in', () => {
    const { files, touched } = expectConfined('ledger', (svc) => (svc.consumers[0].serviceAccount = 'checkout'));
    expect(touched.has('west-edge')).toBe(false);
    expect(files).toContain('eu/mesh/authorizationpolicy.payments.ledger.yaml');
  });

  test('making a service global changes istiod values in both tools, for touched clusters only', () => {
    const { files, touched } = expectConfined('inventory-db', (svc) => (svc.clusterLocal = false));
    expect([...touched].sort()).toEqual(['east', 'eu', 'west']);
    const argo = files.filter((f) => f.startsWith('argocd/'));
    const flux = files.filter((f) => /\/control-plane\/helmrelease\./.test(f));
    // The same istiod values reach both tools.
    expect(argo.map((f) => f.split('/')[1]).sort()).toEqual(flux.map((f) => f.split('/')[0]).sort());
  });
});
