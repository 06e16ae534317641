/**
 * The Istio chart releases a synthesized fleet asks Flux and Argo CD to install, read back
 * from the output (Flux `HelmRelease`s, Argo CD Applications with a Helm chart source), so
 * tests can render them with real Helm (`./helm.ts`).
 */
import type { HelmRender } from './helm';
import type { Manifest, Synthesized } from './synth';

/** One chart release found in the output. */
export interface FoundRelease extends HelmRender {
  /** Which tool installs it and where it was found (for messages). */
  readonly origin: string;
  /** The cluster it installs into. */
  readonly cluster: string;
}

/** Every Flux HelmRelease of the output, with its chart, release name, target namespace and values. */
export function fluxReleases(out: Synthesized): FoundRelease[] {
  return out.topology.clusters.flatMap((c) =>
    out.ofKind(`${c.name}/`, 'HelmRelease').map((r: Manifest) => ({
      origin: `flux ${r.metadata.namespace}/${r.metadata.name}`,
      cluster: clusterOfRelease(r, c.name),
      chart: r.spec.chart.spec.chart,
      releaseName: r.spec.releaseName,
      namespace: r.spec.targetNamespace ?? r.metadata.namespace!,
      values: r.spec.values ?? {},
    })),
  );
}

// In management mode, the management cluster's directories hold the other clusters' releases
// (named `<cluster>-<release>`, with a kubeconfig Secret `<cluster>-kubeconfig`).
function clusterOfRelease(r: Manifest, host: string): string {
  const secret: string | undefined = r.spec.kubeConfig?.secretRef?.name;
  return secret ? secret.replace(/-kubeconfig$/, '') : host;
}

/** Every Argo CD Application with a Helm chart source, with its chart, release name, namespace and values. */
export function argoCdReleases(out: Synthesized): FoundRelease[] {
  return out.ofKind('argocd/', 'Application')
    .filter((a) => a.spec.source?.chart)
    .map((a) => ({
      origin: `argocd ${a.metadata.name}`,
      cluster: a.metadata.labels!['meshfleet.dev/cluster'],
      chart: a.spec.source.chart,
      releaseName: a.spec.source.helm.releaseName,
      namespace: a.spec.destination.namespace,
      values: a.spec.source.helm.valuesObject ?? {},
    }));
}
