/**
 * Regenerates src/check/schemas/crd-bundle.json (pinned upstream CRDs) and
 * src/check/schemas/istio-charts.json (pinned Istio charts' values and schema).
 *
 *   npx ts-node scripts/schema-bundle.ts [UPSTREAM_DIR]
 *
 * UPSTREAM_DIR defaults to $MESHFLEET_UPSTREAM or ../shared/upstream. The test
 * __tests__/check-schema-bundle.test.ts fails when the committed file differs.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { deriveChartBundle } from '../src/check/helm-values';
import { deriveSchemaBundle } from '../src/check/schema-bundle';

const root = path.resolve(process.argv[2] ?? process.env.MESHFLEET_UPSTREAM ?? path.join(__dirname, '..', '..', 'shared', 'upstream'));
const bundle = deriveSchemaBundle((file) => readFileSync(path.join(root, file), 'utf8'));
const target = path.join(__dirname, '..', 'src', 'check', 'schemas', 'crd-bundle.json');
writeFileSync(target, `${JSON.stringify(bundle)}\n`);
console.log(`${path.relative(process.cwd(), target)}: ${bundle.kinds.length} kinds from ${bundle.sources.length} files`);
const charts = deriveChartBundle((file) => (existsSync(path.join(root, file)) ? readFileSync(path.join(root, file), 'utf8') : undefined));
const chartTarget = path.join(__dirname, '..', 'src', 'check', 'schemas', 'istio-charts.json');
writeFileSync(chartTarget, `${JSON.stringify(charts)}\n`);
console.log(`${path.relative(process.cwd(), chartTarget)}: charts ${Object.keys(charts.charts).join(', ')} ${charts.version}`);
