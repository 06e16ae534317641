/**
 * Cross-field rules about shared services: where they run, who calls them, how traffic moves.
 */
import { RuleContext } from './context';
import { shown } from '../problems';

/** Checks service identity, placement, consumers, failover and weights. */
export function serviceRules(ctx: RuleContext): void {
  const seen = new Map<string, string>();
  for (const service of ctx.draft.services) {
    if (!service.name || !service.namespace) continue;
    const key = `${service.namespace}/${service.name}`;
    const first = seen.get(key);
    if (first) ctx.report(service, 'name', `duplicate service "${key}" (also ${first}): each namespace/name pair is declared once`);
    else seen.set(key, ctx.pathOf(service));

    service.runsIn.forEach((name) => {
      if (!ctx.clusters.has(name)) ctx.report(service, `runsIn[${ctx.indexIn(service, 'runsIn', name)}]`, `names unknown cluster ${shown(name)}: known clusters are ${[...ctx.clusters.keys()].sort().join(', ')}`);
    });

    const portNames = new Set<string>();
    const portNumbers = new Set<number>();
    service.ports.forEach((port, i) => {
      if (portNames.has(port.name)) ctx.report(service, `ports[${i}].name`, `duplicate port name "${port.name}"`);
      if (portNumbers.has(port.number)) ctx.report(service, `ports[${i}].number`, `duplicate port number ${port.number}`);
      portNames.add(port.name);
      portNumbers.add(port.number);
    });

    for (const consumer of service.consumers) {
      for (const name of consumer.clusters ?? []) {
        if (!ctx.clusters.has(name)) ctx.report(consumer, `clusters[${ctx.indexIn(consumer, 'clusters', name)}]`, `names unknown cluster ${shown(name)}: known clusters are ${[...ctx.clusters.keys()].sort().join(', ')}`);
      }
    }

    for (const entry of service.failover) {
      for (const end of ['from', 'to'] as const) {
        const region = entry[end];
        if (region && !ctx.regions.has(region)) {
          ctx.report(entry, end, `region ${shown(region)} has no cluster: regions in the mesh are ${[...ctx.regions].sort().join(', ')}`);
        }
      }
      if (entry.from && entry.from === entry.to) ctx.report(entry, 'to', 'must differ from "from": failover goes to another region');
    }

    if (service.weights) {
      const entries = Object.entries(service.weights);
      for (const [name] of entries) {
        if (!service.runsIn.includes(name) && ctx.runsInResolved(service)) ctx.report(service, `weights.${name}`, `"${name}" does not run this service: weights may only name clusters in runsIn (${service.runsIn.join(', ')})`);
      }
      // A sum without the entries that were rejected (and reported) would only mislead.
      const total = entries.reduce((sum, [, w]) => sum + w, 0);
      if (total !== 100 && !ctx.wasRejected(service, 'weights')) ctx.report(service, 'weights', `must add up to 100 (got ${total})`);
    }
  }
}
