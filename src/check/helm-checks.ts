/**
 * Check 2 findings: the values of every HelmRelease (Flux) and Application (Argo CD) that
 * installs one of Istio's charts, against the pinned chart (MF007).
 */
import type { Finding } from './finding';
import type { HelmValuesChecker, IstioChart } from './helm-values';
import { objectName, type OutputObject } from './output-objects';

/** Code of a Helm value the pinned chart does not define (or its values.schema.json rejects). */
export const HELM_VALUES_CODE = 'MF007';
/** Code of an Istio chart release at a version other than the pinned one (its values are not checked). */
export const HELM_VERSION_CODE = 'MF008';

const CHARTS: readonly string[] = ['base', 'istiod', 'gateway'];

interface Release {
  readonly chart: IstioChart;
  readonly version?: string;
  readonly values: unknown;
  readonly valuesPath: string;
}

function release(o: OutputObject): Release | undefined {
  const m = o.manifest;
  if (m.kind === 'HelmRelease' && typeof m.spec?.chart?.spec?.chart === 'string' && CHARTS.includes(m.spec.chart.spec.chart)) {
    return { chart: m.spec.chart.spec.chart, version: m.spec.chart.spec.version, values: m.spec.values, valuesPath: 'spec.values' };
  }
  if (m.kind === 'Application' && typeof m.spec?.source?.chart === 'string' && CHARTS.includes(m.spec.source.chart) && /istio/.test(String(m.spec.source.repoURL ?? ''))) {
    return { chart: m.spec.source.chart, version: m.spec.source.targetRevision, values: m.spec.source.helm?.valuesObject, valuesPath: 'spec.source.helm.valuesObject' };
  }
  return undefined;
}

/** MF007 for each value path an Istio chart does not define; MF008 (info) for releases of another chart version. */
export function helmValuesFindings(objects: readonly OutputObject[], checker: HelmValuesChecker): Finding[] {
  const findings: Finding[] = [];
  for (const o of objects) {
    const r = release(o);
    if (!r) continue;
    const base = { cluster: o.cluster, file: o.file, object: objectName(o.manifest) };
    if (r.version !== checker.version) {
      findings.push({ ...base, severity: 'info', code: HELM_VERSION_CODE, path: r.valuesPath,
        message: `values not checked: chart ${r.chart} ${r.version ?? '(no version)'} is not the pinned ${checker.version}`,
        fix: `pin the chart at ${checker.version}, or upgrade meshfleet` });
      continue;
    }
    for (const problem of checker.unknownValuePaths(r.chart, r.values)) {
      const cut = problem.indexOf(': ');
      const [at, message] = cut < 0
        ? [problem, `the istio ${r.chart} chart ${checker.version} defines no value ${problem}: Helm ignores it`]
        : [problem.slice(0, cut), problem.slice(cut + 2)];
      findings.push({ ...base, severity: 'error', code: HELM_VALUES_CODE, path: `${r.valuesPath}.${at}`, message,
        fix: 'correct the value path (see the chart\'s values.yaml), or remove it' });
    }
  }
  return findings;
}
