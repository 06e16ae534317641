/**
 * The checks `synth` runs when it rebuilds only some clusters (runClusterwiseChecks): per-cluster
 * checks on the rebuilt files, cross-cluster checks with the recorded digests of the others.
 * An error that involves a skipped cluster's objects must still be found.
 */
import { synthesizeFleet } from '../clusters/fleet';
import { failsCheck, fleetDigest, outputObjects, runChecks, runClusterwiseChecks } from '../src/check';
import { loadTopology } from '../topology';
import * as path from 'node:path';
import { generatedTopology } from '../scripts/bench-fleet';
import { parseTopology } from '../topology';

const topology = loadTopology(path.join(__dirname, 'fixtures', 'minimal.yaml'));
const full = synthesizeFleet(topology);

/** cluster2 (and the fleet-wide files) rebuilt, cluster1 skipped: its digest from `skippedTree`. */
function split(tree: ReadonlyMap<string, string>) {
  const rebuilt = new Map([...tree].filter(([f]) => !f.startsWith('cluster1/')));
  const digests = fleetDigest(outputObjects(new Map([...tree].filter(([f]) => f.startsWith('cluster1/')))).objects);
  return runClusterwiseChecks({ topology, output: rebuilt, digests }).findings;
}

const VS = (namespace: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: claim, namespace: ${namespace} }
spec:
  hosts: [shared.example.com]
  http: [{ route: [{ destination: { host: helloworld.sample.svc.cluster.local } }] }]
`;

describe('checks of a partly rebuilt output', () => {
  test('agree with the full check on an output that passes', () => {
    expect(failsCheck(runChecks({ topology, output: full }))).toBe(false);
    expect(split(full).filter((f) => f.severity === 'error')).toEqual([]);
    expect(runClusterwiseChecks({ topology, output: full, digests: [] }).findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  test('checked whole, cluster by cluster, give exactly the findings of runChecks', () => {
    const tree = new Map([...full, ['cluster1/mesh/virtualservice.team-a.claim.yaml', VS('team-a')], ['cluster2/mesh/virtualservice.team-b.claim.yaml', VS('team-b')]]);
    tree.delete('cluster1/mesh/gateway.istio-system.cross-network-gateway.yaml');
    const codes = (findings: readonly { severity: string; code: string }[]) => [...new Set(findings.filter((f) => f.severity === 'error').map((f) => f.code))].sort();
    expect(codes(runChecks({ topology, output: tree }))).toEqual(['MF104', 'MF109']);
    // the same findings, message for message (what `check` prints)
    expect(runClusterwiseChecks({ topology, output: tree, digests: [] }).findings).toEqual(runChecks({ topology, output: tree }));
  });

  test('find a host claimed by a skipped cluster in another namespace (MF109)', () => {
    const tree = new Map([...full, ['cluster1/mesh/virtualservice.team-a.claim.yaml', VS('team-a')], ['cluster2/mesh/virtualservice.team-b.claim.yaml', VS('team-b')]]);
    expect(runChecks({ topology, output: tree }).filter((f) => f.code === 'MF109').map((f) => f.cluster)).toEqual(['cluster2']);
    expect(split(tree).filter((f) => f.code === 'MF109').map((f) => `${f.cluster}: ${f.message}`)).toEqual([
      'cluster2: host shared.example.com is claimed by namespace team-b here and by namespace team-a in cluster1',
    ]);
  });

  test("find a skipped cluster's missing cross-network gateway (MF104)", () => {
    const tree = new Map([...full].filter(([f]) => f !== 'cluster1/mesh/gateway.istio-system.cross-network-gateway.yaml'));
    const expected = 'network network1 receives cross-network traffic but no Gateway exposes port 15443 with tls.mode AUTO_PASSTHROUGH (cross-network-gateway)';
    expect(runChecks({ topology, output: tree }).filter((f) => f.code === 'MF104').map((f) => f.message)).toEqual([expected]);
    expect(split(tree).filter((f) => f.code === 'MF104').map((f) => f.message)).toEqual([expected]);
  });

  test('give exactly the findings of runChecks on a generated fleet with remotes, hand-edited in three clusters', () => {
    const fleet = parseTopology(generatedTopology(6, 40), 'fleet.yaml');
    const tree = new Map(synthesizeFleet(fleet));
    const edit = (prefix: string, from: RegExp, to: string) => {
      const file = [...tree.keys()].find((f) => f.startsWith(prefix) && from.test(tree.get(f)!))!;
      tree.set(file, tree.get(file)!.replace(from, to));
    };
    edit('c1/mesh/destinationrule.', /exportTo:\n(?:\s+- \S+\n)+/, 'exportTo:\n    - nowhere\n');
    edit('c3/', /meshID: \S+/, 'meshID: other');
    edit('c2/mesh/sidecar.', /- istio-system\/\*/, '- istio-system/nothing');
    const expected = runChecks({ topology: fleet, output: tree });
    expect(expected.filter((f) => f.severity === 'error').length).toBeGreaterThan(0);
    expect(runClusterwiseChecks({ topology: fleet, output: tree, digests: [] }).findings).toEqual(expected);
  });
});
