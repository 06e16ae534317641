import { loadAll } from 'js-yaml';
import { synthesizeFleet } from '../clusters/fleet';
import { planCommand, PlanCommandOutput } from '../plan/command';
import { PlanChange } from '../plan/diff';
import { PLAN_FILE, planFleet } from '../plan/model';
import { PLAN_EXIT } from '../plan/report';
import { loadTopology, parseTopology, readInputs } from '../topology';

/** Two primaries on two networks; reviews runs in east and is called there only. */
function topology(edit: { services?: string; clusters?: string; mesh?: string; trust?: string } = {}): string {
  return `apiVersion: meshfleet.dev/v1alpha1
kind: MeshTopology
mesh:
  id: mesh1
${edit.mesh ?? ''}clusters:
${
  edit.clusters ??
  `  - name: east
    role: primary
    network: net1
    region: region1
    apiServer: https://east.example.com:6443
  - name: west
    role: primary
    network: net2
    region: region2
    apiServer: https://west.example.com:6443
`
}services:
  - name: ratings
    namespace: bookinfo
    ports: [{ name: http, number: 9080, protocol: HTTP }]
    runsIn: [east, west]
${
  edit.services ??
  `  - name: reviews
    namespace: bookinfo
    ports: [{ name: http, number: 9080, protocol: HTTP }]
    runsIn: [east]
    consumers:
      - { namespace: bookinfo, serviceAccount: productpage, clusters: [east] }
`
}${edit.trust ?? ''}delivery:
  git: { url: https://example.com/fleet.git }
  flux: {}
`;
}

const BASE = topology();

function baselineOf(text: string) {
  return { label: 'dist/', tree: synthesizeFleet(parseTopology(text, 'old.yaml')) };
}

function plan(text: string, options: { against?: string; failOn?: 'disruptive'; acknowledgements?: string[]; format?: 'text' | 'json' | 'markdown' } = {}): PlanCommandOutput {
  return planCommand({
    topologyText: text,
    topologyFile: 'mesh.yaml',
    baseline: baselineOf(options.against ?? BASE),
    format: options.format ?? 'text',
    failOn: options.failOn,
    acknowledgements: options.acknowledgements,
  });
}

/** `cluster category kind subject` of every change, for exact assertions. */
function facts(changes: readonly PlanChange[]): string[] {
  return changes.map((c) => `${c.cluster} ${c.category} ${c.kind} ${c.subject}`);
}

function disruptionIds(out: PlanCommandOutput): string[] {
  return out.result.disruptions.map((d) => `${d.code}:${d.subject}`);
}

describe('meshfleet plan', () => {
  test('an unchanged topology plans nothing and exits 0', () => {
    const out = plan(BASE);
    expect(out.code).toBe(PLAN_EXIT.unchanged);
    expect(out.result.diff.changes).toEqual([]);
    expect(out.result.objects).toEqual([]);
    expect(out.output).toBe('meshfleet plan: no changes against dist/\n');
  });

  test.each(['examples/docs-multi-primary.yaml', 'examples/global-fleet.yaml', 'examples/production.yaml'])('%s planned against its own output changes nothing', (file) => {
    const { readFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    const text = readFileSync(file, 'utf8');
    const topologyInputs = readInputs(text, 'examples');
    const baseline = { label: 'dist/', tree: synthesizeFleet(loadTopology(file)) };
    const out = planCommand({ topologyText: text, topologyFile: file, topologyInputs, baseline, format: 'json' });
    expect([out.code, JSON.parse(out.output).changed]).toEqual([0, false]);
  });

  test('the committed dist/ is what the bundled example plans to', () => {
    const { readFileSync, readdirSync, statSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    const tree = new Map<string, string>();
    const walk = (rel: string): void => {
      for (const e of readdirSync(`dist/${rel}`)) {
        const child = rel ? `${rel}/${e}` : e;
        if (statSync(`dist/${child}`).isDirectory()) walk(child);
        else tree.set(child, readFileSync(`dist/${child}`, 'utf8'));
      }
    };
    walk('');
    const file = 'examples/docs-multi-primary.yaml';
    expect(planCommand({ topologyText: readFileSync(file, 'utf8'), topologyFile: file, baseline: { label: 'dist/', tree }, format: 'text' }).code).toBe(PLAN_EXIT.unchanged);
  });

  test('calling a service from another cluster names exactly the clusters, facts and topology entries that changed', () => {
    // GIVEN reviews gains a caller in west (another network, where reviews does not run)
    const changed = topology({
      services: `  - name: reviews
    namespace: bookinfo
    ports: [{ name: http, number: 9080, protocol: HTTP }]
    runsIn: [east]
    consumers:
      - { namespace: bookinfo, serviceAccount: productpage, clusters: [east, west] }
`,
    });
    const out = plan(changed);
    expect(out.code).toBe(PLAN_EXIT.changed);
    expect(facts(out.result.diff.changes)).toEqual([
      // east now serves a caller on another network: an east-west gateway and its Gateway.
      'east control-plane changed eastWestGateway.name',
      'east control-plane changed eastWestGateway.networkGateway',
      'east gateway added Gateway cross-network-gateway',
      'east gateway added east-west gateway',
      // west: DNS capture (reviews has no replica there), reviews' DestinationRule, the Sidecar. Not the
      // namespace (ratings already runs in bookinfo there), not a gateway (west serves no other network).
      'west control-plane changed istiod.meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE',
      'west service added bookinfo/reviews',
      'west sidecar added bookinfo',
    ]);
    const byFact = new Map(out.result.diff.changes.map((c) => [`${c.cluster} ${c.category} ${c.kind} ${c.subject}`, c]));
    expect(byFact.get('west service added bookinfo/reviews')!.because).toEqual([
      { text: 'consumer bookinfo/productpage runs in west', source: 'services[bookinfo/reviews].consumers[0]' },
    ]);
    expect(byFact.get('east gateway added east-west gateway')!.because).toEqual([
      { text: 'bookinfo/reviews runs here and is called from west on network net2 (15443)', source: 'services[bookinfo/reviews]' },
    ]);
    // The report resolves entries to the file's own path and line: reviews is services[1], its consumer on line 29.
    expect(out.output).toContain('consumer bookinfo/productpage runs in west (services[1].consumers[0] at mesh.yaml:26:9)');
    // Object level: the new files and the changed istiod values.
    const files = out.result.objects.map((o) => `${o.kind} ${o.file}`);
    expect(files).toContain('added west/mesh/destinationrule.bookinfo.reviews.yaml');
    expect(files).toContain('added west/mesh/sidecar.bookinfo.default.yaml');
    expect(files).toContain('added east/control-plane/helmrelease.istio-system.istio-eastwestgateway.yaml');
    expect(out.result.objects.find((o) => o.file === 'west/control-plane/helmrelease.istio-system.istiod.yaml')!.fields).toEqual([
      'spec.values.meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE',
    ]);
    // Disruptive: a new load balancer in east, restarts in west, a Sidecar newly restricting west's bookinfo.
    expect(disruptionIds(out)).toEqual(['load-balancer-added:east', 'pod-restart:west', 'sidecar-restricts-namespace:west/bookinfo']);
  });

  test('--fail-on disruptive exits 3 until every disruptive change is acknowledged', () => {
    const changed = topology({
      services: `  - name: reviews
    namespace: bookinfo
    ports: [{ name: http, number: 9080, protocol: HTTP }]
    runsIn: [east]
    consumers:
      - { namespace: bookinfo, serviceAccount: productpage, clusters: [east, west] }
`,
    });
    expect(plan(changed, { failOn: 'disruptive' }).code).toBe(PLAN_EXIT.disruptive);
    expect(plan(changed, { failOn: 'disruptive', acknowledgements: ['load-balancer-added:east', 'pod-restart:west'] }).code).toBe(PLAN_EXIT.disruptive);
    expect(plan(changed, { failOn: 'disruptive', acknowledgements: ['load-balancer-added:east', 'pod-restart:west', 'sidecar-restricts-namespace:*'] }).code).toBe(PLAN_EXIT.changed);
    expect(plan(changed).code).toBe(PLAN_EXIT.changed);
  });

  test('a renamed cluster is reported as a rename, not as removed and added files', () => {
    const renamed = BASE.replace('name: west', 'name: westus').replace(/runsIn: \[east, west\]/, 'runsIn: [east, westus]');
    const out = plan(renamed);
    expect(out.result.diff.renames).toEqual([{ from: 'west', to: 'westus' }]);
    expect(out.result.diff.removedClusters).toEqual([]);
    expect(out.result.diff.addedClusters).toEqual([]);
    expect(facts(out.result.diff.changes)).toEqual(['westus cluster renamed westus', 'westus control-plane changed istiod.global.multiCluster.clusterName']);
    expect(disruptionIds(out)).toEqual(['cluster-renamed:west']);
    expect(out.result.objects.filter((o) => o.kind === 'added' || o.kind === 'removed').map((o) => o.file)).toEqual([]);
    expect(out.result.objects.every((o) => o.kind === 'moved' || [PLAN_FILE, 'MESH.md', 'verify-mesh.sh'].includes(o.file) || o.file.startsWith('east/'))).toBe(true);
    expect(out.result.disruptions[0].consequence).toContain("the cluster's own Flux finds its paths gone");
    // Readers see the moves as one line; the clusterName change is a mesh-level change at the top.
    expect(out.output).toMatch(/\n {2}> \d+ file\(s\) only moved by the rename \(west -> westus\): same content with the new name\n/);
    expect(out.output.split('\n').filter((l) => l.startsWith('  > ')).length).toBe(2);
  });

  test.each([
    ['a removed cluster', topology({ clusters: '  - { name: east, role: primary, network: net1, region: region1, apiServer: "https://east.example.com:6443" }\n' }).replace('runsIn: [east, west]', 'runsIn: [east]'), ['cluster-removed:west']],
    ['an Istio upgrade skipping a minor', topology({ mesh: '  istio: { version: "1.30.3" }\n' }), ['istio-minor-change:mesh']],
    ['a revision change', topology({ mesh: '  istio: { version: "1.28.1", revision: "1-28" }\n' }), ['revision-change:mesh']],
    ['a trust domain change', topology({ mesh: '  trustDomain: example.org\n' }), ['trust-domain-change:mesh']],
    ['a trust root change', topology({ trust: 'trust:\n  provider: cert-manager\n  certManager: { issuer: { name: new-root } }\n' }), ['trust-root-change:mesh']],
  ])('detects %s', (_name, text, expected) => {
    const against = topology({ mesh: '  istio: { version: "1.28.1" }\n', trust: 'trust:\n  provider: cert-manager\n  certManager: { issuer: { name: mesh-root } }\n' });
    const source = text.includes('istio:') || text.includes('trust:') ? text : text.replace('mesh:\n  id: mesh1\n', 'mesh:\n  id: mesh1\n  istio: { version: "1.28.1" }\n');
    const withTrust = source.includes('trust:\n') ? source : source.replace('delivery:', 'trust:\n  provider: cert-manager\n  certManager: { issuer: { name: mesh-root } }\ndelivery:');
    const withIstio = withTrust.includes('istio:') ? withTrust : withTrust.replace('mesh:\n  id: mesh1\n', 'mesh:\n  id: mesh1\n  istio: { version: "1.28.1" }\n');
    const out = plan(withIstio, { against });
    expect(disruptionIds(out)).toEqual(expected);
  });

  test('detects a removed load balancer and the restarts the reverted DNS capture needs', () => {
    const withCaller = BASE.replace('clusters: [east] }', 'clusters: [east, west] }');
    expect(disruptionIds(plan(BASE, { against: withCaller }))).toEqual(['load-balancer-removed:east', 'pod-restart:west']);
  });

  test('detects a mesh ID change', () => {
    expect(disruptionIds(plan(BASE.replace('id: mesh1', 'id: mesh2')))).toEqual(['mesh-id-change:mesh']);
  });

  test('the markdown report leads with the disruptive changes and draws the changed clusters', () => {
    const out = plan(BASE.replace('clusters: [east] }', 'clusters: [east, west] }'), { format: 'markdown' });
    const lines = out.output.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      '### meshfleet plan',
      '',
      'Against `dist/`: 2 cluster(s) change, 7 mesh change(s), 13 file(s), 3 disruptive (3 unacknowledged)',
      '',
      '#### :warning: Disruptive changes',
    ]);
    expect(lines).toContain('- **`load-balancer-added:east`**: cluster east gets an east-west gateway Service of type LoadBalancer');
    expect(lines).toContain('        s__east__bookinfo_sreviews("bookinfo/reviews"):::changed');
    expect(lines).toContain('  k__west__bookinfo_sproductpage --> s__east__bookinfo_sreviews');
  });

  test('a skipped minor is named in the upgrade finding', () => {
    const against = topology({ mesh: '  istio: { version: "1.28.1" }\n' });
    const out = plan(topology({ mesh: '  istio: { version: "1.30.3" }\n' }), { against });
    expect(out.result.disruptions[0].summary).toBe('Istio upgrade 1.28.1 -> 1.30.3 (skips 1 minor version)');
  });

  test('files meshfleet did not write (its marker lists the ones it did) and the marker itself are not planned', () => {
    const tree = new Map(baselineOf(BASE).tree);
    const listed = [...tree.keys()].filter((f) => f !== 'east/mesh/sidecar.bookinfo.default.yaml');
    tree.set('.meshfleet/manifest', `# meshfleet: the files meshfleet wrote\n${listed.join('\n')}\n`);
    tree.set('.meshfleet/.gitignore', '/lock\n');
    tree.set('README.md', 'my own notes\n');
    const out = planCommand({ topologyText: BASE, topologyFile: 'mesh.yaml', baseline: { label: 'dist/', tree }, format: 'text' });
    // The Sidecar is on disk but unlisted: to the plan it is new; the notes and the marker are ignored.
    expect(out.result.objects.map((o) => `${o.kind} ${o.file}`)).toEqual(['added east/mesh/sidecar.bookinfo.default.yaml']);
  });

  test('a baseline without a stored model is planned from its topology, or else everything is new', () => {
    const tree = new Map(baselineOf(BASE).tree);
    tree.delete(PLAN_FILE);
    const fromTopology = planCommand({ topologyText: BASE, topologyFile: 'mesh.yaml', baseline: { label: 'x/', tree, topologyText: BASE }, format: 'text' });
    expect(fromTopology.result.diff.changes).toEqual([]);
    const none = planCommand({ topologyText: BASE, topologyFile: 'mesh.yaml', baseline: { label: 'x/', tree: new Map() }, format: 'json' });
    expect(none.result.diff.addedClusters).toEqual(['east', 'west']);
    const json = JSON.parse(none.output);
    expect(json.version).toBe(1);
    expect(json.changes[0]).toEqual({
      because: [{ at: 'mesh.yaml:6:5', path: 'clusters[0]', source: 'clusters[east]', text: 'declared' }],
      category: 'cluster',
      cluster: 'east',
      kind: 'added',
      subject: 'east',
      summary: 'cluster east added (primary, network net1, region region1)',
    });
  });
});

describe('the fleet model', () => {
  /** `kind namespace/name` of every manifest in a cluster's mesh layer. */
  function meshObjects(tree: ReadonlyMap<string, string>, cluster: string, kind: string): string[] {
    return [...tree.entries()]
      .filter(([file]) => file.startsWith(`${cluster}/mesh/`) && !file.endsWith('kustomization.yaml'))
      .map(([, content]) => loadAll(content)[0] as { kind: string; metadata: { name: string; namespace: string } })
      .filter((m) => m.kind === kind)
      .map((m) => `${m.metadata.namespace}/${m.metadata.name}`)
      .sort();
  }

  test.each(['examples/docs-multi-primary.yaml', 'examples/global-fleet.yaml', 'examples/production.yaml'])('agrees with the objects synthesized from %s', (file) => {
    const topology = loadTopology(file);
    const tree = synthesizeFleet(topology);
    const model = planFleet(topology);
    expect(JSON.parse(tree.get(PLAN_FILE)!)).toEqual(JSON.parse(JSON.stringify(model)));
    for (const cluster of model.clusters) {
      const routed = cluster.services.filter((s) => s.config?.destinationRule).map((s) => s.key);
      expect(meshObjects(tree, cluster.name, 'DestinationRule')).toEqual(routed.sort());
      for (const s of cluster.services.filter((x) => x.config?.destinationRule)) {
        const rule = loadAll(tree.get(`${cluster.name}/mesh/destinationrule.${s.key.replace('/', '.')}.yaml`)!)[0] as { spec: { subsets?: { name: string }[] } };
        expect({ rule: s.key, subsets: (rule.spec.subsets ?? []).map((x) => x.name) }).toEqual({ rule: s.key, subsets: s.subsets });
      }
      const guarded = cluster.services.filter((s) => s.config?.allowedPrincipals).map((s) => s.key);
      expect(meshObjects(tree, cluster.name, 'AuthorizationPolicy')).toEqual(guarded.sort());
      expect(meshObjects(tree, cluster.name, 'Sidecar')).toEqual(cluster.sidecars.map((s) => `${s.namespace}/default`));
      const gateways = meshObjects(tree, cluster.name, 'Gateway').map((g) => g.split('/')[1]);
      expect(gateways).toEqual([...cluster.gateways].sort());
      expect(tree.has(`${cluster.name}/control-plane/helmrelease.istio-system.istio-eastwestgateway.yaml`) || tree.has(`${cluster.name}/istioctl/istiooperator.istio-system.eastwest.yaml`)).toBe(
        cluster.eastWestGateway !== undefined,
      );
    }
  });

  test('is frozen and the same whatever order clusters are listed in', () => {
    const swapped = BASE.replace(/( {2}- name: east[\s\S]*?)( {2}- name: west[\s\S]*?)services:/, '$2$1services:');
    expect(swapped).not.toBe(BASE);
    const a = planFleet(parseTopology(BASE, 'a.yaml'));
    expect(Object.isFrozen(a.clusters[0].services)).toBe(true);
    expect(synthesizeFleet(parseTopology(swapped, 'b.yaml')).get(PLAN_FILE)).toBe(synthesizeFleet(parseTopology(BASE, 'a.yaml')).get(PLAN_FILE));
  });
});

describe('meshfleet plan on the command line', () => {
  const { spawnSync } = jest.requireActual<typeof import('node:child_process')>('node:child_process');
  const fs = jest.requireActual<typeof import('node:fs')>('node:fs');
  const os = jest.requireActual<typeof import('node:os')>('node:os');
  const path = jest.requireActual<typeof import('node:path')>('node:path');
  const CLI = path.join(__dirname, '..', 'bin', 'meshfleet.js');
  const run = (args: string[], cwd: string) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  const git = (args: string[], cwd: string) => {
    const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  };
  const CHANGED = BASE.replace('clusters: [east] }', 'clusters: [east, west] }');

  test('plans against the output committed at a Git ref, with or without a stored model, and exits as flux diff', () => {
    // GIVEN a repository with the topology and its output committed
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'meshfleet-plan-'));
    git(['init', '-q'], repo);
    fs.writeFileSync(path.join(repo, 'mesh.yaml'), BASE);
    expect(run(['synth', '--topology', 'mesh.yaml', '--out', 'out'], repo).status).toBe(0);
    git(['add', '-A'], repo);
    git(['commit', '-qm', 'base'], repo);

    // WHEN the topology is unchanged: exit 0
    const same = run(['plan', '--topology', 'mesh.yaml', '--out', 'out', '--against-ref', 'HEAD'], repo);
    expect([same.status, same.stdout]).toEqual([0, 'meshfleet plan: no changes against git:HEAD:out/\n']);

    // WHEN a caller is added: exit 1, or 3 with --fail-on disruptive, 1 again once acknowledged
    fs.writeFileSync(path.join(repo, 'mesh.yaml'), CHANGED);
    const changed = run(['plan', '--topology', 'mesh.yaml', '--out', 'out', '--against-ref', 'HEAD', '--format', 'json'], repo);
    expect(changed.status).toBe(1);
    expect(JSON.parse(changed.stdout).disruptions.map((d: { id: string }) => d.id)).toEqual(['load-balancer-added:east', 'pod-restart:west', 'sidecar-restricts-namespace:west/bookinfo']);
    expect(run(['plan', '--topology', 'mesh.yaml', '--out', 'out', '--against-ref', 'HEAD', '--fail-on', 'disruptive'], repo).status).toBe(3);
    fs.writeFileSync(path.join(repo, 'mesh.acks'), '# reviewed in PR 12\nload-balancer-added:east\npod-restart:west\nsidecar-restricts-namespace:west/bookinfo\n');
    expect(run(['plan', '--topology', 'mesh.yaml', '--out', 'out', '--against-ref', 'HEAD', '--fail-on', 'disruptive', '--acknowledgements', 'mesh.acks'], repo).status).toBe(1);

    // WHEN the committed output has no stored model: the committed topology is planned instead
    git(['rm', '-q', 'out/meshfleet-plan.json'], repo);
    git(['commit', '-qm', 'no model'], repo);
    const fromTopology = run(['plan', '--topology', 'mesh.yaml', '--out', 'out', '--against-ref', 'HEAD', '--format', 'json'], repo);
    expect(JSON.parse(fromTopology.stdout).changes.map((c: { cluster: string; category: string }) => `${c.cluster} ${c.category}`)).toEqual(JSON.parse(changed.stdout).changes.map((c: { cluster: string; category: string }) => `${c.cluster} ${c.category}`));
  });

  test('bad flags and baselines exit 2 with a clear message', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshfleet-plan-'));
    fs.writeFileSync(path.join(dir, 'mesh.yaml'), BASE);
    const format = run(['plan', '--topology', 'mesh.yaml', '--format', 'yaml'], dir);
    expect([format.status, format.stderr.split('\n')[0]]).toEqual([2, 'meshfleet plan: --format must be text, markdown or json (got "yaml")']);
    const ack = run(['plan', '--topology', 'mesh.yaml', '--acknowledge', 'lb:east'], dir);
    expect(ack.status).toBe(2);
    expect(ack.stderr).toContain('--acknowledge:1: not an acknowledgement: expected <code>:<subject>');
    const ref = run(['plan', '--topology', 'mesh.yaml', '--against-ref', 'HEAD'], dir);
    expect(ref.status).toBe(2);
    expect(ref.stderr).toMatch(/^meshfleet plan: git rev-parse failed: fatal: not a git repository/);
    fs.mkdirSync(path.join(dir, 'old'));
    fs.writeFileSync(path.join(dir, 'old', 'meshfleet-plan.json'), '{"kind": "Other"}');
    const stale = run(['plan', '--topology', 'mesh.yaml', '--against', 'old'], dir);
    expect([stale.status, stale.stderr]).toEqual([2, 'meshfleet plan: old/meshfleet-plan.json: not a MeshPlan meshfleet.dev/v1alpha1 (got kind "Other", apiVersion undefined); re-synthesize the baseline with this meshfleet\n']);
  });
});

describe('the markdown report of a large change', () => {
  test('lists at most MARKDOWN_OBJECT_LIMIT files and counts the rest', () => {
    const { renderPlan, MARKDOWN_OBJECT_LIMIT } = jest.requireActual<typeof import('../plan/report')>('../plan/report');
    const objects = Array.from({ length: MARKDOWN_OBJECT_LIMIT + 7 }, (_, i) => ({ file: `c/mesh/f${String(i).padStart(3, '0')}.yaml`, kind: 'added' as const, fields: [] }));
    const model = planFleet(parseTopology(BASE, 'mesh.yaml'));
    const text = renderPlan({ diff: { changes: [], renames: [], removedClusters: [], addedClusters: [] }, disruptions: [], objects, against: 'dist/', plan: model }, 'markdown');
    expect(text).toContain('- … and 7 more: run `meshfleet plan --format json` for all of them');
    expect(text.split('\n').filter((l) => l.startsWith('- + `c/mesh/')).length).toBe(150);
  });
});
