import { urlProblem } from '../topology/urls';
import { editTopology, MINIMAL_TOPOLOGY, problemsOf } from './support/topology-edits';

const API = 'must be a plain https:// URL: https://host[:port][/path]';

describe('plain URLs', () => {
  test.each([
    'https://cluster1.example.com:6443',
    'https://10.0.0.1:6443/k8s/clusters/c-1',
    'https://[fd00::1]:6443',
    'https://example.com/',
  ])('accepts apiServer %j', (url) => {
    expect(urlProblem(url, 'api-server')).toBeUndefined();
  });

  test.each([
    ['http://a.example.com', API],
    ['https://a.example.com\ninsecure-skip-tls-verify: true', `${API}, without whitespace or a line break`],
    [' https://a.example.com', API],
    ['https://a.example.com ', `${API}, without whitespace or a line break`],
    ['https://user:pw@a.example.com', `${API}, without a user name or password`],
    ['https://a.example.com/?x=1', `${API}, without a query`],
    ['https://a.example.com/#x', `${API}, without a fragment`],
    ['https://a.example.com/{{.token}}', `${API}, without the character "{"`],
    ['https://A.example.com', `${API}, in normal form (lowercase host, no default port, no . or .. segments): write "https://a.example.com/"`],
    ['https://a.example.com:443', `${API}, in normal form (lowercase host, no default port, no . or .. segments): write "https://a.example.com/"`],
    ['https://a.example.com/x/../y', `${API}, in normal form (lowercase host, no default port, no . or .. segments): write "https://a.example.com/y"`],
    ['https://a.example.com:99999', `${API} (the URL parser refuses it)`],
    ['https://', `${API} (the URL parser refuses it)`],
  ])('refuses apiServer %j', (url, message) => {
    expect(urlProblem(url, 'api-server')).toBe(message);
  });

  test('chart repositories may be https:// or oci://, Git URLs also ssh://git@ and git@host:path', () => {
    expect(urlProblem('oci://ghcr.io/istio/charts', 'chart-repository')).toBeUndefined();
    expect(urlProblem('ssh://git@github.com/x/y.git', 'chart-repository')).toBe('must be a plain https:// or oci:// URL: https://host[:port][/path]');
    expect(urlProblem('ssh://git@github.com/x/y.git', 'git')).toBeUndefined();
    expect(urlProblem('git@github.com:x/y.git', 'git')).toBeUndefined();
    expect(urlProblem('ssh://me:pw@github.com/x/y.git', 'git')).toBe('must be a plain https:// or ssh:// or oci:// URL: https://host[:port][/path], without a user name or password');
    expect(urlProblem('https://token@github.com/x/y.git', 'git')).toBe('must be a plain https:// or ssh:// or oci:// URL: https://host[:port][/path], without a user name or password');
  });

  test('the scp-like git@host:path form is for Git URLs only (Helm and kubeconfig take no such form)', () => {
    expect(urlProblem('git@github.com:x/y.git', 'chart-repository')).toBe('must be a plain https:// or oci:// URL: https://host[:port][/path]');
    expect(urlProblem('git@github.com:x/y.git', 'api-server')).toBe(API);
  });

  test('only a leading ssh://git@ is the Git user: a "git@" further on is still a user name', () => {
    expect(urlProblem('ssh://github.com/x/ssh://git@y.git', 'git')).toBe(
      'must be a plain https:// or ssh:// or oci:// URL: https://host[:port][/path], without a user name or password',
    );
  });

  test('oci:// and ssh:// URLs without a host are refused (the parser accepts them: neither scheme is special)', () => {
    expect(urlProblem('oci:///charts', 'chart-repository')).toBe('must be a plain https:// or oci:// URL: https://host[:port][/path]: the host is missing');
    expect(urlProblem('ssh:///x.git', 'git')).toBe('must be a plain https:// or ssh:// or oci:// URL: https://host[:port][/path]: the host is missing');
  });

  test('the normal form offered for an ssh:// URL keeps the git@ user it was written with, and adds none', () => {
    const normal = 'must be a plain https:// or ssh:// or oci:// URL: https://host[:port][/path], in normal form (lowercase host, no default port, no . or .. segments): write ';
    expect(urlProblem('ssh://git@github.com/x/../y.git', 'git')).toBe(`${normal}"ssh://git@github.com/y.git"`);
    expect(urlProblem('ssh://github.com/x/../y.git', 'git')).toBe(`${normal}"ssh://github.com/y.git"`);
    expect(urlProblem('oci://ghcr.io/x/../y', 'git')).toBe(`${normal}"oci://ghcr.io/y"`);
  });

  test('the topology reports each URL field at its place', () => {
    const text = editTopology(MINIMAL_TOPOLOGY, (d) => {
      d.clusters[0].apiServer = 'https://a.example.com?x';
      d.mesh.istio = { chartRepository: 'https://charts.example.com/\nx' };
      d.delivery = { git: { url: 'https://u:p@git.example.com/x.git' } };
    });
    expect(problemsOf(text).map((p) => `${p.path}: ${p.message}`)).toEqual([
      `mesh.istio.chartRepository: must be a plain https:// or oci:// URL: https://host[:port][/path], without whitespace or a line break (got "https://charts.example.com/\\nx")`,
      `clusters[0].apiServer: ${API}, without a query (got "https://a.example.com?x")`,
      'delivery.git.url: must be a plain https:// or ssh:// or oci:// URL: https://host[:port][/path], without a user name or password (got "https://u:p@git.example.com/x.git")',
    ]);
  });
});
