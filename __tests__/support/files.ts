/**
 * Test helpers: listing a directory tree.
 */
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** Every file under `dir`, relative, sorted. */
export function filesUnder(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel))
    .flatMap((entry) => {
      const child = rel ? `${rel}/${entry}` : entry;
      return statSync(path.join(dir, child)).isDirectory() ? filesUnder(dir, child) : [child];
    })
    .sort();
}
