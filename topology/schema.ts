/**
 * The topology file's shape: keys, types, formats and defaults, section by section.
 *
 * Reading is best effort: an invalid field is reported and left out, so one pass finds
 * every problem. Cross-field rules live in `rules.ts`, not here.
 */
import { EAST_WEST_EXTRA_KEYS, HatchReading, readChartValues, readEastWestExtras, readObjects, readPatches, readVersions } from './hatches-schema';
import { NO_INPUTS, TopologyInputs } from './inputs';
import { ChartValuesChecker } from './istio-chart-data';
import { Fields, Reader } from './reader';
import {
  ArgoCdDelivery,
  Cluster,
  ClusterRole,
  Consumer,
  Credentials,
  CredentialsProvider,
  DEFAULT_ISTIO_CHART_REPOSITORY,
  DEFAULT_ISTIO_VERSION,
  Delivery,
  EastWestGatewayServiceType,
  Failover,
  FluxDelivery,
  FluxMode,
  ISTIO_PROTOCOLS,
  IstioProtocol,
  Mesh,
  MeshService,
  OutlierDetection,
  SecretStoreRef,
  ServicePort,
  TOPOLOGY_API_VERSION,
  TOPOLOGY_KIND,
  Topology,
  Trust,
  TrustProvider,
} from './types';

/** A consumer as written: `clusters` is filled in by the rules step when omitted. */
export type ConsumerDraft = Omit<Consumer, 'clusters'> & { readonly clusters?: readonly string[] };
/** A service as written. */
export type ServiceDraft = Omit<MeshService, 'consumers'> & { readonly consumers: readonly ConsumerDraft[] };

/**
 * What the shape step hands to the rules step: the model as written (author order,
 * consumers' clusters not yet defaulted), plus where each part was written.
 */
export interface TopologyDraft extends Omit<Topology, 'services'> {
  readonly services: readonly ServiceDraft[];
  /** Where each cluster, service and consumer was written (`clusters[2]`), for the rules' reports. */
  readonly pathOf: ReadonlyMap<object, string>;
  /** The parsed document as written, for rules that point into author-ordered lists. */
  readonly raw: unknown;
}

/** Built-in outlier detection: eject after 5 consecutive 5xx, checked every 10s, for 30s. */
export const DEFAULT_OUTLIER_DETECTION: OutlierDetection = {
  consecutive5xxErrors: 5,
  interval: '10s',
  baseEjectionTime: '30s',
  // Envoy's default (10%) would keep most failing endpoints in rotation; failover across
  // localities only starts once a locality's endpoints are all ejected.
  maxEjectionPercent: 100,
};

/** Reads the whole document into a draft; problems land in `reader.problems`. */
export function readTopology(reader: Reader, data: unknown, inputs: TopologyInputs = NO_INPUTS, file = 'topology.yaml'): TopologyDraft | undefined {
  const top = reader.object(data, '', ['apiVersion', 'kind', 'mesh', 'clusters', 'services', 'trust', 'credentials', 'delivery']);
  if (!top) return undefined;
  top.string('apiVersion', { required: true, oneOf: [TOPOLOGY_API_VERSION] });
  top.string('kind', { required: true, oneOf: [TOPOLOGY_KIND] });
  const pathOf = new Map<object, string>();
  const track = <T extends object>(value: T, path: string): T => {
    pathOf.set(value, path);
    return value;
  };

  const hatches: HatchReading = { reader, inputs, file, checker: new ChartValuesChecker() };
  const mesh = readMesh(top, hatches);
  const clusters = top.list('clusters', (v, path) => readCluster(reader, v, path, track, hatches), { required: true, nonEmpty: true });
  const services = top.list('services', (v, path) => readService(reader, v, path, mesh.outlierDetection, track));
  return {
    mesh,
    clusters,
    services,
    trust: readTrust(top),
    credentials: readCredentials(top),
    delivery: readDelivery(top),
    pathOf,
    raw: data,
  };
}

function readMesh(top: Fields, hatches: HatchReading): Mesh {
  const mesh = top.object('mesh', ['id', 'trustDomain', 'istio', 'outlierDetection', 'patches', 'objects'], { required: true });
  const istio = mesh?.object('istio', ['version', 'revision', 'chartRepository', 'canary', 'values', 'valuesFiles']);
  const version = istio?.string('version') ?? DEFAULT_ISTIO_VERSION;
  const canary = istio?.object('canary', ['version', 'revision', 'namespaces']);
  const canaryRevision = canary?.string('revision', { required: true, format: 'dns-label' });
  return {
    id: mesh?.string('id', { required: true, format: 'dns-label' }) ?? '',
    trustDomain: mesh?.string('trustDomain', { format: 'host' }) ?? 'cluster.local',
    istio: {
      version,
      revision: istio?.string('revision', { format: 'dns-label' }),
      chartRepository: istio?.string('chartRepository', { format: 'chart-url' }) ?? DEFAULT_ISTIO_CHART_REPOSITORY,
      canary:
        canary && canaryRevision
          ? {
              version: canary.string('version') ?? version,
              revision: canaryRevision,
              namespaces: [...new Set(canary.strings('namespaces', { format: 'dns-label' }))].sort(),
            }
          : undefined,
      values: readChartValues(istio, hatches),
    },
    outlierDetection: readOutlierDetection(mesh, DEFAULT_OUTLIER_DETECTION),
    patches: readPatches(mesh, hatches),
    objects: readObjects(mesh, hatches),
  };
}

function readOutlierDetection(parent: Fields | undefined, base: OutlierDetection): OutlierDetection {
  const od = parent?.object('outlierDetection', ['consecutive5xxErrors', 'interval', 'baseEjectionTime', 'maxEjectionPercent']);
  return {
    consecutive5xxErrors: od?.integer('consecutive5xxErrors', { min: 1, max: 1000 }) ?? base.consecutive5xxErrors,
    interval: od?.string('interval', { format: 'duration' }) ?? base.interval,
    baseEjectionTime: od?.string('baseEjectionTime', { format: 'duration' }) ?? base.baseEjectionTime,
    maxEjectionPercent: od?.integer('maxEjectionPercent', { min: 0, max: 100 }) ?? base.maxEjectionPercent,
  };
}

type Track = <T extends object>(value: T, path: string) => T;

function readCluster(reader: Reader, value: unknown, path: string, track: Track, hatches: HatchReading): Cluster | undefined {
  const c = reader.object(value, path, [
    'name', 'role', 'controlPlane', 'network', 'region', 'zones', 'apiServer', 'namespaces', 'eastWestGateway', 'istio', 'patches', 'objects',
  ]);
  if (!c) return undefined;
  const ewg = c.object('eastWestGateway', ['address', 'serviceType', 'tlsMode', ...EAST_WEST_EXTRA_KEYS]);
  const serviceType = ewg?.string<EastWestGatewayServiceType>('serviceType', { oneOf: ['LoadBalancer', 'ClusterIP', 'NodePort'] }) ?? 'LoadBalancer';
  ewg?.string('tlsMode', {
    oneOf: ['AUTO_PASSTHROUGH'],
    refusals: {
      MUTUAL:
        'tlsMode MUTUAL is not supported: a MUTUAL gateway on 15443 terminates the sidecars\' end-to-end mTLS; ' +
        'east-west traffic uses AUTO_PASSTHROUGH (the default): remove tlsMode',
      SIMPLE: 'tlsMode SIMPLE is not supported on the east-west port 15443: remove tlsMode to use AUTO_PASSTHROUGH',
    },
  });
  const cluster: Cluster = {
    name: c.string('name', { required: true, format: 'dns-label' }) ?? '',
    role: c.string<ClusterRole>('role', { required: true, oneOf: ['primary', 'remote'] }) ?? 'primary',
    controlPlane: c.string('controlPlane', { format: 'dns-label' }),
    network: c.string('network', { required: true, format: 'dns-label' }) ?? '',
    region: c.string('region', { required: true, format: 'dns-label' }) ?? '',
    zones: [...new Set(c.strings('zones', { format: 'dns-label' }))].sort(),
    apiServer: c.string('apiServer', { format: 'https-url' }),
    namespaces: [...new Set(c.strings('namespaces', { format: 'dns-label' }))].sort(),
    eastWestGateway: {
      address: ewg?.string('address', { format: 'host' }),
      serviceType,
      ...readEastWestExtras(ewg, serviceType),
    },
    istio: { values: readChartValues(c.object('istio', ['values', 'valuesFiles']), hatches) },
    patches: readPatches(c, hatches),
    objects: readObjects(c, hatches),
  };
  return track(cluster, path);
}

function readService(reader: Reader, value: unknown, path: string, meshOutlier: OutlierDetection, track: Track): ServiceDraft | undefined {
  const s = reader.object(value, path, [
    'name', 'namespace', 'ports', 'runsIn', 'consumers', 'clusterLocal', 'failover', 'failoverPriority', 'weights', 'globalAlias', 'outlierDetection', 'versions',
  ]);
  if (!s) return undefined;
  const ports = s.list('ports', (v, p) => readPort(reader, v, p), { required: true, nonEmpty: true });
  const consumers = s.list('consumers', (v, p) => {
    const f = reader.object(v, p, ['namespace', 'serviceAccount', 'clusters']);
    if (!f) return undefined;
    const consumer: ConsumerDraft = {
      namespace: f.string('namespace', { required: true, format: 'dns-label' }) ?? '',
      serviceAccount: f.string('serviceAccount', { required: true, format: 'dns-label' }) ?? '',
      clusters: f.has('clusters') ? [...new Set(f.strings('clusters', { nonEmpty: true }))].sort() : undefined,
    };
    return track(consumer, p);
  });
  const failover = s.list('failover', (v, p) => {
    const f = reader.object(v, p, ['from', 'to']);
    if (!f) return undefined;
    const entry: Failover = { from: f.string('from', { required: true }) ?? '', to: f.string('to', { required: true }) ?? '' };
    return track(entry, p);
  });
  const weights = s.has('weights') ? readWeights(s) : undefined;
  const service: ServiceDraft = {
    name: s.string('name', { required: true, format: 'dns-label' }) ?? '',
    namespace: s.string('namespace', { required: true, format: 'dns-label' }) ?? '',
    ports,
    runsIn: [...new Set(s.strings('runsIn', { required: true, nonEmpty: true }))].sort(),
    consumers,
    clusterLocal: s.boolean('clusterLocal') ?? false,
    failover,
    failoverPriority: s.strings('failoverPriority'),
    weights,
    globalAlias: s.boolean('globalAlias') ?? false,
    outlierDetection: readOutlierDetection(s, meshOutlier),
    versions: readVersions(s, track),
  };
  return track(service, path);
}

function readPort(reader: Reader, value: unknown, path: string): ServicePort | undefined {
  const p = reader.object(value, path, ['name', 'number', 'protocol']);
  if (!p) return undefined;
  const protocol = p.string<IstioProtocol>('protocol', { required: true, oneOf: ISTIO_PROTOCOLS });
  const name = p.string('name', { required: true, format: 'dns-label' });
  const number = p.integer('number', { required: true, min: 1, max: 65535 });
  if (!protocol || !name || !number) return undefined;
  return { name, number, protocol };
}

function readWeights(s: Fields): Record<string, number> | undefined {
  const raw = s.raw.weights;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    s.reader.report(s.at('weights'), 'must be a mapping of cluster name to percent, e.g. {east: 80, west: 20}');
    return undefined;
  }
  const fields = new Fields(s.reader, raw as Record<string, unknown>, s.at('weights'));
  const out: Record<string, number> = {};
  // An entry without a value is as invalid as one out of range; rules/services.ts leaves the
  // sum alone when an entry was rejected.
  for (const key of Object.keys(raw).sort()) {
    if ((raw as Record<string, unknown>)[key] === null) {
      s.reader.report(fields.at(key), 'must be a whole number from 0 to 100 (got nothing)');
      continue;
    }
    const weight = fields.integer(key, { min: 0, max: 100 });
    if (weight !== undefined) out[key] = weight;
  }
  return out;
}

function readStore(parent: Fields): SecretStoreRef | undefined {
  const store = parent.object('store', ['name', 'kind'], { required: true });
  const name = store?.string('name', { required: true, format: 'dns-label' });
  if (!store || !name) return undefined;
  return { name, kind: store.string<SecretStoreRef['kind']>('kind', { oneOf: ['ClusterSecretStore', 'SecretStore'] }) ?? 'ClusterSecretStore' };
}

function readTrust(top: Fields): Trust {
  const trust = top.object('trust', ['provider', 'certManager', 'externalSecrets']);
  const provider = trust?.string<TrustProvider>('provider', { oneOf: ['cert-manager', 'external-secrets', 'existing'] }) ?? 'existing';
  // A missing certManager/externalSecrets block is reported by rules/trust.ts, which says why it is needed.
  const cm = trust?.object('certManager', ['issuer', 'duration', 'renewBefore']);
  const issuer = cm?.object('issuer', ['name', 'kind', 'group'], { required: true });
  const issuerName = issuer?.string('name', { required: true });
  const es = trust?.object('externalSecrets', ['store', 'key', 'refreshInterval']);
  const esStore = es ? readStore(es) : undefined;
  return {
    provider,
    certManager:
      cm && issuer && issuerName
        ? {
            issuer: {
              name: issuerName,
              // Any kind: external issuers (AWS PCA, Google CAS …) have their own; rules/trust.ts checks it.
              kind: issuer.string('kind') ?? 'ClusterIssuer',
              group: issuer.string('group') ?? 'cert-manager.io',
            },
            duration: cm.string('duration', { format: 'duration' }) ?? '8760h',
            renewBefore: cm.string('renewBefore', { format: 'duration' }) ?? '720h',
          }
        : undefined,
    externalSecrets:
      es && esStore
        ? { store: esStore, key: es.string('key') ?? 'meshfleet/{cluster}/cacerts', refreshInterval: es.string('refreshInterval', { format: 'duration' }) ?? '1h' }
        : undefined,
  };
}

function readCredentials(top: Fields): Credentials {
  const creds = top.object('credentials', ['provider', 'externalSecrets']);
  const provider = creds?.string<CredentialsProvider>('provider', { oneOf: ['external-secrets', 'existing'] }) ?? 'existing';
  const es = creds?.object('externalSecrets', ['store', 'key', 'refreshInterval', 'push']);
  const store = es ? readStore(es) : undefined;
  return {
    provider,
    externalSecrets:
      es && store
        ? {
            store,
            key: es.string('key') ?? 'meshfleet/{cluster}/reader',
            refreshInterval: es.string('refreshInterval', { format: 'duration' }) ?? '1h',
            push: es.boolean('push') ?? true,
          }
        : undefined,
  };
}

function readDelivery(top: Fields): Delivery {
  const d = top.object('delivery', ['git', 'flux', 'argocd']);
  const git = d?.object('git', ['url', 'branch', 'path'], { required: !!d && (d.has('flux') || d.has('argocd')) });
  const flux = d?.object('flux', ['mode', 'managementCluster', 'namespace', 'interval', 'gitRepository', 'secretRef']);
  const argo = d?.object('argocd', ['namespace', 'project']);
  const fluxDelivery: FluxDelivery | undefined = flux && {
    mode: flux.string<FluxMode>('mode', { oneOf: ['per-cluster', 'management'] }) ?? 'per-cluster',
    managementCluster: flux.string('managementCluster', { format: 'dns-label' }),
    namespace: flux.string('namespace', { format: 'dns-label' }) ?? 'flux-system',
    interval: flux.string('interval', { format: 'duration' }) ?? '10m',
    gitRepository: flux.string('gitRepository', { format: 'dns-label' }) ?? 'meshfleet',
    secretRef: flux.string('secretRef', { format: 'dns-label' }),
  };
  const argoDelivery: ArgoCdDelivery | undefined = argo && {
    namespace: argo.string('namespace', { format: 'dns-label' }) ?? 'argocd',
    project: argo.string('project', { format: 'dns-label' }) ?? 'meshfleet',
  };
  return {
    git: {
      url: git?.string('url', { required: true, format: 'git-url' }) ?? '',
      branch: git?.string('branch') ?? 'main',
      path: (git?.string('path') ?? 'dist').replace(/^\.\/+|\/+$/g, ''),
    },
    flux: fluxDelivery,
    argocd: argoDelivery,
  };
}
