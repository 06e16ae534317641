/**
 * Cross-field rules about GitOps delivery: Flux and Argo CD settings against the clusters.
 */
import { RuleContext } from './context';
import { shown } from '../problems';
import { FLUX_BOOTSTRAP_GIT_REPOSITORY } from '../types';

export { FLUX_MAX_CLUSTER_NAME } from '../generated-names';

/** Directory of the fleet-wide Argo CD objects; no cluster may be named like it. */
export const ARGOCD_DIRECTORY = 'argocd';

/** Checks the delivery section: the Flux mode, the Git source, and what Argo CD needs of each cluster. */
export function deliveryRules(ctx: RuleContext): void {
  const { delivery } = ctx.draft;
  const { flux, argocd, git } = delivery;

  if (git.path.split('/').includes('..') || git.path.startsWith('/')) {
    ctx.report('delivery.git', 'path', `must be a relative path inside the repository, such as dist (got ${shown(git.path)})`);
  }

  if (flux || argocd) {
    if (git.url.startsWith('oci://')) {
      ctx.report('delivery.git', 'url', `must be a Git repository URL (https:// or ssh://), not an OCI artifact (got ${shown(git.url)})`);
    }
  }

  checkFlux(ctx);

  if (argocd) {
    for (const cluster of ctx.draft.clusters) {
      // A malformed apiServer already has its problem: "required" is for a missing one.
      if (!cluster.apiServer && !ctx.wasRejected(cluster, 'apiServer')) {
        ctx.report(cluster, 'apiServer',
          `is required when delivery.argocd is set: Argo CD deploys to "${cluster.name}" through its API server URL (Application spec.destination.server); ` +
          'use the URL the cluster is registered under in Argo CD');
      }
      if (cluster.name === ARGOCD_DIRECTORY) {
        ctx.report(cluster, 'name', `"${ARGOCD_DIRECTORY}" is reserved when delivery.argocd is set (the Argo CD objects are written to ${ARGOCD_DIRECTORY}/): rename the cluster`);
      }
    }
  }
}

function checkFlux(ctx: RuleContext): void {
  const { git, flux } = ctx.draft.delivery;
  if (!flux) return;
  if (flux.mode === 'management') {
    if (!flux.managementCluster) {
      // A malformed managementCluster already has its problem: "required" is for a missing one.
      if (!ctx.wasRejected('delivery.flux', 'managementCluster')) {
        ctx.report('delivery.flux', 'managementCluster', 'is required with mode: management: name the cluster whose Flux drives all the others');
      }
    } else if (!ctx.clusters.has(flux.managementCluster)) {
      ctx.report('delivery.flux', 'managementCluster',
        `names unknown cluster ${shown(flux.managementCluster)}: known clusters are ${[...ctx.clusters.keys()].sort().join(', ')}`);
    }
  } else if (flux.managementCluster && !ctx.wasRejected('delivery.flux', 'mode')) {
    ctx.report('delivery.flux', 'managementCluster', 'is only used with mode: management: remove it, or set mode: management');
  }

  if (/^git@[^\s:]+:/.test(git.url)) {
    const [, host, repoPath] = /^git@([^\s:]+):(.*)$/.exec(git.url) ?? [];
    ctx.report('delivery.git', 'url',
      `Flux needs an ssh:// URL (GitRepository spec.url), not the scp-like form: write ssh://git@${host}/${repoPath} (got ${shown(git.url)})`);
  }

  const existing = flux.gitRepository === FLUX_BOOTSTRAP_GIT_REPOSITORY;
  if (existing && flux.secretRef) {
    ctx.report('delivery.flux', 'secretRef',
      `is not used with gitRepository: ${FLUX_BOOTSTRAP_GIT_REPOSITORY} (meshfleet refers to the source flux bootstrap created, with its own credentials): remove it`);
  }
  if (!existing && !flux.secretRef && !ctx.wasRejected('delivery.flux', 'secretRef') && git.url.startsWith('ssh://')) {
    ctx.report('delivery.flux', 'secretRef',
      `is required for an ssh:// Git URL: name the Secret in namespace ${flux.namespace} holding the deploy key (identity, known_hosts), ` +
      `e.g. made with "flux create secret git", or set gitRepository: ${FLUX_BOOTSTRAP_GIT_REPOSITORY} to use the source flux bootstrap created`);
  }
}
