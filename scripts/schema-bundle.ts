/**
 * Regenerates src/check/schemas/crd-bundle.json from the pinned upstream CRDs.
 *
 *   npx ts-node scripts/schema-bundle.ts [UPSTREAM_DIR]
 *
 * UPSTREAM_DIR defaults to $MESHFLEET_UPSTREAM or ../shared/upstream. The test
 * __tests__/check-schema-bundle.test.ts fails when the committed file differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { deriveSchemaBundle } from '../src/check/schema-bundle';

const root = path.resolve(process.argv[2] ?? process.env.MESHFLEET_UPSTREAM ?? path.join(__dirname, '..', '..', 'shared', 'upstream'));
const bundle = deriveSchemaBundle((file) => readFileSync(path.join(root, file), 'utf8'));
const target = path.join(__dirname, '..', 'src', 'check', 'schemas', 'crd-bundle.json');
writeFileSync(target, `${JSON.stringify(bundle)}\n`);
console.log(`${path.relative(process.cwd(), target)}: ${bundle.kinds.length} kinds from ${bundle.sources.length} files`);
