/**
 * Scale benchmark: synthesizes a generated fleet (default 100 clusters x 1,000 services)
 * and reports how long each phase takes. It measures; it asserts nothing.
 *
 *   npx ts-node scripts/bench.ts [clusters] [services]
 */
import { performance } from 'node:perf_hooks';
import { dump } from 'js-yaml';
import { buildFleet, synthesizeFleet } from '../clusters/fleet';
import { planCommand } from '../plan/command';
import { APPLIED_LAYERS } from '../src/layer-chart';
import { failsCheck, runChecks } from '../src/check';
import { renderTree } from '../src/output';
import { parseTopology, TopologyError } from '../topology';

const clusters = Number(process.argv[2] ?? 100);
const services = Number(process.argv[3] ?? 1000);
const regions = 10;

/** A generated fleet: every tenth cluster a remote of the primary before it; 10 regions. */
export function generatedTopology(clusterCount: number, serviceCount: number): string {
  const cs = Array.from({ length: clusterCount }, (_, i) => {
    const remote = i % 10 === 9;
    return {
      name: `c${i}`,
      role: remote ? 'remote' : 'primary',
      ...(remote ? { controlPlane: `c${i - 1}` } : {}),
      network: `net${remote ? i - 1 : i}`,
      region: `region${i % regions}`,
      apiServer: `https://c${i}.example.com:6443`,
      eastWestGateway: { address: `10.0.${Math.floor(i / 250)}.${i % 250}` },
      namespaces: Array.from({ length: 50 }, (_, t) => `team${t}`),
    };
  });
  const ss = Array.from({ length: serviceCount }, (_, i) => {
    const [a, b] = [i % clusterCount, (i * 7 + 3) % clusterCount];
    const [from, to] = [`region${a % regions}`, `region${b % regions}`];
    return {
      name: `svc${i}`,
      namespace: `team${i % 50}`,
      ports: [{ name: 'http', number: 8080, protocol: 'HTTP' }],
      runsIn: a === b ? [`c${a}`] : [`c${a}`, `c${b}`],
      consumers: [{ namespace: `team${(i + 1) % 50}`, serviceAccount: `caller${i % 5}`, clusters: [`c${(i * 3) % clusterCount}`] }],
      ...(from !== to ? { failover: [{ from, to }] } : {}),
    };
  });
  return dump({
    apiVersion: 'meshfleet.dev/v1alpha1',
    kind: 'MeshTopology',
    mesh: { id: 'bench' },
    clusters: cs,
    services: ss,
    delivery: { git: { url: 'https://example.com/fleet.git' }, flux: {}, argocd: {} },
  });
}

if (require.main === module) {
  const text = generatedTopology(clusters, services);
  const t0 = performance.now();
  let topology;
  try {
    topology = parseTopology(text, 'generated.yaml');
  } catch (e) {
    console.error(e instanceof TopologyError ? e.message.split('\n').slice(0, 10).join('\n') : e);
    process.exit(1);
  }
  const t1 = performance.now();
  const fleet = buildFleet(topology);
  const t2 = performance.now();
  const tree = renderTree(fleet.app, APPLIED_LAYERS);
  const t3 = performance.now();
  const findings = runChecks({ topology, output: tree });
  const t4 = performance.now();
  const bytes = [...tree.values()].reduce((n, c) => n + c.length, 0);
  console.log(`fleet: ${clusters} clusters x ${services} services (${(text.length / 1024).toFixed(0)} KiB topology)`);
  console.log(`load+validate: ${(t1 - t0).toFixed(0)} ms`);
  console.log(`build constructs: ${(t2 - t1).toFixed(0)} ms`);
  console.log(`render ${tree.size} files (${(bytes / 1024 / 1024).toFixed(1)} MiB): ${(t3 - t2).toFixed(0)} ms`);
  const counts = ['error', 'warning', 'info'].map((s) => `${findings.filter((f) => f.severity === s).length} ${s}`).join(', ');
  console.log(`meshfleet check (every check but staleness): ${(t4 - t3).toFixed(0)} ms (${counts}${failsCheck(findings) ? '; FAILS' : ''})`);
  console.log(`total (load to render): ${(t3 - t0).toFixed(0)} ms; heap used ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MiB`);

  // plan: the same fleet with one more caller cluster for svc0, against the committed output.
  const baseline = { label: 'dist/', tree: synthesizeFleet(topology) };
  const changed = text.replace(/clusters:\n( *)- c0\n/, (m, indent: string) => `${m}${indent}- c1\n`);
  const t6 = performance.now();
  const planned = planCommand({ topologyText: changed, topologyFile: 'generated.yaml', baseline, format: 'markdown' });
  const t7 = performance.now();
  console.log(`plan (synth + model + diff, one caller added): ${(t7 - t6).toFixed(0)} ms; ${planned.result.diff.changes.length} mesh changes, ${planned.result.objects.length} files, exit ${planned.code}`);
}
