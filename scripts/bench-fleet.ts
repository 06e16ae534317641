/**
 * Seeded, realistic generated fleets for the scale benchmark.
 *
 * Every fifth cluster is a remote of the primary before it (half of them on their primary's
 * network, half on a network of their own); clusters spread over ten regions. Services have one
 * to three ports, one to three callers, run in one to three clusters and, depending on the
 * seed, fail over between regions, split traffic by weight or answer to a `.global` alias;
 * a few are cluster-local. Trust comes from cert-manager, remote credentials from External
 * Secrets (with PushSecrets), and both Flux and Argo CD objects are generated.
 */
import { dump } from 'js-yaml';

/** Options of {@link generatedTopology}. */
export interface GeneratedFleetOptions {
  /**
   * Seed of the pseudo-random choices; the same seed gives the same text.
   * @default 15
   */
  readonly seed?: number;
  /**
   * Whether to apply the one-service change the re-synth measurement uses: the middle
   * service's first caller gets another service account.
   * @default false
   */
  readonly changed?: boolean;
}

const REGIONS = 10;
const NAMESPACES = 50;
const PROTOCOLS = [
  { name: 'http', protocol: 'HTTP', number: 8080 },
  { name: 'grpc', protocol: 'GRPC', number: 9090 },
  { name: 'tcp-db', protocol: 'TCP', number: 5432 },
];

/** A small deterministic PRNG (mulberry32): same seed, same sequence on every platform. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Topology YAML of a generated fleet of `clusterCount` clusters and `serviceCount` services. */
export function generatedTopology(clusterCount: number, serviceCount: number, options: GeneratedFleetOptions = {}): string {
  if (clusterCount < 2 || serviceCount < 1) throw new Error(`a generated fleet needs at least 2 clusters and 1 service (got ${clusterCount}x${serviceCount})`);
  const rnd = random(options.seed ?? 15);
  const pick = (n: number) => Math.floor(rnd() * n);
  const isRemote = (i: number) => i % 5 === 4;
  const regionOf = (i: number) => `region${(isRemote(i) ? i - 1 : i) % REGIONS}`;
  const clusters = Array.from({ length: clusterCount }, (_, i) => {
    const remote = isRemote(i);
    return {
      name: `c${i}`,
      role: remote ? 'remote' : 'primary',
      ...(remote ? { controlPlane: `c${i - 1}` } : {}),
      network: `net${remote && i % 10 === 4 ? i - 1 : i}`,
      region: regionOf(i),
      zones: [`${regionOf(i)}-a`, `${regionOf(i)}-b`],
      apiServer: `https://c${i}.k8s.example.com:6443`,
      // A primary serving a remote needs a fixed east-west address.
      ...(!remote && isRemote(i + 1) && i + 1 < clusterCount ? { eastWestGateway: { address: `10.${Math.floor(i / 250)}.${i % 250}.1` } } : {}),
      namespaces: Array.from({ length: NAMESPACES }, (_, t) => `team${t}`),
    };
  });
  const changedService = Math.floor(serviceCount / 2);
  const services = Array.from({ length: serviceCount }, (_, i) => {
    const runsIn = [...new Set(Array.from({ length: 1 + pick(3) }, () => pick(clusterCount)))].map((c) => `c${c}`);
    const regions = [...new Set(runsIn.map((c) => regionOf(Number(c.slice(1)))))];
    const ports = PROTOCOLS.slice(0, 1 + pick(3)).map((p) => ({ ...p }));
    const clusterLocal = pick(20) === 0;
    const style = clusterLocal || runsIn.length < 2 ? 'none' : ['none', 'failover', 'weights', 'alias'][pick(4)];
    const consumers = Array.from({ length: 1 + pick(3) }, (_, k) => ({
      namespace: `team${(i + k + 1) % NAMESPACES}`,
      serviceAccount: options.changed && i === changedService && k === 0 ? `caller${pick(5)}-changed` : `caller${pick(5)}`,
      ...(clusterLocal ? { clusters: [runsIn[0]] } : pick(2) ? { clusters: [`c${pick(clusterCount)}`] } : {}),
    }));
    const weights = Object.fromEntries(runsIn.map((c, k) => [c, k === 0 ? 100 - 10 * (runsIn.length - 1) : 10]));
    return {
      name: `svc${i}`,
      namespace: `team${i % NAMESPACES}`,
      ports,
      runsIn,
      consumers,
      ...(clusterLocal ? { clusterLocal: true } : {}),
      ...(style === 'failover' && regions.length > 1 ? { failover: [{ from: regions[0], to: regions[1] }, { from: regions[1], to: regions[0] }] } : {}),
      ...(style === 'weights' ? { weights } : {}),
      ...(style === 'alias' ? { globalAlias: true } : {}),
    };
  });
  return dump({
    apiVersion: 'meshfleet.dev/v1alpha1',
    kind: 'MeshTopology',
    mesh: { id: 'bench', trustDomain: 'bench.example.com', outlierDetection: { consecutive5xxErrors: 3, interval: '5s', baseEjectionTime: '1m' } },
    clusters,
    services,
    trust: { provider: 'cert-manager', certManager: { issuer: { name: 'mesh-root', kind: 'ClusterIssuer', group: 'cert-manager.io' } } },
    credentials: {
      provider: 'external-secrets',
      externalSecrets: { store: { name: 'vault-kv', kind: 'ClusterSecretStore' }, key: 'kv/meshfleet/{cluster}/istio-reader', push: true },
    },
    delivery: { git: { url: 'https://example.com/fleet.git', branch: 'main', path: 'dist' }, flux: {}, argocd: {} },
  }, { noRefs: true, lineWidth: -1 });
}

/**
 * The earlier, uniform generated fleet (kept for tests that depend on its shape): every tenth
 * cluster a remote of the primary before it, ten regions, one port and one caller per service,
 * failover between the regions of its two clusters, Flux and Argo CD.
 */
export function uniformTopology(clusterCount: number, serviceCount: number): string {
  const cs = Array.from({ length: clusterCount }, (_, i) => {
    const remote = i % 10 === 9;
    return {
      name: `c${i}`,
      role: remote ? 'remote' : 'primary',
      ...(remote ? { controlPlane: `c${i - 1}` } : {}),
      network: `net${remote ? i - 1 : i}`,
      region: `region${i % REGIONS}`,
      apiServer: `https://c${i}.example.com:6443`,
      eastWestGateway: { address: `10.0.${Math.floor(i / 250)}.${i % 250}` },
      namespaces: Array.from({ length: NAMESPACES }, (_, t) => `team${t}`),
    };
  });
  const ss = Array.from({ length: serviceCount }, (_, i) => {
    const [a, b] = [i % clusterCount, (i * 7 + 3) % clusterCount];
    const [from, to] = [`region${a % REGIONS}`, `region${b % REGIONS}`];
    return {
      name: `svc${i}`,
      namespace: `team${i % NAMESPACES}`,
      ports: [{ name: 'http', number: 8080, protocol: 'HTTP' }],
      runsIn: a === b ? [`c${a}`] : [`c${a}`, `c${b}`],
      consumers: [{ namespace: `team${(i + 1) % NAMESPACES}`, serviceAccount: `caller${i % 5}`, clusters: [`c${(i * 3) % clusterCount}`] }],
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
