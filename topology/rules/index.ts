/**
 * The one named cross-field validation step: every rule that relates one part of the
 * topology to another runs here, after the shape is read and before any chart is built.
 */
import { Reader } from '../reader';
import { TopologyDraft } from '../schema';
import { compareCodePoints } from '../compare';
import { Topology } from '../types';
import { clusterRules } from './clusters';
import { controlPlaneRules } from './control-plane';
import { RuleContext, RuleGroup } from './context';
import { deliveryRules } from './delivery';
import { globalServiceRules } from './global-services';
import { hatchRules } from './hatches';
import { nameRules } from './names';
import { namespaceRules } from './namespaces';
import { serviceRules } from './services';
import { trustRules } from './trust';

/** Rule groups, in reporting order. */
export const RULE_GROUPS: readonly RuleGroup[] = [clusterRules, serviceRules, trustRules, controlPlaneRules, deliveryRules, globalServiceRules, hatchRules, namespaceRules, nameRules];

/**
 * Runs every cross-field rule, reporting into `reader`, and returns the final model
 * (consumers' clusters defaulted; clusters and services sorted).
 */
export function validateTopology(draft: TopologyDraft, reader: Reader): Topology {
  const ctx = new RuleContext(draft, reader);
  for (const group of RULE_GROUPS) group(ctx);
  return finalize(ctx);
}

function finalize(ctx: RuleContext): Topology {
  const { draft } = ctx;
  const services = draft.services.map((service) => ({
    ...service,
    consumers: service.consumers
      .map((consumer) => ({ ...consumer, clusters: [...ctx.consumerClusters(consumer)] }))
      .sort((a, b) => compareCodePoints(a.namespace, b.namespace) || compareCodePoints(a.serviceAccount, b.serviceAccount)),
  }));
  return {
    mesh: draft.mesh,
    clusters: [...draft.clusters].sort((a, b) => compareCodePoints(a.name, b.name)),
    services: services.sort((a, b) => compareCodePoints(a.namespace, b.namespace) || compareCodePoints(a.name, b.name)),
    trust: draft.trust,
    credentials: draft.credentials,
    delivery: draft.delivery,
  };
}
