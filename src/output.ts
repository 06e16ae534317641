/**
 * Writing a rendered directory tree (rendering: `render.ts`; publishing it: `publish.ts`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { OutputTree } from './render';

// Rendering lives in ./render; re-exported here for existing callers.
export { manifestFileName, renderTree, toYaml } from './render';
export type { OutputTree } from './render';

/** Writes a tree into `dir`, which must not exist yet. */
export function writeTree(tree: OutputTree, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of tree) {
    const target = path.join(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}
