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
import { synthesizeFleet } from '../clusters/fleet';
import { ARGOCD_APPLICATION_HEALTH_LUA, ARGOCD_WAVES } from '../constructs/argocd-delivery';
import { fluxKubeConfig } from '../constructs/flux-kubeconfig';
import { FLUX_LAYER_DEPENDENCIES, FluxSync } from '../constructs/flux-sync';
import { writeTempTree } from '../src/cli';
import { APPLIED_LAYERS } from '../src/layer-chart';
import { toYaml } from '../src/output';
import { MeshFacts, Topology } from '../topology';

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
const fleetPerCluster = () =>
  cache.get('fleetPerCluster') ??
  cache.set('fleetPerCluster', variant(FLEET_FILE, (d) => {
    d.delivery.flux.mode = 'per-cluster';
    delete d.delivery.flux.managementCluster;
  })).get('fleetPerCluster')!;
const ALL = () => ({ docs: docs(), fleet: fleet(), fluxOnly: fluxOnly(), argoOnly: argoOnly(), canary: canary(), fleetPerCluster: fleetPerCluster() });

/** The CEL expression a platform Kustomization requires of a Certificate or ExternalSecret. */
const READY_TRUE = "has(status.conditions) && status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')";

const DELIVERY_KINDS = new Set(['GitRepository', 'Kustomization', 'HelmRepository', 'HelmRelease', 'Application', 'ApplicationSet', 'AppProject']);
const deliveryObjects = (s: Synthesized) =>
  s.manifests().filter((m) => DELIVERY_KINDS.has(m.kind) && !m.apiVersion.startsWith('kustomize.config.k8s.io'));

describe('layout', () => {
  test('each cluster directory applies platform, base, reader, control-plane and mesh, in that order', () => {
    const s = docs();
    expect(APPLIED_LAYERS).toEqual(['platform', 'base', 'reader', 'control-plane', 'mesh']);
    for (const c of ['cluster1', 'cluster2']) {
      expect(load(s.tree.get(`${c}/kustomization.yaml`)!)).toEqual({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: ['platform', 'base', 'reader', 'control-plane', 'mesh'],
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

describe('layers', () => {
  test('base holds istio-base (and the HelmRepository); reader the token Secret and its PushSecret; control-plane istiod and the gateway', () => {
    const s = docs();
    const kinds = (dir: string) => s.manifests(dir).map((m) => `${m.kind}/${m.metadata.name}`).sort();
    expect(kinds('cluster1/base/')).toEqual(['HelmRelease/istio-base', 'HelmRepository/istio']);
    expect(kinds('cluster1/reader/')).toEqual(['PushSecret/istio-reader-token', 'Secret/istio-reader-service-account-istio-remote-secret-token']);
    expect(kinds('cluster1/control-plane/')).toEqual(['HelmRelease/istio-eastwestgateway', 'HelmRelease/istiod']);
    expect(s.manifests('cluster1/mesh/').filter((m) => m.kind === 'Secret' || m.kind === 'PushSecret' || m.kind === 'HelmRelease')).toEqual([]);
    // A remote has no Istio configuration of its own: no mesh directory any more.
    expect(fleet().files('west-edge/mesh/')).toEqual([]);
    expect(load(fleet().tree.get('west-edge/kustomization.yaml')!)).toMatchObject({ resources: ['platform', 'base', 'reader', 'control-plane'] });
  });

  test('every HelmRelease retries failed installs and upgrades every minute instead of stalling', () => {
    for (const [name, s] of Object.entries(ALL())) {
      for (const hr of s.ofKind('', 'HelmRelease')) {
        expect({ name, release: hr.metadata.name, install: hr.spec.install, upgrade: hr.spec.upgrade }).toEqual({
          name,
          release: hr.metadata.name,
          install: { strategy: { name: 'RetryOnFailure', retryInterval: '1m' } },
          upgrade: { strategy: { name: 'RetryOnFailure', retryInterval: '1m' } },
        });
      }
    }
    // The pinned CRD knows the field and the value (validateManifests checks enums).
    const hr = fleet().get('west-edge/control-plane/', 'HelmRelease', 'west-edge-istio-eastwestgateway');
    expect(validateManifests([hr])).toEqual([]);
    expect(validateManifests([{ ...hr, spec: { ...hr.spec, install: { strategy: { name: 'RetryForever' } } } }])).not.toEqual([]);
  });

  test('generated namespaces are never pruned or deleted by Flux or Argo CD', () => {
    for (const [name, s] of Object.entries(ALL())) {
      const namespaces = s.ofKind('', 'Namespace');
      expect(namespaces.length).toBeGreaterThan(s.topology.clusters.length);
      for (const ns of namespaces) {
        expect({ name, ns: ns.metadata.name, annotations: ns.metadata.annotations }).toEqual({
          name,
          ns: ns.metadata.name,
          annotations: expect.objectContaining({
            'kustomize.toolkit.fluxcd.io/prune': 'disabled',
            'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
            'argocd.argoproj.io/compare-options': 'IgnoreExtraneous',
          }),
        });
      }
    }
  });
});

describe('Flux, per-cluster', () => {
  test('each cluster gets a GitRepository and Kustomizations platform → base → reader, base → control-plane → mesh', () => {
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
      // A Certificate without a Ready condition yet (cert-manager not running) must not open the gate.
      healthCheckExprs: [{ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', current: READY_TRUE }],
      timeout: '10m',
    });
    expect(ks('cluster1-base').spec).toEqual({ ...common, path: './dist/cluster1/base', dependsOn: [{ name: 'cluster1-platform' }], wait: true, timeout: '5m' });
    // The reader token follows base only: it must not wait for istiod or the gateway, nor they for it.
    expect(ks('cluster1-reader').spec).toEqual({ ...common, path: './dist/cluster1/reader', dependsOn: [{ name: 'cluster1-base' }], wait: true, timeout: '5m' });
    expect(ks('cluster1-control-plane').spec).toEqual({
      ...common,
      path: './dist/cluster1/control-plane',
      dependsOn: [{ name: 'cluster1-base' }],
      wait: true,
      timeout: '15m',
    });
    expect(ks('cluster1-mesh').spec).toEqual({ ...common, path: './dist/cluster1/mesh', dependsOn: [{ name: 'cluster1-control-plane' }], wait: true, timeout: '5m' });
    // The directory keeps itself in sync after the one-time `kubectl apply -k`; deleting or
    // renaming it orphans what it applied (the layer Kustomizations, and with them Istio).
    expect(ks('cluster1-flux').spec).toEqual({ ...common, path: './dist/cluster1/flux', timeout: '2m', deletionPolicy: 'Orphan' });
    expect(s.ofKind('cluster1/flux/', 'Kustomization').map((k) => k.metadata.name).sort()).toEqual(
      ['cluster1-base', 'cluster1-control-plane', 'cluster1-flux', 'cluster1-mesh', 'cluster1-platform', 'cluster1-reader'],
    );
    expect(s.ofKind('cluster2/flux/', 'Kustomization')).toHaveLength(6);
    expect(FLUX_LAYER_DEPENDENCIES).toEqual({ 'platform': [], 'base': ['platform'], 'reader': ['base'], 'control-plane': ['base'], 'mesh': ['control-plane'] });
  });

  test('each cluster\'s Flux has its own HelmRepository istio, in its base layer, which its releases use', () => {
    const s = docs();
    expect(s.files().filter((f) => /\/helmrepository\./.test(f))).toEqual(['cluster1/base/helmrepository.flux-system.istio.yaml', 'cluster2/base/helmrepository.flux-system.istio.yaml']);
    for (const c of ['cluster1', 'cluster2']) {
      for (const hr of [...s.ofKind(`${c}/base/`, 'HelmRelease'), ...s.ofKind(`${c}/control-plane/`, 'HelmRelease')]) {
        expect(hr.spec.chart.spec.sourceRef).toEqual({ kind: 'HelmRepository', name: 'istio', namespace: 'flux-system' });
      }
    }
  });

  test('the platform Kustomization health-checks exactly the trust objects that gate istiod', () => {
    const certificate = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: 'istio-intermediate', namespace: 'istio-system' };
    const expected: Record<string, [string, any[] | undefined, any[] | undefined]> = {
      'cert-manager': ['docs', [certificate], [{ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', current: READY_TRUE }]],
      'existing': ['existing', [{ apiVersion: 'v1', kind: 'Secret', name: 'cacerts', namespace: 'istio-system' }], undefined],
    };
    const existing = variant(DOCS_FILE, (d) => (d.trust = { provider: 'existing' }));
    for (const [provider, [which, healthChecks, exprs]] of Object.entries(expected)) {
      const s = which === 'docs' ? docs() : existing;
      for (const cluster of ['cluster1', 'cluster2']) {
        const platform = s.get(`${cluster}/flux/`, 'Kustomization', `${cluster}-platform`);
        expect({ provider, wait: platform.spec.wait, healthChecks: platform.spec.healthChecks, exprs: platform.spec.healthCheckExprs })
          .toEqual({ provider, wait: undefined, healthChecks, exprs });
      }
    }
  });

  test('gitRepository: flux-system refers to the bootstrap source instead of generating one', () => {
    const s = variant(DOCS_FILE, (d) => (d.delivery.flux.gitRepository = 'flux-system'));
    expect(s.ofKind('cluster1/flux/', 'GitRepository')).toEqual([]);
    for (const k of s.ofKind('cluster1/flux/', 'Kustomization')) expect(k.spec.sourceRef).toEqual({ kind: 'GitRepository', name: 'flux-system' });
    // One owner of flux/: the bootstrap's own Kustomization of it (docs/delivery.md), not a second one here.
    expect(s.ofKind('cluster1/flux/', 'Kustomization').map((k) => k.metadata.name).sort()).toEqual(
      ['cluster1-base', 'cluster1-control-plane', 'cluster1-mesh', 'cluster1-platform', 'cluster1-reader'],
    );
    expect(s.ofKind('', 'Kustomization').filter((k) => k.apiVersion.startsWith('kustomize.toolkit') && k.spec.path.endsWith('/flux'))).toEqual([]);
  });

  test('paths follow delivery.git.path, including the repository root', () => {
    const s = variant(DOCS_FILE, (d) => (d.delivery.git.path = '.'));
    expect(s.get('cluster1/flux/', 'Kustomization', 'cluster1-mesh').spec.path).toBe('./cluster1/mesh');
    expect(s.get('argocd/cluster1/', 'Application', 'cluster1-mesh').spec.source.path).toBe('cluster1/mesh');
    expect(s.get('argocd/', 'ApplicationSet', 'meshfleet-roots').spec.generators[0].git.directories).toEqual([{ path: 'argocd/*' }]);
    const nested = variant(DOCS_FILE, (d) => (d.delivery.git.path = 'deploy/mesh/'));
    expect(nested.get('cluster2/flux/', 'Kustomization', 'cluster2-platform').spec.path).toBe('./deploy/mesh/cluster2/platform');
  });

  test('layers without objects get no Kustomization, and dependsOn skips them', () => {
    const chart = Testing.chart();
    new FluxSync(chart, 'sync', {
      hostCluster: 'c1',
      git: { url: 'https://git.example.com/r.git', branch: 'main', path: 'dist' },
      flux: { mode: 'per-cluster', namespace: 'flux-system', interval: '5m', gitRepository: 'meshfleet' },
      clusters: [{ cluster: 'c1', layers: ['platform', 'reader', 'mesh'] }],
    });
    const objects = Testing.synth(chart) as Manifest[];
    const names = objects.filter((o) => o.kind === 'Kustomization').map((o) => o.metadata.name).sort();
    expect(names).toEqual(['c1-flux', 'c1-mesh', 'c1-platform', 'c1-reader']);
    // mesh → control-plane → base → platform and reader → base → platform, skipping the missing layers.
    expect(objects.find((o) => o.metadata.name === 'c1-mesh')!.spec.dependsOn).toEqual([{ name: 'c1-platform' }]);
    expect(objects.find((o) => o.metadata.name === 'c1-reader')!.spec.dependsOn).toEqual([{ name: 'c1-platform' }]);
    expect(validateManifests(objects)).toEqual([]);
  });
});

describe('Flux, management cluster', () => {
  test('all Kustomizations live in the management cluster, which alone has a flux directory', () => {
    const s = fleet();
    expect(s.files().filter((f) => /^[^/]+\/flux\//.test(f)).every((f) => f.startsWith('east/flux/'))).toBe(true);
    const names = s.ofKind('east/flux/', 'Kustomization').map((k) => k.metadata.name).sort();
    for (const c of ['east', 'eu', 'west']) {
      expect(names).toEqual(expect.arrayContaining(['platform', 'base', 'reader', 'control-plane', 'mesh'].map((l) => `${c}-${l}`)));
    }
    // Remotes have no Istio configuration of their own, so no mesh layer.
    for (const c of ['eu-edge', 'west-edge']) {
      expect(names.filter((n) => n.startsWith(`${c}-`))).toEqual(['platform', 'base', 'reader', 'control-plane'].map((l) => `${c}-${l}`).sort());
    }
    expect(s.get('east/flux/', 'GitRepository', 'meshfleet').spec).toEqual({
      interval: '10m',
      url: 'ssh://git@github.com/example/fleet-gitops.git',
      ref: { branch: 'main' },
      secretRef: { name: 'flux-system' },
    });
  });

  test('other clusters\' platform, reader and mesh go through their kubeconfig; base and control planes apply to the management cluster', () => {
    const s = fleet();
    const ks = (name: string) => s.get('east/flux/', 'Kustomization', name);
    for (const c of ['eu', 'eu-edge', 'west', 'west-edge']) {
      const kubeConfig = { secretRef: { name: `${c}-kubeconfig`, key: 'value' } };
      expect(ks(`${c}-platform`).spec.kubeConfig).toEqual(kubeConfig);
      expect(ks(`${c}-reader`).spec.kubeConfig).toEqual(kubeConfig);
      if (!c.endsWith('-edge')) expect(ks(`${c}-mesh`).spec.kubeConfig).toEqual(kubeConfig);
      expect(ks(`${c}-base`).spec.kubeConfig).toBeUndefined();
      expect(ks(`${c}-control-plane`).spec.kubeConfig).toBeUndefined();
      // The same convention as the HelmReleases the base and control-plane layers hold.
      for (const hr of [...s.ofKind(`${c}/base/`, 'HelmRelease'), ...s.ofKind(`${c}/control-plane/`, 'HelmRelease')]) expect(hr.spec.kubeConfig).toEqual(kubeConfig);
      expect(fluxKubeConfig(s.topology.delivery, c)).toEqual(kubeConfig);
    }
    for (const layer of ['platform', 'base', 'reader', 'control-plane', 'mesh']) expect(ks(`east-${layer}`).spec.kubeConfig).toBeUndefined();
    expect(fluxKubeConfig(s.topology.delivery, 'east')).toBeUndefined();
  });

  test('one HelmRepository for the whole fleet, in the management cluster\'s base layer; every other base waits for it', () => {
    const s = fleet();
    const repositories = s.files().filter((f) => /\/helmrepository\./.test(f));
    expect(repositories).toEqual(['east/base/helmrepository.flux-system.istio.yaml']);
    expect(s.get('east/base/', 'HelmRepository', 'istio', 'flux-system').spec).toEqual({ interval: '10m', url: 'https://istio-release.storage.googleapis.com/charts' });
    const releases = s.ofKind('', 'HelmRelease');
    expect(releases.length).toBe(5 * 3);
    for (const hr of releases) expect(hr.spec.chart.spec.sourceRef).toEqual({ kind: 'HelmRepository', name: 'istio', namespace: 'flux-system' });
    for (const c of ['eu', 'eu-edge', 'west', 'west-edge']) {
      expect(s.get('east/flux/', 'Kustomization', `${c}-base`).spec.dependsOn).toEqual([{ name: 'east-base' }, { name: `${c}-platform` }]);
    }
    expect(s.get('east/flux/', 'Kustomization', 'east-base').spec.dependsOn).toEqual([{ name: 'east-platform' }]);
    // Everything the management cluster's Flux applies into its own namespaces is unique (no two objects collide).
    const local = s.topology.clusters.flatMap((c) => [...s.manifests(`${c.name}/base/`), ...s.manifests(`${c.name}/control-plane/`)])
      .filter((m) => m.spec.kubeConfig === undefined || m.metadata.namespace === 'flux-system')
      .map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`);
    expect(new Set(local).size).toBe(local.length);
  });

  test('a remote\'s control plane waits for its primary\'s mesh layer (istiod exposed); reader and control plane never wait for each other', () => {
    const s = fleet();
    const dependsOn = (name: string) => (s.get('east/flux/', 'Kustomization', name).spec.dependsOn ?? []).map((d: any) => d.name);
    expect(dependsOn('west-edge-control-plane')).toEqual(['west-edge-base', 'west-mesh']);
    expect(dependsOn('eu-edge-control-plane')).toEqual(['eu-edge-base', 'eu-mesh']);
    expect(dependsOn('west-control-plane')).toEqual(['west-base']);
    for (const c of s.topology.clusters.map((x) => x.name)) {
      expect(dependsOn(`${c}-reader`)).toEqual([`${c}-base`]);
      expect(dependsOn(`${c}-control-plane`)).not.toContain(`${c}-reader`);
    }
    // Per-cluster Flux cannot order clusters: no cross-cluster dependsOn at all.
    for (const k of fleetPerCluster().ofKind('', 'Kustomization').filter((x) => x.apiVersion.startsWith('kustomize.toolkit'))) {
      const cluster = k.metadata.name.replace(/-(platform|base|reader|control-plane|mesh|flux)$/, '');
      for (const d of k.spec.dependsOn ?? []) expect(d.name.startsWith(`${cluster}-`)).toBe(true);
    }
  });

  test('remotes have no cacerts to wait for; primaries wait for their ExternalSecret', () => {
    const s = fleet();
    expect(s.get('east/flux/', 'Kustomization', 'west-edge-platform').spec.healthChecks).toBeUndefined();
    expect(s.get('east/flux/', 'Kustomization', 'west-platform').spec.healthChecks).toEqual([
      { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'cacerts', namespace: 'istio-system' },
    ]);
    // An ExternalSecret the External Secrets operator has not reconciled yet has no Ready condition: not ready.
    expect(s.get('east/flux/', 'Kustomization', 'west-platform').spec.healthCheckExprs).toEqual([
      { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', current: READY_TRUE },
    ]);
    expect(s.get('east/flux/', 'Kustomization', 'west-edge-platform').spec.healthCheckExprs).toBeUndefined();
  });
});

describe('Argo CD', () => {
  test('dist/argocd holds the two AppProjects and the ApplicationSet of the per-cluster roots', () => {
    const s = fleet();
    expect(load(s.tree.get('argocd/kustomization.yaml')!)).toMatchObject({
      resources: ['applicationset.argocd.meshfleet-roots.yaml', 'appproject.argocd.mesh-roots.yaml', 'appproject.argocd.mesh.yaml'],
    });
    expect(s.ofKind('argocd/', 'Application').filter((a) => !a.metadata.annotations?.['argocd.argoproj.io/sync-wave'])).toEqual([]);
    const children = s.get('argocd/', 'AppProject', 'mesh', 'argocd');
    expect(children.spec).toEqual({
      description: 'Istio multi-cluster mesh delivered by meshfleet: the per-cluster child Applications',
      sourceRepos: ['https://istio-release.storage.googleapis.com/charts', 'ssh://git@github.com/example/fleet-gitops.git'],
      // Only the fleet's clusters: not Argo CD's own cluster, where the roots write.
      destinations: ['east', 'eu-edge', 'eu', 'west-edge', 'west'].map((c) => ({ server: `https://${c}.k8s.example.com:6443`, namespace: '*' })),
      clusterResourceWhitelist: [
        { group: '', kind: 'Namespace' },
        { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
        { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
        { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
      ],
    });
    expect(s.get('argocd/', 'AppProject', 'mesh-roots', 'argocd').spec).toEqual({
      description: 'meshfleet: the per-cluster roots, which create the child Applications',
      sourceRepos: ['ssh://git@github.com/example/fleet-gitops.git'],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'argocd' }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [{ group: 'argoproj.io', kind: 'Application' }],
    });
    expect(s.get('argocd/', 'ApplicationSet', 'meshfleet-roots', 'argocd').spec).toEqual({
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ git: { repoURL: 'ssh://git@github.com/example/fleet-gitops.git', revision: 'main', directories: [{ path: 'dist/argocd/*' }] } }],
      template: {
        metadata: {
          name: 'meshfleet-{{ .path.basename }}',
          namespace: 'argocd',
          labels: { 'meshfleet.dev/cluster': '{{ .path.basename }}' },
          finalizers: ['resources-finalizer.argocd.argoproj.io'],
        },
        spec: {
          project: 'mesh-roots',
          destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
          source: { repoURL: 'ssh://git@github.com/example/fleet-gitops.git', targetRevision: 'main', path: '{{ .path.path }}' },
          syncPolicy: {
            automated: { enabled: true, prune: true, selfHeal: true },
            retry: { limit: -1, refresh: true, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
          },
        },
      },
      syncPolicy: { preserveResourcesOnDeletion: false },
    });
  });

  test('the generator\'s directories are exactly the per-cluster directories of child Applications', () => {
    const s = fleet();
    const dirs = new Set(s.files('argocd/').map((f) => f.split('/')).filter((parts) => parts.length > 2).map((parts) => parts[1]));
    expect([...dirs].sort()).toEqual(['east', 'eu', 'eu-edge', 'west', 'west-edge']);
    // Nothing but the cluster directories is a sub-directory the `argocd/*` pattern could match.
    for (const dir of dirs) expect(s.ofKind(`argocd/${dir}/`, 'Application').length).toBeGreaterThan(0);
  });

  test('every Application retries with refresh, so a fix pushed to Git is picked up by the next retry', () => {
    for (const s of [docs(), fleet()]) {
      for (const app of s.ofKind('argocd/', 'Application')) {
        expect(app.spec.syncPolicy.retry).toEqual({ limit: -1, refresh: true, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } });
      }
    }
  });

  test('each cluster\'s children target its API server, in waves platform → base → reader → istiod → gateway → mesh', () => {
    const s = fleet();
    for (const cluster of s.topology.clusters) {
      const apps = s.ofKind(`argocd/${cluster.name}/`, 'Application');
      const waves = Object.fromEntries(apps.map((a) => [a.metadata.name, Number(a.metadata.annotations!['argocd.argoproj.io/sync-wave'])]));
      expect(waves).toEqual({
        [`${cluster.name}-platform`]: 0,
        [`${cluster.name}-istio-base`]: 1,
        [`${cluster.name}-reader`]: 2,
        [`${cluster.name}-istiod`]: 3,
        [`${cluster.name}-istio-eastwestgateway`]: 4,
        // A remote has no Istio configuration of its own.
        ...(cluster.role === 'primary' ? { [`${cluster.name}-mesh`]: 5 } : {}),
      });
      for (const app of apps) {
        expect(app.spec.destination).toEqual({ server: cluster.apiServer, namespace: 'istio-system' });
        expect(app.spec.project).toBe('mesh');
        expect(app.metadata.labels).toEqual({ 'meshfleet.dev/cluster': cluster.name });
      }
    }
    expect(ARGOCD_WAVES).toEqual({ platform: 0, base: 1, reader: 2, istiod: 3, gateway: 4, mesh: 5 });
  });

  test('chart waves follow Istio\'s install order, as the Flux HelmReleases\' dependsOn do', () => {
    // Istio's Helm install order: base (CRDs) → istiod (and a canary istiod) → gateway (needs the injector).
    const ORDER: Array<[string, string]> = [['istiod', 'istio-base'], ['istio-eastwestgateway', 'istiod'], ['istiod-canary', 'istio-base']];
    for (const s of [fleet(), canary()]) {
      for (const cluster of s.topology.clusters) {
        const apps = new Map(s.ofKind(`argocd/${cluster.name}/`, 'Application').map((a) => [a.metadata.name.slice(cluster.name.length + 1), Number(a.metadata.annotations!['argocd.argoproj.io/sync-wave'])]));
        for (const [later, earlier] of ORDER.filter(([l]) => apps.has(l))) expect(apps.get(later)!).toBeGreaterThan(apps.get(earlier)!);
        const releases = s.ofKind('', 'HelmRelease').filter((r) => (r.spec.kubeConfig?.secretRef?.name ?? '').replace(/-kubeconfig$/, '') === (r.spec.kubeConfig ? cluster.name : '') || !r.spec.kubeConfig);
        for (const r of releases) for (const dep of r.spec.dependsOn ?? []) {
          const strip = (n: string) => n.replace(new RegExp(`^${cluster.name}-`), '');
          expect(ORDER).toContainEqual([strip(r.spec.releaseName), strip(dep.name)]);
        }
      }
    }
  });

  test('the control plane comes from Helm sources with exactly the Flux HelmReleases\' values', () => {
    for (const s of [docs(), fleet(), canary()]) {
      let compared = 0;
      for (const cluster of s.topology.clusters) {
        for (const hr of [...s.ofKind(`${cluster.name}/base/`, 'HelmRelease'), ...s.ofKind(`${cluster.name}/control-plane/`, 'HelmRelease')]) {
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
    expect(app.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '3' });
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
    // Prune=false: a CRD dropped by a future base chart is not pruned (resource-policy: keep covers deletion only).
    expect(base.spec.syncPolicy.syncOptions).toEqual(['ServerSideApply=true', 'RespectIgnoreDifferences=true', 'Prune=false']);
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
      retry: { limit: -1, refresh: true, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
    });
    const platform = s.get('argocd/cluster2/', 'Application', 'cluster2-platform');
    expect(platform.spec.source.path).toBe('dist/cluster2/platform');
    expect(platform.spec.syncPolicy.syncOptions).toBeUndefined();
    // With Flux on, Argo CD must not apply the Flux HelmReleases of the base and control-plane directories.
    expect(s.ofKind('argocd/', 'Application').map((a) => a.spec.source.path).filter((p) => /\/(base|control-plane)$/.test(p ?? ''))).toEqual([]);
    const reader = s.get('argocd/cluster2/', 'Application', 'cluster2-reader');
    expect(reader.spec.source).toEqual({ repoURL: 'https://github.com/example/mesh-fleet.git', targetRevision: 'main', path: 'dist/cluster2/reader' });
    expect(reader.spec.syncPolicy.syncOptions).toBeUndefined();
  });

  test('the reader wave does not wait for the push to the secret store', () => {
    const s = fleet();
    for (const push of s.ofKind('', 'PushSecret')) expect(push.metadata.annotations).toEqual({ 'argocd.argoproj.io/ignore-healthcheck': 'true' });
    expect(s.ofKind('', 'PushSecret').length).toBe(5);
    // The token Secret itself is Healthy once applied (no health check for Secrets): nothing to ignore.
    for (const secret of s.ofKind('', 'Secret')) expect(secret.metadata.annotations).toEqual({ 'kubernetes.io/service-account.name': 'istio-reader-service-account' });
    const noArgo = variant(FLEET_FILE, (d) => delete d.delivery.argocd);
    for (const push of noArgo.ofKind('', 'PushSecret')) expect(push.metadata.annotations).toBeUndefined();
  });

  test('the platform wave waits for the trust objects only', () => {
    // The cacerts source of each primary (docs: cert-manager; fleet: External Secrets); remotes have none.
    const GATING: Record<string, string[]> = {
      cluster1: ['Certificate/istio-intermediate'],
      cluster2: ['Certificate/istio-intermediate'],
      east: ['ExternalSecret/cacerts'],
      west: ['ExternalSecret/cacerts'],
      eu: ['ExternalSecret/cacerts'],
      'west-edge': [],
      'eu-edge': [],
    };
    for (const s of [docs(), fleet()]) {
      for (const cluster of s.topology.clusters) {
        const gating = new Set(GATING[cluster.name]);
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
    expect(s.files().filter((f) => /\/(base|control-plane|flux)\//.test(f))).toEqual([]);
    expect(s.ofKind('argocd/eu-edge/', 'Application').map((a) => a.metadata.name).sort()).toEqual(
      ['eu-edge-istio-base', 'eu-edge-istio-eastwestgateway', 'eu-edge-istiod', 'eu-edge-platform', 'eu-edge-reader'],
    );
    expect(load(s.tree.get('eu-edge/kustomization.yaml')!)).toMatchObject({ resources: ['platform', 'reader'] });
    expect(load(s.tree.get('eu/kustomization.yaml')!)).toMatchObject({ resources: ['platform', 'reader', 'mesh'] });
  });

  test('a cluster without apiServer is a bug the rules must have caught, not an empty destination', () => {
    const withoutApiServer = (t: Topology): Topology => ({ ...t, clusters: t.clusters.map((c) => (c.name === 'west-edge' ? { ...c, apiServer: undefined } : c)) });
    // Read by the primaries through a remote secret (the trust rules require apiServer)...
    expect(() => synthesizeFleet(withoutApiServer(fleet().topology))).toThrow(/^cluster "west-edge" has no apiServer, but primary "east" reads it/);
    // ...and deployed to by Argo CD (the delivery rules require it).
    const existing = variant(FLEET_FILE, (d) => (d.credentials = { provider: 'existing' })).topology;
    expect(() => synthesizeFleet(withoutApiServer(existing))).toThrow(/^cluster "west-edge" has no apiServer, which Argo CD needs/);
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

  /** `s` with some output files changed (`edit` gets the parsed manifest) or moved. */
  const broken = (s: Synthesized, edits: Record<string, (m: any) => void>, moves: Record<string, string> = {}) => {
    const tree = new Map(s.tree);
    for (const [file, change] of Object.entries(edits)) {
      const m = load(tree.get(file)!) as any;
      change(m);
      tree.set(file, toYaml(m));
    }
    for (const [from, to] of Object.entries(moves)) {
      for (const file of [...tree.keys()].filter((f) => f.startsWith(from))) {
        tree.set(to + file.slice(from.length), tree.get(file)!);
        tree.delete(file);
      }
    }
    return new Synthesized(s.topology, tree);
  };
  const wave = (w: string) => (m: any) => (m.metadata.annotations['argocd.argoproj.io/sync-wave'] = w);

  test('the model catches a broken order', () => {
    const b = broken(docs(), {
      'cluster1/flux/kustomization.flux-system.cluster1-mesh.yaml': (m) => (m.spec.dependsOn = [{ name: 'cluster1-platform' }]),
      'cluster1/flux/kustomization.flux-system.cluster1-base.yaml': (m) => delete m.spec.dependsOn,
      'cluster1/flux/kustomization.flux-system.cluster1-control-plane.yaml': (m) => delete m.spec.dependsOn,
      'argocd/cluster2/application.argocd.cluster2-istio-eastwestgateway.yaml': wave('3'),
      'argocd/cluster2/application.argocd.cluster2-mesh.yaml': wave('0'),
      'argocd/cluster2/application.argocd.cluster2-reader.yaml': wave('1'),
    });
    const flux = fluxOrderViolations(b);
    expect(flux).toEqual(expect.arrayContaining([
      expect.stringMatching(/^Kustomization cluster1-mesh: PeerAuthentication istio-system\/default needs crd:cluster1\/istio/),
      expect.stringMatching(/^HelmRelease cluster1:istio-system\/istiod: HelmRelease cluster1:istio-system\/istiod needs obj:cluster1\/Certificate\/istio-system\/istio-intermediate/),
      'HelmRelease cluster1:istio-system/istiod: HelmRelease istio-system/istiod needs obj:cluster1/HelmRepository/flux-system/istio (applied) first',
      expect.stringMatching(/^HelmRelease cluster1:istio-system\/istio-base: HelmRelease cluster1:istio-system\/istio-base needs ns:cluster1\/istio-system/),
    ]));
    expect(flux.every((v) => v.includes('cluster1'))).toBe(true);
    const argo = argoCdOrderViolations(b);
    expect(argo).toEqual(expect.arrayContaining([
      'Application cluster2-istio-eastwestgateway: Application cluster2-istio-eastwestgateway needs chart:cluster2/istiod (ready) first',
      expect.stringMatching(/^Application cluster2-mesh: .* needs crd:cluster2\/istio/),
      'Application cluster2-reader: Secret istio-system/istio-reader-service-account-istio-remote-secret-token needs sa:cluster2/istio-system/istio-reader-service-account (ready) first',
    ]));
    expect(argo.every((v) => v.includes('cluster2'))).toBe(true);
  });

  const TOKEN = 'obj:west-edge/Secret/istio-system/istio-reader-service-account-istio-remote-secret-token (applied)';
  const GATEWAY = 'HelmRelease east:flux-system/west-edge-istio-eastwestgateway';

  test('the model rejects the old layout: a remote\'s reader token applied after its control plane never lets its gateway finish', () => {
    // The reader token back in the mesh layer, which waits for the control plane (gateway included).
    const old = broken(fleet(), {
      'east/flux/kustomization.flux-system.west-edge-reader.yaml': (m) => {
        m.spec.path = './dist/west-edge/mesh';
        m.spec.dependsOn = [{ name: 'west-edge-control-plane' }];
      },
      'argocd/west-edge/application.argocd.west-edge-reader.yaml': wave('5'),
    }, { 'west-edge/reader/': 'west-edge/mesh/' });
    expect(fluxOrderViolations(old)).toEqual([`${GATEWAY}: ${GATEWAY} needs ${TOKEN} first`]);
    expect(argoCdOrderViolations(old)).toEqual([
      `Application west-edge-istio-eastwestgateway: Application west-edge-istio-eastwestgateway needs ${TOKEN} first`,
    ]);
  });

  test('the model rejects a remote\'s gateway that does not retry, or that does not wait for its primary\'s istiod exposure', () => {
    const gatewayFile = 'west-edge/control-plane/helmrelease.flux-system.west-edge-istio-eastwestgateway.yaml';
    const noRetry = broken(fleet(), { [gatewayFile]: (m) => delete m.spec.install });
    expect(fluxOrderViolations(noRetry)).toEqual([`${GATEWAY}: ${GATEWAY} needs ${TOKEN} first`]);
    const noExposure = broken(fleet(), {
      'east/flux/kustomization.flux-system.west-edge-control-plane.yaml': (m) => (m.spec.dependsOn = [{ name: 'west-edge-base' }]),
    });
    expect(fluxOrderViolations(noExposure)).toEqual([
      `${GATEWAY}: ${GATEWAY} needs obj:west/Gateway/istio-system/istiod-gateway (ready) first`,
      `${GATEWAY}: ${GATEWAY} needs obj:west/VirtualService/istio-system/istiod-vs (ready) first`,
    ]);
    const noRepository = broken(fleet(), {
      'east/flux/kustomization.flux-system.eu-base.yaml': (m) => (m.spec.dependsOn = [{ name: 'eu-platform' }]),
    });
    expect(fluxOrderViolations(noRepository)).toEqual(['eu-istio-base', 'eu-istio-eastwestgateway', 'eu-istiod'].map(
      (hr) => `HelmRelease east:flux-system/${hr}: HelmRelease flux-system/${hr} needs obj:east/HelmRepository/flux-system/istio (applied) first`,
    ));
  });
});

describe('adding a revision to a running mesh (docs/control-plane.md)', () => {
  const releases = (s: Synthesized) => s.ofKind('cluster1/', 'HelmRelease').map((r) => r.metadata.name).sort();
  const running = () => fluxOnly();
  const revised = () => variant(DOCS_FILE, (d) => (d.mesh.istio.revision = '1-30-3'));

  test('in one edit, the istiod HelmRelease is replaced: the running istiod would be pruned, i.e. uninstalled', () => {
    expect(releases(running())).toEqual(['istio-base', 'istio-eastwestgateway', 'istiod']);
    expect(releases(revised())).toEqual(['istio-base', 'istio-eastwestgateway', 'istiod-1-30-3']);
  });

  test('through a canary, the promoted release is the canary\'s own: only the unused istiod leaves', () => {
    const withCanary = variant(DOCS_FILE, (d) => (d.mesh.istio.canary = { revision: '1-30-3', namespaces: ['sample'] }));
    expect(releases(withCanary)).toEqual(['istio-base', 'istio-eastwestgateway', 'istiod', 'istiod-1-30-3']);
    // Edit 1 keeps the running istiod and gateway exactly as they are.
    for (const name of ['istiod', 'istio-eastwestgateway']) {
      expect(withCanary.get('cluster1/control-plane/', 'HelmRelease', name)).toEqual(running().get('cluster1/control-plane/', 'HelmRelease', name));
    }
    // Edit 2 (promotion) is the one-edit result, reached with the new istiod already installed and unchanged.
    const canaryRelease = withCanary.get('cluster1/control-plane/', 'HelmRelease', 'istiod-1-30-3');
    expect(revised().get('cluster1/control-plane/', 'HelmRelease', 'istiod-1-30-3')).toEqual(canaryRelease);
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
    // The fleet's model and picture at the output root describe every cluster (they are not applied).
    const files = changed(before, after).filter((f) => f.includes('/'));
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
