import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { uniformTopology as generatedTopology } from '../scripts/bench';
import { synthesizeFleet } from '../clusters/fleet';
import { planFleet } from '../plan/model';
import { meshDocument, meshMermaid, pictureLevel, PICTURE_FILE } from '../plan/picture';
import { parseTopology } from '../topology';

/** Parses diagrams with the real Mermaid parser (see support/mermaid-parse.mjs). */
function mermaidParse(diagrams: string[]): { ok: boolean; type?: string; error?: string }[] {
  const result = spawnSync(process.execPath, [path.join(__dirname, 'support', 'mermaid-parse.mjs')], { input: JSON.stringify(diagrams), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

function mermaidBlock(markdown: string): string {
  return /```mermaid\n([\s\S]*?)```/.exec(markdown)![1];
}

const docs = parseTopology(readFileSync('examples/docs-multi-primary.yaml', 'utf8'), 'docs.yaml');
const global = parseTopology(readFileSync('examples/global-fleet.yaml', 'utf8'), 'global.yaml');
const big = parseTopology(generatedTopology(12, 200), 'big.yaml');
const huge = parseTopology(generatedTopology(40, 100), 'huge.yaml');

describe('MESH.md', () => {
  test('is written at the output root by every synth', () => {
    expect(synthesizeFleet(docs).get(PICTURE_FILE)).toBe(meshDocument(planFleet(docs)));
  });

  test('every level of detail is a flowchart the real Mermaid parser accepts, and a broken one is refused', () => {
    const diagrams = [docs, global, big, huge].map((t) => mermaidBlock(meshDocument(planFleet(t))));
    expect([docs, global, big, huge].map((t) => pictureLevel(planFleet(t)))).toEqual(['services', 'services', 'clusters', 'networks']);
    // The picture of a plan's changes: a subset of clusters, changed nodes highlighted.
    const changed = meshMermaid(planFleet(global), { clusters: new Set(['east', 'eu']), highlight: new Set(['east', 'bookinfo/reviews']) });
    expect(changed).toContain(':::changed');
    const results = mermaidParse([...diagrams, changed, diagrams[0].replace(/-->/, '-->|unclosed')]);
    expect(results.slice(0, 5)).toEqual([0, 1, 2, 3, 4].map(() => ({ ok: true, type: 'flowchart-v2' })));
    expect(results[5].ok).toBe(false);
  });

  test('draws the docs example: regions, networks, clusters, services, callers, failover', () => {
    const lines = meshMermaid(planFleet(docs)).split('\n');
    expect(lines).toContain('  subgraph region__region1["region region1"]');
    expect(lines).toContain('      subgraph c__cluster1["cluster1: primary, east-west gateway"]');
    expect(lines).toContain('        s__cluster2__sample_shelloworld("sample/helloworld")');
    expect(lines).toContain('  k__cluster1__sample_scurl --> s__cluster2__sample_shelloworld');
    expect(lines).toContain('  region__region1 ==>|"failover: sample/helloworld"| region__region2');
    expect(lines.filter((l) => l.includes('-->')).length).toBe(4);
  });

  test('is deterministic', () => {
    expect(meshDocument(planFleet(global))).toBe(meshDocument(planFleet(parseTopology(readFileSync('examples/global-fleet.yaml', 'utf8'), 'again.yaml'))));
  });
});
