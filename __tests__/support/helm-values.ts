/**
 * Test helper: the Helm values check of `meshfleet check` (src/check/helm-values.ts), with
 * the chart models derived afresh from the pinned charts under ../shared/upstream
 * (override the root with MESHFLEET_UPSTREAM) rather than from the shipped bundle;
 * __tests__/check-helm-values.test.ts asserts the two are identical.
 */
import * as fs from 'fs';
import * as path from 'path';
import { deriveChartBundle, HelmValuesChecker, type ChartBundle, type IstioChart } from '../../src/check/helm-values';
import { upstreamDir } from './crd-schema';

export type { IstioChart };

let checker: HelmValuesChecker | undefined;

/** The chart bundle derived from the pinned upstream charts. */
export function upstreamCharts(): ChartBundle {
  const root = upstreamDir();
  return deriveChartBundle((file) => (fs.existsSync(path.join(root, file)) ? fs.readFileSync(path.join(root, file), 'utf8') : undefined));
}

/**
 * List the leaf paths of Helm `values` that the pinned Istio chart does not define (see
 * src/check/helm-values.ts for the rules); empty when every path is defined.
 */
export function unknownValuePaths(chart: IstioChart, values: unknown): string[] {
  checker ??= new HelmValuesChecker(upstreamCharts());
  return checker.unknownValuePaths(chart, values);
}
