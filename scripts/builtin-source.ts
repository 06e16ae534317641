/**
 * Reads the pinned @kubernetes/client-node models from node_modules and derives the
 * built-in bundle (used by scripts/builtin-bundle.ts and by the drift test; never at run time).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { BUILTIN_PACKAGE, deriveBuiltinBundle, type BuiltinBundle } from '../src/check/builtin-bundle';

/** The bundle derived from the installed package. */
export function readBuiltinSource(): BuiltinBundle {
  const root = path.dirname(require.resolve(`${BUILTIN_PACKAGE}/package.json`, { paths: [path.join(__dirname, '..')] }));
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const models = path.join(root, 'dist', 'gen', 'models');
  const read = (model: string) => ({
    js: readFileSync(path.join(models, `${model}.js`), 'utf8'),
    dts: readFileSync(path.join(models, `${model}.d.ts`), 'utf8'),
  });
  const header = /OpenAPI spec version: (\S+)/.exec(read('V1Service').js);
  if (!header) throw new Error(`${BUILTIN_PACKAGE}: no "OpenAPI spec version" in the model header`);
  return deriveBuiltinBundle(read, pkg.version, header[1]);
}
