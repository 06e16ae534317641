/**
 * `meshfleet check`, check 2: Helm values against the pinned Istio charts (MF007, MF008).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dump, load } from 'js-yaml';
import { shippedChartBundle } from '../src/check/helm-values';
import { runChecks } from '../src/check/run-checks';
import { ManifestValidator } from '../src/check/schema-validator';
import { upstreamBundle } from './support/crd-schema';
import { upstreamCharts } from './support/helm-values';
import { synthFile } from './support/synth';

const docs = synthFile('examples/docs-multi-primary.yaml');
const validator = new ManifestValidator(upstreamBundle());

function editedFindings(file: string, change: (doc: any) => void) {
  const tree = new Map(docs.tree);
  const doc = load(tree.get(file)!) as any;
  change(doc);
  tree.set(file, dump(doc));
  return runChecks({ topology: docs.topology, output: tree, validator }).filter((f) => f.code === 'MF007' || f.code === 'MF008');
}

test('the shipped chart bundle is exactly what scripts/schema-bundle.ts derives from ../shared/upstream', () => {
  const committed = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'src', 'check', 'schemas', 'istio-charts.json'), 'utf8'));
  expect(committed).toEqual(JSON.parse(JSON.stringify(upstreamCharts())));
  expect(shippedChartBundle()).toEqual(committed);
  expect(committed.version).toBe('1.30.3');
});

test('MF007: a HelmRelease value path the istiod chart does not define', () => {
  const found = editedFindings('cluster1/control-plane/helmrelease.istio-system.istiod.yaml', (hr) => {
    hr.spec.values.global.multicluster = { clusterName: 'cluster1' };
  });
  expect(found.map((f) => [f.code, f.severity, f.path, f.message])).toEqual([
    ['MF007', 'error', 'spec.values.global.multicluster.clusterName', 'the istio istiod chart 1.30.3 defines no value global.multicluster.clusterName: Helm ignores it'],
  ]);
});

test('MF007: the gateway chart\'s values.schema.json rejects a value of the wrong type', () => {
  const found = editedFindings('cluster1/control-plane/helmrelease.istio-system.istio-eastwestgateway.yaml', (hr) => {
    hr.spec.values.replicaCount = 'two';
  });
  expect(found.map((f) => [f.code, f.path, f.message])).toEqual([
    ['MF007', 'spec.values.replicaCount', 'must be integer or null (values.schema.json)'],
  ]);
});

test('MF008: a release of another chart version is reported as not checked', () => {
  const found = editedFindings('cluster1/control-plane/helmrelease.istio-system.istiod.yaml', (hr) => {
    hr.spec.chart.spec.version = '1.29.0';
  });
  expect(found.map((f) => [f.code, f.severity, f.message])).toEqual([
    ['MF008', 'info', 'values not checked: chart istiod 1.29.0 is not the pinned 1.30.3'],
  ]);
});
