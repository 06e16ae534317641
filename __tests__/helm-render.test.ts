/**
 * Every Istio chart release meshfleet generates renders with real Helm 4 against the complete
 * pinned Istio 1.30.3 charts, for every role and topology variant, and Flux and Argo CD render
 * the same objects (issue 12: "fails on any render error").
 */
import { argoCdReleases, fluxReleases } from './support/chart-releases';
import { renderChart } from './support/helm';
import { synthVariants } from './support/topology-variants';

const VARIANTS = synthVariants();

describe.each(VARIANTS)('%s', (_label, out) => {
  const flux = fluxReleases(out);
  const argocd = argoCdReleases(out);

  test('generates chart releases for both tools', () => {
    expect(flux.length).toBeGreaterThanOrEqual(out.topology.clusters.length * 2);
    expect(argocd.length).toBe(flux.length);
  });

  test('every Flux HelmRelease renders, and its Argo CD twin is the same render input', () => {
    for (const release of flux) {
      expect({ release: release.origin, rendered: renderChart(release).length > 0 }).toEqual({ release: release.origin, rendered: true });
      const twin = argocd.filter((a) => a.cluster === release.cluster && a.releaseName === release.releaseName);
      expect(twin.map((t) => t.origin)).toHaveLength(1);
      // Same chart, release name, namespace and values: `helm template` renders the same objects.
      const { origin: _f, ...fluxInput } = release;
      const { origin: _a, ...argoInput } = twin[0];
      expect(argoInput).toEqual(fluxInput);
    }
  });
});

describe('the render set-up reports render errors', () => {
  test('a value the chart cannot render fails with Helm\'s message', () => {
    // The gateway chart's values.schema.json requires `service.type` to be a string.
    expect(() => renderChart({ chart: 'gateway', releaseName: 'istio-eastwestgateway', namespace: 'istio-system', values: { service: { type: 42 } } }))
      .toThrow(/helm template istio-eastwestgateway \(chart gateway\) failed: .*/s);
  });
});
