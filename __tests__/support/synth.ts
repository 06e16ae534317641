/**
 * Test helpers: synthesize a topology in memory and look objects up.
 */
import * as path from 'node:path';
import { loadAll } from 'js-yaml';
import { synthesizeFleet } from '../../clusters/fleet';
import { loadTopology, parseTopology, Topology } from '../../topology';
import { TopologyInputs } from '../../topology/inputs';
import { OutputTree } from '../../src/output';

/** Repository root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** A synthesized manifest, as parsed back from its file. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [field: string]: any;
}

/** The synthesized output of one topology, parsed. */
export class Synthesized {
  constructor(public readonly topology: Topology, public readonly tree: OutputTree) {}

  /** Every manifest under a directory prefix (e.g. `cluster1/` or `cluster1/mesh/`), kustomizations excluded. */
  public manifests(prefix = ''): Manifest[] {
    const out: Manifest[] = [];
    for (const [file, content] of this.tree) {
      if (!file.startsWith(prefix) || !file.endsWith('.yaml') || file.endsWith('kustomization.yaml')) continue;
      for (const doc of loadAll(content)) if (doc) out.push(doc as Manifest);
    }
    return out;
  }

  /** The one manifest of a kind and name under a prefix; throws when absent or ambiguous. */
  public get(prefix: string, kind: string, name: string, namespace?: string): Manifest {
    const found = this.manifests(prefix).filter(
      (m) => m.kind === kind && m.metadata.name === name && (namespace === undefined || m.metadata.namespace === namespace),
    );
    if (found.length !== 1) throw new Error(`expected one ${kind} ${namespace ?? '*'}/${name} under ${prefix}, found ${found.length}`);
    return found[0];
  }

  /** Manifests of a kind under a prefix. */
  public ofKind(prefix: string, kind: string): Manifest[] {
    return this.manifests(prefix).filter((m) => m.kind === kind);
  }

  /** Files (paths) under a prefix. */
  public files(prefix = ''): string[] {
    return [...this.tree.keys()].filter((f) => f.startsWith(prefix));
  }
}

/** Synthesizes a topology file (path relative to the repository root). */
export function synthFile(file: string): Synthesized {
  const topology = loadTopology(path.join(ROOT, file));
  return new Synthesized(topology, synthesizeFleet(topology));
}

/** Synthesizes topology text. */
export function synthText(text: string, file = 'test.yaml', inputs?: TopologyInputs): Synthesized {
  const topology = parseTopology(text, file, inputs);
  return new Synthesized(topology, synthesizeFleet(topology));
}
