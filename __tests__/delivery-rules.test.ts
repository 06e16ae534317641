/**
 * Loader rules of the `delivery` section (topology/rules/delivery.ts).
 */
import { parseTopology } from '../topology';
import { editTopology, expectOnlyProblem, expectProblem, MINIMAL_TOPOLOGY, problemsOf } from './support/topology-edits';

/** The minimal fixture with a delivery section and `edit` applied. */
const edited = (edit: (doc: any) => void): string =>
  editTopology(MINIMAL_TOPOLOGY, (doc) => {
    doc.delivery = { git: { ...GIT }, flux: {}, argocd: {} };
    edit(doc);
  });

const GIT = { url: 'https://git.example.com/fleet.git', branch: 'main', path: 'dist' };

describe('delivery rules', () => {
  test('accepts both tools with their defaults', () => {
    const t = parseTopology(edited(() => undefined), 'mesh.yaml');
    expect(t.delivery).toEqual({
      git: GIT,
      flux: { mode: 'per-cluster', managementCluster: undefined, namespace: 'flux-system', interval: '10m', gitRepository: 'meshfleet', secretRef: undefined },
      argocd: { namespace: 'argocd', project: 'meshfleet' },
    });
  });

  test('fails if management mode names no management cluster', () => {
    expectProblem(edited((d) => (d.delivery.flux.mode = 'management')), 'delivery.flux.managementCluster',
      /^is required with mode: management: name the cluster whose Flux drives all the others$/);
  });

  test('fails if the management cluster is unknown', () => {
    expectProblem(edited((d) => (d.delivery.flux = { mode: 'management', managementCluster: 'hub' })), 'delivery.flux.managementCluster',
      /^names unknown cluster "hub": known clusters are cluster1, cluster2$/);
  });

  test('fails if a management cluster is named in per-cluster mode', () => {
    expectProblem(edited((d) => (d.delivery.flux.managementCluster = 'cluster1')), 'delivery.flux.managementCluster',
      /^is only used with mode: management: remove it, or set mode: management$/);
  });

  test('fails if a tool is on and the Git URL is missing', () => {
    expectProblem(edited((d) => delete d.delivery.git.url), 'delivery.git.url', /required/);
  });

  test('fails if the Git URL is an OCI artifact', () => {
    expectProblem(edited((d) => (d.delivery.git.url = 'oci://ghcr.io/example/fleet')), 'delivery.git.url',
      /^must be a Git repository URL \(https:\/\/ or ssh:\/\/\), not an OCI artifact/);
  });

  test('fails if Flux gets an scp-like Git address', () => {
    expectProblem(edited((d) => (d.delivery.git.url = 'git@github.com:example/fleet.git')), 'delivery.git.url',
      /^Flux needs an ssh:\/\/ URL \(GitRepository spec\.url\), not the scp-like form: write ssh:\/\/git@github\.com\/example\/fleet\.git/);
    // Argo CD accepts it.
    expect(problemsOf(edited((d) => {
      d.delivery.git.url = 'git@github.com:example/fleet.git';
      delete d.delivery.flux;
    }))).toEqual([]);
  });

  test('fails if Flux reads an ssh:// repository without credentials', () => {
    expectOnlyProblem(edited((d) => (d.delivery.git.url = 'ssh://git@github.com/example/fleet.git')), 'delivery.flux.secretRef',
      'is required for an ssh:// Git URL: name the Secret in namespace flux-system holding the deploy key (identity, known_hosts), ' +
      'e.g. made with "flux create secret git", or set gitRepository: flux-system to use the source flux bootstrap created');
    // An ssh:// URL with a port is not the scp-like form.
    expect(problemsOf(edited((d) => {
      d.delivery.git.url = 'ssh://git@github.com:2222/example/fleet.git';
      d.delivery.flux.secretRef = 'fleet-deploy-key';
    }))).toEqual([]);
    expect(problemsOf(edited((d) => {
      d.delivery.git.url = 'ssh://git@github.com/example/fleet.git';
      d.delivery.flux.secretRef = 'fleet-deploy-key';
    }))).toEqual([]);
    expect(problemsOf(edited((d) => {
      d.delivery.git.url = 'ssh://git@github.com/example/fleet.git';
      d.delivery.flux.gitRepository = 'flux-system';
    }))).toEqual([]);
  });

  test('fails if secretRef is set for the flux-system source', () => {
    expectProblem(edited((d) => Object.assign(d.delivery.flux, { gitRepository: 'flux-system', secretRef: 'key' })), 'delivery.flux.secretRef',
      /^is not used with gitRepository: flux-system .*: remove it$/);
  });

  test('fails if the Git path leaves the repository', () => {
    expectProblem(edited((d) => (d.delivery.git.path = '../other')), 'delivery.git.path', /^must be a relative path inside the repository, such as dist/);
  });

  test('fails if Argo CD is on and a cluster has no apiServer', () => {
    expectOnlyProblem(edited((d) => delete d.clusters[1].apiServer), 'clusters[1].apiServer',
      'is required when delivery.argocd is set: Argo CD deploys to "cluster2" through its API server URL (Application spec.destination.server); ' +
      'use the URL the cluster is registered under in Argo CD');
    // Flux alone does not need it.
    expect(problemsOf(edited((d) => {
      delete d.clusters[1].apiServer;
      delete d.delivery.argocd;
    }))).toEqual([]);
  });

  test('fails if Argo CD is on and a cluster is named argocd', () => {
    expectProblem(edited((d) => {
      d.clusters[1].name = 'argocd';
      d.services[0].runsIn = ['cluster1', 'argocd'];
    }), 'clusters[1].name', /^"argocd" is reserved when delivery\.argocd is set .*: rename the cluster$/);
  });

  test('fails if a cluster name is too long for Flux labels', () => {
    const long = `c${'x'.repeat(49)}`;
    expectProblem(edited((d) => {
      d.clusters[1].name = long;
      d.services[0].runsIn = ['cluster1', long];
    }), 'clusters[1].name', /^is too long for Flux delivery \(per-cluster mode\): .* use at most 49 characters$/);
  });
  // Found by mutation testing (npm run mutation): each side of the rules' conditions.
  test('fails if the Git path is absolute or climbs out, accepts dots inside a name', () => {
    expectOnlyProblem(edited((d) => (d.delivery.git.path = '/abs')), 'delivery.git.path',
      'must be a relative path inside the repository, such as dist (got "/abs")');
    expectOnlyProblem(edited((d) => (d.delivery.git.path = 'a/../b')), 'delivery.git.path',
      'must be a relative path inside the repository, such as dist (got "a/../b")');
    expect(problemsOf(edited((d) => (d.delivery.git.path = 'a..b/c')))).toEqual([]);
  });

  test('refuses an OCI Git URL for Argo CD alone, and ignores it when no tool is on', () => {
    expectOnlyProblem(edited((d) => {
      d.delivery.git.url = 'oci://ghcr.io/example/fleet';
      delete d.delivery.flux;
    }), 'delivery.git.url', 'must be a Git repository URL (https:// or ssh://), not an OCI artifact (got "oci://ghcr.io/example/fleet")');
    expect(problemsOf(edited((d) => {
      d.delivery.git.url = 'oci://ghcr.io/example/fleet';
      delete d.delivery.flux;
      delete d.delivery.argocd;
    }))).toEqual([]);
  });

  test('lists the known clusters sorted when the management cluster is unknown', () => {
    expectOnlyProblem(edited((d) => {
      d.clusters[0].name = 'zeta';
      d.services[0].runsIn = ['zeta', 'cluster2'];
      d.delivery.flux = { mode: 'management', managementCluster: 'hub' };
    }), 'delivery.flux.managementCluster', 'names unknown cluster "hub": known clusters are cluster2, zeta');
  });

  test('reports a malformed field once, without the rule that needs it', () => {
    const dnsLabel = 'must be a DNS-1123 label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit';
    expectOnlyProblem(edited((d) => (d.delivery.flux = { mode: 'management', managementCluster: 'Hub_1' })),
      'delivery.flux.managementCluster', `${dnsLabel} (got "Hub_1")`);
    expectOnlyProblem(edited((d) => (d.delivery.flux = { mode: 'central', managementCluster: 'cluster1' })),
      'delivery.flux.mode', 'must be one of per-cluster, management (got "central")');
    expectOnlyProblem(edited((d) => {
      d.delivery.git.url = 'ssh://git@github.com/example/fleet.git';
      d.delivery.flux.secretRef = 'Key_1';
    }), 'delivery.flux.secretRef', `${dnsLabel} (got "Key_1")`);
    expectOnlyProblem(edited((d) => (d.clusters[1].apiServer = 'http://x.example.com')),
      'clusters[1].apiServer', 'must be a plain https:// URL: https://host[:port][/path] (got "http://x.example.com")');
  });
});
