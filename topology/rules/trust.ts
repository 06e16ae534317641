/**
 * Cross-field rules about the shared root of trust (`trust`) and remote-cluster
 * credentials (`credentials`): each provider has what it needs, secret-store keys are
 * per cluster, and every cluster a primary reads has an API server URL.
 */
import { RuleContext } from './context';
import { shown } from '../problems';
import { compareCodePoints } from '../compare';
import { durationNanos } from '../durations';
import { CLUSTER_PLACEHOLDER, readersOf, runsIstiodCa } from '../trust-scope';
import { Cluster } from '../types';

const CERT_MANAGER_GROUP = 'cert-manager.io';
const KIND = /^[A-Z][A-Za-z0-9]*$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** cert-manager refuses certificates shorter than this (`MinimumCertificateDuration`). */
const MIN_CERTIFICATE_DURATION_MS = 60 * 60 * 1000;
/** cert-manager refuses a `renewBefore` shorter than this (`MinimumRenewBefore`). */
const MIN_RENEW_BEFORE_MS = 5 * 60 * 1000;

/** Checks `trust` and `credentials` against the clusters. */
export function trustRules(ctx: RuleContext): void {
  checkTrust(ctx);
  checkCredentials(ctx);
}

function checkTrust(ctx: RuleContext): void {
  const { trust } = ctx.draft;
  const raw = rawAt(ctx.draft.raw, 'trust');
  checkProviderBlocks(ctx, 'trust', trust.provider, raw, {
    'cert-manager': {
      block: 'certManager',
      advice: 'add certManager.issuer naming the root ClusterIssuer (or Issuer) that signs every primary\'s intermediate CA',
    },
    'external-secrets': {
      block: 'externalSecrets',
      advice: 'add externalSecrets.store naming the ClusterSecretStore (or SecretStore) that holds each primary\'s CA bundle',
    },
  });

  const cm = trust.provider === 'cert-manager' ? trust.certManager : undefined;
  if (cm) {
    const { kind, group, name } = cm.issuer;
    if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
      ctx.report('trust.certManager.issuer.name', undefined,
        `must be a Kubernetes object name: lowercase letters, digits, "-" and ".", at most 253 characters (got ${shown(name)})`);
    }
    if (group === CERT_MANAGER_GROUP && kind !== 'ClusterIssuer' && kind !== 'Issuer') {
      ctx.report('trust.certManager.issuer.kind', undefined,
        `must be ClusterIssuer or Issuer for group ${CERT_MANAGER_GROUP} (got ${shown(kind)}): for an external issuer, also set its group`);
    } else if (!KIND.test(kind)) {
      ctx.report('trust.certManager.issuer.kind', undefined, `must be a Kubernetes kind such as ClusterIssuer or AWSPCAClusterIssuer (got ${shown(kind)})`);
    }
    if (!DNS_SUBDOMAIN.test(group)) {
      ctx.report('trust.certManager.issuer.group', undefined, `must be an API group such as cert-manager.io or awspca.cert-manager.io (got ${shown(group)})`);
    }
    const duration = durationMs(cm.duration);
    const renewBefore = durationMs(cm.renewBefore);
    if (duration !== undefined && duration < MIN_CERTIFICATE_DURATION_MS) {
      ctx.report('trust.certManager.duration', undefined, `must be at least 1h: cert-manager refuses shorter certificates (got ${shown(cm.duration)})`);
    }
    if (renewBefore !== undefined && renewBefore < MIN_RENEW_BEFORE_MS) {
      ctx.report('trust.certManager.renewBefore', undefined, `must be at least 5m: cert-manager refuses a shorter renewBefore (got ${shown(cm.renewBefore)})`);
    } else if (renewBefore !== undefined && duration !== undefined && renewBefore >= duration) {
      ctx.report('trust.certManager.renewBefore', undefined,
        `must be shorter than duration (${cm.duration}): cert-manager refuses a certificate that is due for renewal when issued (got ${shown(cm.renewBefore)})`);
    }
  }

  const es = trust.provider === 'external-secrets' ? trust.externalSecrets : undefined;
  if (es) {
    const holders = uniqueClusters(ctx).filter(runsIstiodCa).map((c) => c.name);
    checkKeyTemplate(ctx, 'trust.externalSecrets.key', es.key, holders, 'primaries', 'every primary would sign with the same intermediate CA key');
  }
}

function checkCredentials(ctx: RuleContext): void {
  const { credentials, trust } = ctx.draft;
  const raw = rawAt(ctx.draft.raw, 'credentials');
  checkProviderBlocks(ctx, 'credentials', credentials.provider, raw, {
    'external-secrets': {
      block: 'externalSecrets',
      advice: 'add externalSecrets.store naming the ClusterSecretStore (or SecretStore) that holds each cluster\'s reader token',
    },
  });
  if (credentials.provider !== 'external-secrets') return;

  const clusters = uniqueClusters(ctx);
  const primaries = clusters.filter((c) => c.role === 'primary');
  const read = clusters.filter((c) => readersOf(primaries, c).length > 0);

  const es = credentials.externalSecrets;
  if (es) {
    checkKeyTemplate(ctx, 'credentials.externalSecrets.key', es.key, read.map((c) => c.name), 'clusters read by a primary',
      'each cluster\'s reader token would overwrite the others\'');
    const trustEs = trust.provider === 'external-secrets' ? trust.externalSecrets : undefined;
    if (trustEs && trustEs.store.kind === es.store.kind && trustEs.store.name === es.store.name && trustEs.key === es.key) {
      ctx.report('credentials.externalSecrets.key', undefined,
        `must differ from trust.externalSecrets.key (both ${shown(es.key)} in ${es.store.kind} ${es.store.name}): ` +
        'the reader tokens and the CA private keys belong under separate keys with separate access policies');
    }
  }

  // Every cluster some primary reads needs its API server URL for the kubeconfig.
  for (const cluster of read) {
    // A malformed apiServer already has its problem: "required" is for a missing one.
    if (cluster.apiServer || ctx.wasRejected(cluster, 'apiServer')) continue;
    const readers = readersOf(primaries, cluster).map((p) => p.name);
    const shownReaders = readers.length > 3 ? `${readers.slice(0, 3).join(', ')} and ${readers.length - 3} more` : readers.join(', ');
    ctx.report(cluster, 'apiServer',
      `is required: ${readers.length === 1 ? 'primary' : 'primaries'} ${shownReaders} read${readers.length === 1 ? 's' : ''} cluster "${cluster.name}" ` +
      `through istio-remote-secret-${cluster.name} (credentials.provider external-secrets): ` +
      `add apiServer with the URL they reach its Kubernetes API at, e.g. https://${cluster.name}.example.com:6443`);
  }
}

interface ProviderBlock {
  readonly block: string;
  readonly advice: string;
}

/** A provider's block must be present; a block of another provider is a mistake. */
function checkProviderBlocks(ctx: RuleContext, section: string, provider: string, raw: unknown, blocks: Readonly<Record<string, ProviderBlock>>): void {
  // A malformed provider already has its problem; which blocks belong is unknown.
  if (ctx.wasRejected(section, 'provider')) return;
  const providerWritten = rawAt(raw, 'provider') !== undefined;
  for (const [name, { block, advice }] of Object.entries(blocks).sort(([a], [b]) => compareCodePoints(a, b))) {
    const present = rawAt(raw, block) !== undefined;
    if (provider === name && !present) {
      ctx.report(section, block, `is required when provider is ${name}: ${advice}`);
    } else if (provider !== name && present) {
      const current = providerWritten ? `provider is ${provider}` : `provider defaults to ${provider}`;
      ctx.report(section, block, `is only read with provider ${name} (${current}): set ${section}.provider: ${name}, or remove ${block}`);
    }
  }
}

/** A key template must name `{cluster}` once clusters would otherwise share it. */
function checkKeyTemplate(ctx: RuleContext, path: string, key: string, clusters: readonly string[], who: string, consequence: string): void {
  if (!key.trim()) {
    ctx.report(path, undefined, `must not be empty: name the secret-store key, with ${CLUSTER_PLACEHOLDER} where the cluster name goes`);
    return;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) {
    ctx.report(path, undefined, `must not contain line breaks or control characters: it is a secret-store path such as "meshfleet/${CLUSTER_PLACEHOLDER}/cacerts" (got ${shown(key)})`);
    return;
  }
  for (const placeholder of [...new Set(key.match(/\{[^{}]*\}/g) ?? [])].sort()) {
    if (placeholder !== CLUSTER_PLACEHOLDER) {
      ctx.report(path, undefined, `unknown placeholder ${shown(placeholder)}: only ${CLUSTER_PLACEHOLDER} is replaced (by the cluster name)`);
    }
  }
  if (clusters.length > 1 && !key.includes(CLUSTER_PLACEHOLDER)) {
    const names = clusters.length > 3 ? `${clusters.slice(0, 3).join(', ')} …` : clusters.join(', ');
    ctx.report(path, undefined,
      `must contain ${CLUSTER_PLACEHOLDER}: ${clusters.length} ${who} (${names}) would share the one key ${shown(key)}, so ${consequence}; ` +
      `e.g. ${shown(`${key.replace(/\/+$/, '')}/${CLUSTER_PLACEHOLDER}`)}`);
  }
}

/** Clusters by unique name (the first of a duplicated name), in author order. */
function uniqueClusters(ctx: RuleContext): Cluster[] {
  return ctx.draft.clusters.filter((c) => c.name && ctx.clusters.get(c.name) === c);
}

/** The value at a path (`clusters[2]`, then field names) of the parsed document, if written. */
function rawAt(root: unknown, ...paths: string[]): unknown {
  let node = root;
  for (const part of paths.flatMap((p) => p.match(/[^.[\]]+/g) ?? [])) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node === null ? undefined : node;
}

/** Milliseconds of a Go-style duration (`1h30m`, `720h`, `90s`), as the schema accepts them. */
function durationMs(text: string): number | undefined {
  const nanos = durationNanos(text);
  return nanos === undefined ? undefined : Number(nanos / 1_000_000n);
}
