/**
 * Least privilege for Argo CD (issue 14 item 6): the children's AppProject whitelists exactly
 * the cluster-scoped kinds the child Applications create, derived by rendering every chart
 * release of every role and topology variant with real Helm against the pinned charts, plus
 * the objects of the Git layers Argo CD applies.
 */
import { argoCdReleases } from './support/chart-releases';
import { renderChart } from './support/helm';
import { Manifest, Synthesized } from './support/synth';
import { synthVariants } from './support/topology-variants';

/**
 * The scope of every kind the charts and layers may create, from the Kubernetes API reference
 * and the CRDs' `spec.scope` (Istio, cert-manager, External Secrets: all namespaced). A kind
 * missing here fails the test: add it with its scope.
 */
const SCOPE: Readonly<Record<string, 'Cluster' | 'Namespaced'>> = {
  'v1/Namespace': 'Cluster',
  'v1/ConfigMap': 'Namespaced',
  'v1/Secret': 'Namespaced',
  'v1/Service': 'Namespaced',
  'v1/ServiceAccount': 'Namespaced',
  'apps/v1/Deployment': 'Namespaced',
  'autoscaling/v2/HorizontalPodAutoscaler': 'Namespaced',
  'policy/v1/PodDisruptionBudget': 'Namespaced',
  'discovery.k8s.io/v1/EndpointSlice': 'Namespaced',
  'networking.k8s.io/v1/NetworkPolicy': 'Namespaced',
  'rbac.authorization.k8s.io/v1/Role': 'Namespaced',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'Namespaced',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'Cluster',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'Cluster',
  'apiextensions.k8s.io/v1/CustomResourceDefinition': 'Cluster',
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': 'Cluster',
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': 'Cluster',
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': 'Cluster',
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': 'Cluster',
  'networking.istio.io/v1/Gateway': 'Namespaced',
  'networking.istio.io/v1/VirtualService': 'Namespaced',
  'networking.istio.io/v1/DestinationRule': 'Namespaced',
  'networking.istio.io/v1/ServiceEntry': 'Namespaced',
  'networking.istio.io/v1/Sidecar': 'Namespaced',
  'security.istio.io/v1/AuthorizationPolicy': 'Namespaced',
  'security.istio.io/v1/PeerAuthentication': 'Namespaced',
  'security.istio.io/v1/RequestAuthentication': 'Namespaced',
  'telemetry.istio.io/v1/Telemetry': 'Namespaced',
  'networking.istio.io/v1alpha3/EnvoyFilter': 'Namespaced',
  'networking.istio.io/v1/WorkloadEntry': 'Namespaced',
  'networking.istio.io/v1/WorkloadGroup': 'Namespaced',
  'extensions.istio.io/v1alpha1/WasmPlugin': 'Namespaced',
  'cert-manager.io/v1/Certificate': 'Namespaced',
  'external-secrets.io/v1/ExternalSecret': 'Namespaced',
  'external-secrets.io/v1alpha1/PushSecret': 'Namespaced',
};

/** The cluster-scoped kinds AppProject `clusterResourceWhitelist` entries name: `<group>/<kind>`. */
function clusterScopedKinds(objects: readonly Manifest[]): { kinds: Set<string>; unknown: Set<string> } {
  const kinds = new Set<string>();
  const unknown = new Set<string>();
  for (const o of objects) {
    const key = `${o.apiVersion}/${o.kind}`;
    const scope = SCOPE[key];
    if (!scope) unknown.add(key);
    else if (scope === 'Cluster') kinds.add(`${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${o.kind}`);
  }
  return { kinds, unknown };
}

/** Everything the child Applications of a fleet apply: the Git layers' objects and the rendered charts. */
function childObjects(out: Synthesized): Manifest[] {
  const gitLayers = out.ofKind('argocd/', 'Application')
    .filter((a) => a.spec.source.path)
    .flatMap((a) => out.manifests(`${a.spec.source.path.replace(/^dist\//, '')}/`));
  const seen = new Set<string>();
  const charts = argoCdReleases(out).filter((r) => {
    const key = JSON.stringify([r.chart, r.releaseName, r.namespace, r.values]);
    return !seen.has(key) && seen.add(key) !== undefined;
  }).flatMap((r) => renderChart(r));
  return [...gitLayers, ...charts];
}

const VARIANTS = synthVariants();

describe('the children AppProject whitelists exactly the cluster-scoped kinds the children create', () => {
  const created = new Set<string>();
  const unknown = new Set<string>();

  test.each(VARIANTS)('%s: every cluster-scoped kind created is whitelisted', (_label, out) => {
    const found = clusterScopedKinds(childObjects(out));
    found.kinds.forEach((k) => created.add(k));
    found.unknown.forEach((k) => unknown.add(k));
    const project = out.ofKind('argocd/', 'AppProject').find((p) => !p.metadata.name.endsWith('-roots'))!;
    const whitelisted = new Set(project.spec.clusterResourceWhitelist.map((r: { group: string; kind: string }) => `${r.group}/${r.kind}`));
    expect([...found.unknown].sort()).toEqual([]);
    expect([...found.kinds].filter((k) => !whitelisted.has(k)).sort()).toEqual([]);
  });

  test('and nothing else: every whitelisted kind is created by some variant', () => {
    const project = VARIANTS[0][1].ofKind('argocd/', 'AppProject').find((p) => !p.metadata.name.endsWith('-roots'))!;
    const whitelisted = project.spec.clusterResourceWhitelist.map((r: { group: string; kind: string }) => `${r.group}/${r.kind}`).sort();
    expect(unknown.size).toBe(0);
    expect(whitelisted).toEqual([...created].sort());
    expect(whitelisted).not.toContain('*/*');
  });
});

describe('the roots AppProject', () => {
  test.each(VARIANTS)('%s: the roots create only Applications, in the Argo CD namespace of Argo CD\'s own cluster', (_label, out) => {
    const roots = out.ofKind('argocd/', 'AppProject').find((p) => p.metadata.name.endsWith('-roots'))!;
    const root = out.get('argocd/', 'ApplicationSet', 'meshfleet-roots').spec.template;
    expect(root.spec.project).toBe(roots.metadata.name);
    expect(roots.spec.destinations).toEqual([{ server: 'https://kubernetes.default.svc', namespace: 'argocd' }]);
    expect(roots.spec.clusterResourceWhitelist).toEqual([]);
    expect(roots.spec.namespaceResourceWhitelist).toEqual([{ group: 'argoproj.io', kind: 'Application' }]);
    // What a root syncs: its cluster's directory of child Applications, nothing else.
    const kinds = new Set(out.manifests('argocd/').filter((m) => m.metadata.annotations?.['argocd.argoproj.io/sync-wave']).map((m) => `${m.apiVersion}/${m.kind}`));
    expect([...kinds]).toEqual(['argoproj.io/v1alpha1/Application']);
    for (const dir of new Set(out.files('argocd/').filter((f) => f.split('/').length > 2).map((f) => f.split('/')[1]))) {
      const inDir = out.manifests(`argocd/${dir}/`);
      expect(inDir.every((m) => m.kind === 'Application' && m.metadata.namespace === 'argocd')).toBe(true);
    }
  });
});
