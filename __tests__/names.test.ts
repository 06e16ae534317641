/**
 * Name limits derived from the longest generated name (both sides of each limit, in the
 * loader and in the synthesized output), and generated-name collisions.
 */
import {
  FLUX_MANAGEMENT_MAX_CLUSTER_NAME,
  FLUX_MAX_CLUSTER_NAME,
  fluxManagementMaxClusterName,
  istioReleaseNames,
  MAX_REVISION_LENGTH,
} from '../topology/generated-names';
import { validateManifests } from './support/crd-schema';
import { synthText } from './support/synth';
import { editTopology, expectOnlyProblem, MINIMAL_TOPOLOGY, problemsOf } from './support/topology-edits';

const named = (length: number, first = 'c') => `${first}${'x'.repeat(length - 1)}`;

/** The minimal fixture with cluster2 renamed and a delivery section. */
function fleet(cluster2: string, delivery: object, mesh: object = {}): string {
  return editTopology(MINIMAL_TOPOLOGY, (d) => {
    d.clusters[1].name = cluster2;
    d.clusters[0].eastWestGateway = { address: '10.0.0.1' };
    d.services[0].runsIn = ['cluster1', cluster2];
    d.delivery = { git: { url: 'https://git.example.com/fleet.git' }, ...delivery };
    d.mesh = { ...d.mesh, ...mesh };
  });
}
const MANAGEMENT = { flux: { mode: 'management', managementCluster: 'cluster1' } };

describe('derived limits', () => {
  test('are the worked-out values', () => {
    // 53 (Helm release name) - "istiod-".
    expect(MAX_REVISION_LENGTH).toBe(46);
    // 63 (label value) - "-control-plane".
    expect(FLUX_MAX_CLUSTER_NAME).toBe(49);
    // 63 - "-istio-eastwestgateway".
    expect(FLUX_MANAGEMENT_MAX_CLUSTER_NAME).toBe(41);
    // 63 - "-istiod-" - 30: a long canary revision makes "<cluster>-istiod-<rev>" the longest.
    expect(fluxManagementMaxClusterName(undefined, 'r'.repeat(30))).toBe(25);
  });
});

describe('Istio Helm releases of a cluster', () => {
  test('base, istiod (istiod-<revision> when revisioned), the canary istiod if any, and the east-west gateway', () => {
    // Release names of Istio's Helm install and canary-upgrade guides.
    expect(istioReleaseNames(undefined, undefined)).toEqual(['istio-base', 'istiod', 'istio-eastwestgateway']);
    expect(istioReleaseNames('1-29', '1-30')).toEqual(['istio-base', 'istiod-1-29', 'istiod-1-30', 'istio-eastwestgateway']);
  });
});

describe('Flux cluster names', () => {
  test('per-cluster mode: 49 characters synthesize names of at most 63, 50 fail', () => {
    const out = synthText(fleet(named(49), { flux: {} }));
    const names = out.ofKind('', 'Kustomization').map((k) => k.metadata.name);
    expect(Math.max(...names.map((n) => n.length))).toBe(63);
    expect(names).toContain(`${named(49)}-control-plane`);
    expectOnlyProblem(fleet(named(50), { flux: {} }), 'clusters[1].name',
      'is too long for Flux delivery (per-cluster mode): kustomize-controller labels what the Kustomization ' +
      `"${named(50)}-control-plane" applies with its name, and label values hold at most 63 characters; use at most 49 characters`);
  });

  test('management mode: 41 characters synthesize HelmRelease names of at most 63, 42 fail', () => {
    const out = synthText(fleet(named(41), MANAGEMENT));
    const releases = out.ofKind('', 'HelmRelease').map((h) => h.metadata.name);
    expect(releases).toContain(`${named(41)}-istio-eastwestgateway`);
    expect(Math.max(...releases.map((n) => n.length))).toBe(63);
    expect(validateManifests(out.ofKind('', 'HelmRelease'))).toEqual([]);
    expectOnlyProblem(fleet(named(42), MANAGEMENT), 'clusters[1].name',
      'is too long for Flux delivery (management mode): the management cluster\'s Flux installs its charts as HelmReleases ' +
      `"${named(42)}-<release>" (the longest "${named(42)}-istio-eastwestgateway"), and helm-controller labels what a HelmRelease installs with its name, ` +
      'and label values hold at most 63 characters; use at most 41 characters');
  });

  test('management mode: the management cluster itself only needs its Kustomization names to fit (49)', () => {
    const text = editTopology(fleet('cluster2', MANAGEMENT), (d) => {
      d.clusters[0].name = named(49, 'm');
      d.services[0].runsIn = [named(49, 'm'), 'cluster2'];
      d.delivery.flux.managementCluster = named(49, 'm');
    });
    expect(problemsOf(text)).toEqual([]);
  });

  test('management mode: a long revision lowers the limit', () => {
    const revision = 'r'.repeat(30);
    expect(problemsOf(fleet(named(25), MANAGEMENT, { istio: { revision } }))).toEqual([]);
    expect(problemsOf(fleet(named(26), MANAGEMENT, { istio: { revision } })).map((p) => p.path)).toEqual(['clusters[1].name']);
    // The message names the longest release, here istiod-<revision> (not the gateway, listed last).
    expectOnlyProblem(fleet(named(26), MANAGEMENT, { istio: { revision } }), 'clusters[1].name',
      `is too long for Flux delivery (management mode): the management cluster's Flux installs its charts as HelmReleases "${named(26)}-<release>" ` +
      `(the longest "${named(26)}-istiod-${revision}"), and helm-controller labels what a HelmRelease installs with its name, ` +
      'and label values hold at most 63 characters; use at most 25 characters');
  });
});

describe('revisions', () => {
  test('46 characters synthesize a 53-character istiod release name, 47 fail', () => {
    const revision = named(46, 'r');
    const out = synthText(fleet('cluster2', { flux: {} }, { istio: { revision } }));
    expect(out.get('cluster1/', 'HelmRelease', `istiod-${revision}`).spec.releaseName).toHaveLength(53);
    expectOnlyProblem(fleet('cluster2', {}, { istio: { revision: named(47, 'r') } }), 'mesh.istio.revision',
      'is too long: the istiod Helm release is named "istiod-<revision>" and Helm release names hold at most 53 characters; use at most 46 characters (got 47)');
    expectOnlyProblem(fleet('cluster2', {}, { istio: { canary: { revision: named(47, 'r') } } }), 'mesh.istio.canary.revision', /^is too long: .* use at most 46 characters \(got 47\)$/);
  });
});

describe('generated-name collisions', () => {
  test('fails if cluster "a" with canary revision "istiod" and cluster "a-istiod" generate one HelmRelease', () => {
    const text = editTopology(fleet('a-istiod', MANAGEMENT, { istio: { canary: { revision: 'istiod' } } }), (d) => {
      d.clusters.push({ name: 'a', role: 'primary', network: 'network1', region: 'region1', apiServer: 'https://a.example.com' });
    });
    expect(problemsOf(text).map((p) => `${p.path}: ${p.message}`)).toEqual([
      'clusters[2].name: generates HelmRelease in namespace flux-system of management cluster "cluster1" "a-istiod-istiod" (its istiod-istiod release), ' +
        'which cluster "a-istiod" (clusters[1]) also generates (its istiod release): rename one of the clusters',
    ]);
  });

  test('fails if a cluster is named like another cluster\'s Argo CD root Application', () => {
    const text = editTopology(fleet('mesh', { argocd: {} }), (d) => {
      d.clusters.push({ name: 'meshfleet', role: 'primary', network: 'network1', region: 'region1', apiServer: 'https://m.example.com' });
    });
    expect(problemsOf(text).map((p) => `${p.path}: ${p.message}`)).toEqual([
      'clusters[2].name: generates Application in Argo CD namespace argocd "meshfleet-mesh" (its mesh Application), ' +
        'which cluster "mesh" (clusters[1]) also generates (its root Application): rename one of the clusters',
    ]);
  });

  test('a canary revision equal to the stable one is one problem, not also a cluster colliding with itself', () => {
    expect(problemsOf(fleet('cluster2', { ...MANAGEMENT, argocd: {} }, { istio: { revision: 'x', canary: { revision: 'x' } } })).map((p) => p.path))
      .toEqual(['mesh.istio.canary.revision']);
  });

  test('the management cluster\'s own releases (in its istio-system, not the Flux namespace) collide with no other cluster\'s', () => {
    // Were they in flux-system, "cluster1-" + "istiod-istio-base" would be cluster1-istiod's "istio-base" release.
    expect(problemsOf(fleet('cluster1-istiod', MANAGEMENT, { istio: { revision: 'istio-base' } }))).toEqual([]);
  });

  test('accepts clusters whose generated names are all distinct', () => {
    expect(problemsOf(fleet('cluster2', { ...MANAGEMENT, argocd: {} }))).toEqual([]);
  });
});
