/**
 * A picture of the mesh, drawn from the fleet model: `MESH.md` at the output root, with a
 * Mermaid flowchart (GitHub renders it) and the same graph in Graphviz DOT.
 *
 * Clusters are grouped by region, then network; each cluster shows its role, its primary (a
 * dotted arrow from a remote to its primary) and whether it runs the east-west gateway;
 * services appear in the clusters that run them (cluster-local ones marked), callers in the
 * clusters they run in, with an arrow to each cluster's replica they may reach; failover is an
 * arrow between regions.
 *
 * Large fleets collapse so the picture stays readable: past {@link DETAIL_LIMITS} services are
 * summarized per cluster (arrows between clusters, labelled with the number of services
 * called), and past the cluster limit clusters are summarized per network.
 */
import type { ClusterPlan, FleetPlan } from './model';

/** Past these sizes the picture collapses (see the file comment). */
export const DETAIL_LIMITS = { serviceNodes: 60, clusters: 30 } as const;

/** File name of the picture, at the output root. */
export const PICTURE_FILE = 'MESH.md';

/** How much detail a picture shows. */
export type PictureLevel = 'services' | 'clusters' | 'networks';

/** A graph both renderers draw: nested groups, nodes, edges. */
interface Graph {
  readonly groups: Group[];
  readonly edges: Edge[];
}
interface Group {
  readonly id: string;
  readonly label: string;
  readonly groups: Group[];
  readonly nodes: GraphNode[];
}
interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly shape: 'box' | 'round' | 'stadium';
  readonly changed?: boolean;
}
interface Edge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly style: 'solid' | 'dotted' | 'thick';
}

/** Options of a picture. */
export interface PictureOptions {
  /** Draw only these clusters (the picture of a plan's changes). */
  readonly clusters?: ReadonlySet<string>;
  /** Service keys (`ns/name`) and cluster names to highlight as changed. */
  readonly highlight?: ReadonlySet<string>;
}

/** The level of detail a fleet is drawn at. */
export function pictureLevel(plan: FleetPlan, clusters: readonly ClusterPlan[] = plan.clusters): PictureLevel {
  if (clusters.length > DETAIL_LIMITS.clusters) return 'networks';
  const serviceNodes = clusters.reduce((n, c) => n + c.services.filter((s) => s.runsHere).length + new Set(c.services.flatMap((s) => s.callersHere.map((k) => k.identity))).size, 0);
  return serviceNodes > DETAIL_LIMITS.serviceNodes ? 'clusters' : 'services';
}

/** The Mermaid flowchart of a fleet. */
export function meshMermaid(plan: FleetPlan, options: PictureOptions = {}): string {
  const graph = buildGraph(plan, options);
  const out = ['flowchart LR'];
  const node = (n: GraphNode, indent: string) => {
    const [open, close] = n.shape === 'round' ? ['(', ')'] : n.shape === 'stadium' ? ['([', '])'] : ['[', ']'];
    out.push(`${indent}${n.id}${open}"${mermaidText(n.label)}"${close}${n.changed ? ':::changed' : ''}`);
  };
  const group = (g: Group, indent: string) => {
    out.push(`${indent}subgraph ${g.id}["${mermaidText(g.label)}"]`);
    for (const child of g.groups) group(child, `${indent}  `);
    for (const n of g.nodes) node(n, `${indent}  `);
    out.push(`${indent}end`);
  };
  for (const g of graph.groups) group(g, '  ');
  for (const e of graph.edges) {
    const arrow = e.style === 'dotted' ? '-.->' : e.style === 'thick' ? '==>' : '-->';
    out.push(`  ${e.from} ${arrow}${e.label ? `|"${mermaidText(e.label)}"|` : ''} ${e.to}`);
  }
  out.push('  classDef changed stroke:#d97706,stroke-width:3px');
  return `${out.join('\n')}\n`;
}

/** The Graphviz DOT graph of a fleet. */
export function meshDot(plan: FleetPlan, options: PictureOptions = {}): string {
  const graph = buildGraph(plan, options);
  const out = ['digraph mesh {', '  rankdir=LR;', '  node [fontname="Helvetica"];', '  compound=true;'];
  // Graphviz draws an edge to a subgraph as an edge to one of its nodes, clipped at the subgraph's border.
  const anchor = new Map<string, string>();
  const group = (g: Group, indent: string): string | undefined => {
    out.push(`${indent}subgraph cluster_${g.id} {`, `${indent}  label="${dotText(g.label)}";`);
    let first: string | undefined;
    for (const child of g.groups) first ??= group(child, `${indent}  `);
    for (const n of g.nodes) {
      const shape = n.shape === 'round' ? 'ellipse' : n.shape === 'stadium' ? 'box, style=rounded' : 'box';
      out.push(`${indent}  ${n.id} [label="${dotText(n.label)}", shape=${shape}${n.changed ? ', color="#d97706", penwidth=3' : ''}];`);
      first ??= n.id;
    }
    out.push(`${indent}}`);
    if (first) anchor.set(g.id, first);
    return first;
  };
  for (const g of graph.groups) group(g, '  ');
  for (const e of graph.edges) {
    const attrs: string[] = [];
    if (e.label) attrs.push(`label="${dotText(e.label)}"`);
    if (e.style === 'dotted') attrs.push('style=dashed');
    if (e.style === 'thick') attrs.push('penwidth=2');
    const from = anchor.get(e.from) ?? e.from;
    const to = anchor.get(e.to) ?? e.to;
    if (anchor.has(e.from)) attrs.push(`ltail=cluster_${e.from}`);
    if (anchor.has(e.to)) attrs.push(`lhead=cluster_${e.to}`);
    out.push(`  ${from} -> ${to}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}

/** `MESH.md`: the picture in Mermaid and DOT, with a legend. Deterministic. */
export function meshDocument(plan: FleetPlan): string {
  const level = pictureLevel(plan);
  const primaries = plan.clusters.filter((c) => c.role === 'primary').length;
  const gateways = plan.clusters.filter((c) => c.eastWestGateway).length;
  const services = new Set(plan.clusters.flatMap((c) => c.services.map((s) => s.key))).size;
  return [
    '<!-- Generated by meshfleet from the topology. Edit the topology and re-run `cdk8s synth`, not this file. -->',
    `# Mesh ${plan.mesh.id}`,
    '',
    `${plan.clusters.length} clusters (${primaries} primaries), ${gateways} east-west gateways, ${services} services; Istio ${plan.mesh.istio.version}, trust domain \`${plan.mesh.trustDomain}\`.`,
    '',
    levelNote(level),
    '',
    '```mermaid',
    meshMermaid(plan).trimEnd(),
    '```',
    '',
    '<details><summary>Graphviz DOT</summary>',
    '',
    '```dot',
    meshDot(plan).trimEnd(),
    '```',
    '',
    '</details>',
    '',
  ].join('\n');
}

function levelNote(level: PictureLevel): string {
  const legend =
    'Boxes are clusters grouped by region and network; a dotted arrow goes from a remote to its primary; "east-west gateway" marks the clusters that run one.';
  switch (level) {
    case 'services':
      return `${legend} Rounded boxes are services in the clusters that run them ("cluster-local" keeps calls inside the cluster), stadiums are declared callers (namespace/service account), with an arrow to each replica they may reach; a thick arrow between regions is failover.`;
    case 'clusters':
      return `${legend} This fleet has more than ${DETAIL_LIMITS.serviceNodes} service and caller nodes, so services are collapsed: an arrow from cluster A to cluster B means callers in A call services running in B (labelled with how many), and a thick arrow between regions is failover. \`meshfleet plan --format markdown\` draws the changed clusters in full.`;
    case 'networks':
      return `This fleet has more than ${DETAIL_LIMITS.clusters} clusters, so clusters are collapsed per network (grouped by region): each box counts its clusters, primaries and east-west gateways; an arrow from network A to network B means callers in A call services running in B (labelled with how many cluster pairs); a thick arrow between regions is failover. \`meshfleet plan --format markdown\` draws the changed clusters in full.`;
  }
}

function buildGraph(plan: FleetPlan, options: PictureOptions): Graph {
  const clusters = options.clusters ? plan.clusters.filter((c) => options.clusters!.has(c.name)) : plan.clusters;
  const level = pictureLevel(plan, clusters);
  const highlight = options.highlight ?? new Set<string>();
  const byName = new Map(clusters.map((c) => [c.name, c]));
  const regions = new Map<string, Map<string, ClusterPlan[]>>();
  for (const c of clusters) {
    const networks = regions.get(c.region) ?? new Map<string, ClusterPlan[]>();
    networks.set(c.network, [...(networks.get(c.network) ?? []), c]);
    regions.set(c.region, networks);
  }
  const groups: Group[] = [];
  const edges: Edge[] = [];
  const edgeKeys = new Set<string>();
  const addEdge = (e: Edge) => {
    const key = `${e.from}>${e.to}>${e.label ?? ''}`;
    if (!edgeKeys.has(key)) edgeKeys.add(key) && edges.push(e);
  };

  for (const region of [...regions.keys()].sort()) {
    const networks = regions.get(region)!;
    const regionGroup: Group = { id: id('region', region), label: `region ${region}`, groups: [], nodes: [] };
    for (const network of [...networks.keys()].sort()) {
      const members = networks.get(network)!;
      if (level === 'networks') {
        const p = members.filter((c) => c.role === 'primary').length;
        const g = members.filter((c) => c.eastWestGateway).length;
        regionGroup.nodes.push({ id: id('net', network), label: `network ${network}: ${members.length} clusters, ${p} primaries, ${g} east-west gateways`, shape: 'box', changed: members.some((c) => highlight.has(c.name)) });
        continue;
      }
      const networkGroup: Group = { id: id('net', network), label: `network ${network}`, groups: [], nodes: [] };
      for (const c of members) {
        const label = `${c.name}: ${c.role}${c.eastWestGateway ? ', east-west gateway' : ''}`;
        if (level === 'clusters') {
          networkGroup.nodes.push({ id: id('c', c.name), label, shape: 'box', changed: highlight.has(c.name) });
          continue;
        }
        const clusterGroup: Group = { id: id('c', c.name), label, groups: [], nodes: [] };
        for (const s of c.services) {
          if (s.runsHere) clusterGroup.nodes.push({ id: id('s', c.name, s.key), label: `${s.key}${s.clusterLocal ? ' (cluster-local)' : ''}`, shape: 'round', changed: highlight.has(s.key) });
        }
        const callers = [...new Set(c.services.flatMap((s) => s.callersHere.map((k) => k.identity)))].sort();
        for (const k of callers) clusterGroup.nodes.push({ id: id('k', c.name, k), label: k, shape: 'stadium' });
        networkGroup.groups.push(clusterGroup);
      }
      regionGroup.groups.push(networkGroup);
    }
    groups.push(regionGroup);
  }

  for (const c of clusters) {
    if (c.controlPlane && byName.has(c.controlPlane)) {
      if (level !== 'networks') addEdge({ from: id('c', c.name), to: id('c', c.controlPlane), label: 'remote of', style: 'dotted' });
    }
  }
  // Calls: caller cluster -> each cluster running the service that the caller may reach.
  const counts = new Map<string, number>();
  for (const c of clusters) {
    for (const s of c.services) {
      if (!s.callersHere.length) continue;
      const targets = s.clusterLocal ? (s.runsHere ? [c.name] : []) : s.runsIn;
      for (const target of targets) {
        if (!byName.has(target)) continue;
        if (level === 'services') {
          for (const k of s.callersHere) addEdge({ from: id('k', c.name, k.identity), to: id('s', target, s.key), style: 'solid' });
        } else {
          const [from, to] = level === 'clusters' ? [id('c', c.name), id('c', target)] : [id('net', c.network), id('net', byName.get(target)!.network)];
          const key = `${from}>${to}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
    }
  }
  for (const key of [...counts.keys()].sort()) {
    const [from, to] = key.split('>');
    addEdge({ from, to, label: level === 'clusters' ? `${counts.get(key)} service(s)` : `${counts.get(key)} call(s)`, style: 'solid' });
  }
  // Failover: between regions, once per (from, to), labelled with the services.
  const failover = new Map<string, Set<string>>();
  for (const c of clusters) {
    for (const s of c.services) {
      if (!s.runsHere) continue;
      for (const f of s.failover) {
        const [from, to] = f.split(' -> ');
        if (!regions.has(from) || !regions.has(to)) continue;
        const key = `${from}>${to}`;
        failover.set(key, (failover.get(key) ?? new Set()).add(s.key));
      }
    }
  }
  for (const key of [...failover.keys()].sort()) {
    const [from, to] = key.split('>');
    const names = [...failover.get(key)!].sort();
    addEdge({ from: id('region', from), to: id('region', to), label: `failover: ${names.length > 3 ? `${names.length} services` : names.join(', ')}`, style: 'thick' });
  }
  return { groups, edges };
}

/** A node id: names are DNS labels (no `_`), so `_` joins parts and `-`, `.`, `/` map to distinct escapes. */
function id(prefix: string, ...parts: string[]): string {
  return [prefix, ...parts.map((p) => p.replace(/-/g, '_h').replace(/\./g, '_d').replace(/\//g, '_s'))].join('__');
}

function mermaidText(text: string): string {
  return text.replace(/"/g, '#quot;');
}

function dotText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
