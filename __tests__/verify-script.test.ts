import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { synthesizeFleet } from '../clusters/fleet';
import { VERIFY_FILE } from '../plan/verify-script';
import { parseTopology } from '../topology';

/**
 * The verification script of the docs example, run by bash against stub kubectl/istioctl that
 * print canned answers (no cluster): each stub logs its arguments to calls.log.
 */
function workspace(stubs: { kubectl?: string; istioctl?: string }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshfleet-verify-'));
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  // Only the tools the script needs besides kubectl and istioctl: the machine's kubectl must not be found.
  for (const tool of ['bash', 'env', 'awk', 'grep', 'sed', 'seq', 'tr', 'head', 'tail', 'wc', 'cat']) {
    const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(found, path.join(bin, tool));
  }
  const topology = parseTopology(readFileSync('examples/docs-multi-primary.yaml', 'utf8'), 'docs.yaml');
  writeFileSync(path.join(dir, VERIFY_FILE), synthesizeFleet(topology).get(VERIFY_FILE)!);
  for (const [tool, body] of Object.entries(stubs)) {
    writeFileSync(path.join(bin, tool), `#!/usr/bin/env bash\necho "${tool} $*" >> "${dir}/calls.log"\n${body}\n`);
    chmodSync(path.join(bin, tool), 0o755);
  }
  const run = (...args: string[]) =>
    spawnSync(path.join(bin, 'bash'), [path.join(dir, VERIFY_FILE), ...args], { encoding: 'utf8', env: { PATH: bin, HOME: dir } });
  const calls = () => readFileSync(path.join(dir, 'calls.log'), 'utf8').trim().split('\n');
  return { run, calls };
}

const KUBECTL_OK = `case "$*" in
  "config get-contexts -o name") printf 'cluster1\\nkind-two\\n' ;;
  *"get svc istio-eastwestgateway"*) echo 203.0.113.7 ;;
  *) exit 1 ;;
esac`;
const ISTIOCTL_SYNCED = `ctx=\${3:-}; other=cluster2; [ "$ctx" = kind-two ] && other=cluster1
echo "NAME       SECRET                                     STATUS   ISTIOD"
echo "cluster1                                              synced   istiod-1"
echo "cluster2   istio-system/istio-remote-secret-cluster2  synced   istiod-1"`;

describe(VERIFY_FILE, () => {
  test('--help prints usage and exits 0, without needing any tool', () => {
    const r = workspace({}).run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('usage: bash verify-mesh.sh [--context CLUSTER=CONTEXT]... [--deploy-samples] [--skip-traffic] [--keep] [--attempts N]');
  });

  test.each([
    [['--context', 'ghost=x'], 'verify-mesh: --context names unknown cluster "ghost"; the topology\'s clusters are: cluster1 cluster2'],
    [['--context', 'cluster2'], 'verify-mesh: --context needs CLUSTER=CONTEXT (got "cluster2")'],
    [['--context'], 'verify-mesh: --context needs CLUSTER=CONTEXT'],
    [['--attempts', '0'], 'verify-mesh: --attempts needs a positive number (got "0")'],
    [['--bogus'], 'verify-mesh: unexpected argument "--bogus"'],
  ])('refuses %j with a clear message and exit 2', (args, message) => {
    const r = workspace({}).run(...args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n').pop()).toBe(message);
  });

  test('fails with exit 2 when a tool or a context is missing', () => {
    const noKubectl = workspace({ istioctl: 'exit 0' }).run();
    expect([noKubectl.status, noKubectl.stderr.trim()]).toEqual([2, 'verify-mesh: kubectl not found on PATH: install kubectl (https://kubernetes.io/docs/tasks/tools/)']);
    const noIstioctl = workspace({ kubectl: KUBECTL_OK }).run();
    expect(noIstioctl.status).toBe(2);
    expect(noIstioctl.stderr).toMatch(/^verify-mesh: istioctl not found on PATH/);
    const noContext = workspace({ kubectl: KUBECTL_OK, istioctl: ISTIOCTL_SYNCED }).run('--skip-traffic');
    expect([noContext.status, noContext.stderr.trim()]).toEqual([2, 'verify-mesh: no kubectl context "cluster2" for cluster cluster2: pass --context cluster2=<context>']);
  });

  test('checks every primary\'s remote clusters and every east-west gateway through the mapped contexts', () => {
    const w = workspace({ kubectl: KUBECTL_OK, istioctl: ISTIOCTL_SYNCED });
    const r = w.run('--context', 'cluster2=kind-two', '--skip-traffic');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('ok'))).toEqual([
      'ok    cluster1: istiod has cluster1 synced',
      'ok    cluster1: istiod has cluster2 synced',
      'ok    cluster2: istiod has cluster2 synced',
      'ok    cluster2: istiod has cluster1 synced',
      'ok    cluster1: east-west gateway at 203.0.113.7',
      'ok    cluster2: east-west gateway at 203.0.113.7',
    ]);
    expect(w.calls()).toContain('istioctl remote-clusters --context kind-two');
    expect(w.calls()).toContain("kubectl --context kind-two -n istio-system get svc istio-eastwestgateway -o jsonpath={.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}{.spec.externalIPs[0]}");
  });

  test('reports an unsynced peer and a gateway without address, and exits 1', () => {
    const w = workspace({
      kubectl: KUBECTL_OK.replace('echo 203.0.113.7', 'echo ""'),
      istioctl: `echo "NAME SECRET STATUS ISTIOD"; echo "cluster1  synced istiod-1"; echo "cluster2 istio-system/istio-remote-secret-cluster2 timeout istiod-1"`,
    });
    const r = w.run('--context', 'cluster2=kind-two', '--skip-traffic');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('FAIL  cluster1: istiod has cluster2 but not synced: cluster2 istio-system/istio-remote-secret-cluster2 timeout istiod-1');
    expect(r.stdout).toContain('FAIL  cluster1: east-west gateway has no address yet (kubectl -n istio-system get svc istio-eastwestgateway)');
  });

  test('reaches each service as the declared caller, through its .global alias too, and says which clusters answered', () => {
    // Requests from cluster1 land alternately in cluster1 and cluster2 (helloworld deployments <service>-<cluster>).
    const kubectl = KUBECTL_OK.replace(
      '*) exit 1 ;;',
      `*" get svc helloworld") exit 1 ;;
  *" exec "*) n=$(wc -l < "$HOME/calls.log"); c=cluster$(( n % 2 + 1 )); printf 'Hello version: v1, instance: helloworld-%s-5d8f\\n200' "$c" ;;
  *) exit 0 ;;`,
    );
    const w = workspace({ kubectl, istioctl: ISTIOCTL_SYNCED });
    const r = w.run('--context', 'cluster2=kind-two', '--deploy-samples', '--attempts', '4');
    expect(r.stdout.split('\n').filter((l) => l.includes('->'))).toEqual([
      'ok    cluster1: sample/curl -> helloworld.sample.svc.cluster.local:5000 answered by: cluster1 cluster2 (may answer: cluster1,cluster2)',
      'ok    cluster1: sample/curl -> helloworld.sample.global:5000 answered by: cluster1 cluster2 (may answer: cluster1,cluster2)',
      'ok    cluster2: sample/curl -> helloworld.sample.svc.cluster.local:5000 answered by: cluster1 cluster2 (may answer: cluster1,cluster2)',
      'ok    cluster2: sample/curl -> helloworld.sample.global:5000 answered by: cluster1 cluster2 (may answer: cluster1,cluster2)',
    ]);
    expect(r.status).toBe(0);
    const calls = w.calls();
    // The client runs as the declared identity, and the samples are removed afterwards.
    expect(calls).toContain('kubectl --context kind-two -n sample exec deploy/meshfleet-verify-curl -c curl -- curl -sS -m 5 -w \\n%{http_code} http://helloworld.sample.global:5000/hello');
    expect(calls).toContain('kubectl --context cluster1 -n sample delete deployment helloworld-cluster1 --ignore-not-found --wait=false');
    expect(calls).toContain('kubectl --context kind-two -n sample delete deployment meshfleet-verify-curl --ignore-not-found --wait=false');
  });
});
