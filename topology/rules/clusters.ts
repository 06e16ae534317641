/**
 * Cross-field rules about clusters, roles, networks and the Istio release.
 */
import { RuleContext } from './context';
import { SUPPORTED_ISTIO_MINORS } from '../types';
import { shown } from '../problems';

/** Checks cluster names, remote/primary wiring and the Istio version. */
export function clusterRules(ctx: RuleContext): void {
  const { draft } = ctx;
  checkIstioVersion(ctx, 'mesh.istio.version', draft.mesh.istio.version);

  const seen = new Map<string, string>();
  for (const cluster of draft.clusters) {
    if (!cluster.name) continue;
    const first = seen.get(cluster.name);
    if (first) ctx.report(cluster, 'name', `duplicate cluster name "${cluster.name}" (also ${first}.name): cluster names must be unique`);
    else seen.set(cluster.name, ctx.pathOf(cluster));
  }

  for (const cluster of draft.clusters) {
    if (cluster.role === 'remote') {
      if (!cluster.controlPlane) {
        // A controlPlane that is there but malformed already has its problem.
        if (ctx.wasRejected(cluster, 'controlPlane')) continue;
        ctx.report(cluster, 'controlPlane', `is required for a remote: name the primary cluster whose istiod serves "${cluster.name}"`);
        continue;
      }
      const primary = ctx.clusters.get(cluster.controlPlane);
      if (!primary) ctx.report(cluster, 'controlPlane', `names unknown cluster ${shown(cluster.controlPlane)}: use the name of a primary cluster`);
      else if (primary.role !== 'primary') {
        ctx.report(cluster, 'controlPlane', `names "${primary.name}", which is a remote: a remote's control plane must be a primary cluster`);
      }
    } else if (cluster.controlPlane && !ctx.wasRejected(cluster, 'role')) {
      ctx.report(cluster, 'controlPlane', 'is only for remote clusters: remove it, or set role: remote');
    }
  }
}

/**
 * Reports a chart version outside the Istio releases meshfleet supports
 * ({@link SUPPORTED_ISTIO_MINORS}): `mesh.istio.version` and the canary's alike.
 */
export function checkIstioVersion(ctx: RuleContext, path: string, version: string): void {
  const match = /^1\.(\d+)\.(\d+)$/.exec(version);
  const { min, max } = SUPPORTED_ISTIO_MINORS;
  if (!match || Number(match[1]) < min || Number(match[1]) > max) {
    ctx.report(path, undefined,
      `unsupported Istio version ${shown(version)}: meshfleet supports 1.${min}.0 to 1.${max}.x (a full x.y.z release, e.g. "1.${max}.3")`);
  }
}
