/**
 * Regenerates src/check/schemas/builtin-bundle.json (built-in Kubernetes kinds) from the
 * models of the exact-pinned devDependency @kubernetes/client-node.
 *
 *   npx ts-node scripts/builtin-bundle.ts
 *
 * The test __tests__/check-builtins.test.ts fails when the committed file differs.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readBuiltinSource } from './builtin-source';

const bundle = readBuiltinSource();
const target = path.join(__dirname, '..', 'src', 'check', 'schemas', 'builtin-bundle.json');
writeFileSync(target, `${JSON.stringify(bundle)}\n`);
console.log(`${path.relative(process.cwd(), target)}: ${bundle.kinds.length} kinds, ${Object.keys(bundle.definitions).length} definitions from ${bundle.source.package}@${bundle.source.version} (Kubernetes ${bundle.source.kubernetes})`);
