/**
 * A dependency model of GitOps delivery, for tests: what each delivered object needs to
 * exist (or be Ready) first, what each Flux `Kustomization` / `HelmRelease` and each Argo CD
 * `Application` provides, and whether the tool's ordering guarantees the provider comes first.
 *
 * Needs, per target cluster:
 * - a namespaced object needs its Namespace (applied; the same unit is enough, because Flux
 *   and Argo CD both apply Namespaces before the rest of a unit);
 * - an object of an `*.istio.io` API needs the Istio CRDs (chart `base`, Ready);
 * - a `kubernetes.io/service-account-token` Secret needs its ServiceAccount (from `base`, Ready);
 * - chart `istiod` needs `base` and the cluster's trust objects (`cacerts`, Ready);
 * - chart `gateway` needs `istiod` (Ready: the injector fills in `image: auto`);
 * - a remote's chart `gateway` also needs the remote's reader token Secret (applied): its
 *   pods are injected only once the primary's istiod reads the remote through the remote
 *   secret built from that token. The rest of that chain (push, the primary's ExternalSecret,
 *   istiod) crosses clusters and is asynchronous, so this need may be met *eventually*: it is
 *   met when the token comes first, or when the gateway's unit retries until it is there
 *   (a HelmRelease with the `RetryOnFailure` install and upgrade strategies) and the token's
 *   unit does not wait for the gateway (which would deadlock);
 * - in Flux management mode (where one Flux can order clusters), a remote's chart `gateway`
 *   also needs its primary's istiod exposure (`Gateway istiod-gateway` and the stable
 *   revision's `VirtualService istiod-vs[-<rev>]`, Ready): its pods reach istiod through them;
 * - a Flux HelmRelease needs its `HelmRepository` (applied, where Flux runs).
 *
 * Ordering, per tool:
 * - Flux: a Kustomization runs after everything in its transitive `dependsOn`; what a
 *   dependency guarantees Ready is what it waits for (`wait: true`: everything; otherwise its
 *   `healthChecks`); a HelmRelease runs after its `dependsOn` releases and after its
 *   Kustomization's dependencies.
 * - Argo CD: a child Application runs after the lower sync waves of its root (assuming the
 *   documented Application health check); it guarantees Ready every object whose health it
 *   does not ignore.
 */
import { READER_TOKEN_SECRET } from '../../constructs/secret-names';
import { MeshFacts } from '../../topology';
import { Manifest, Synthesized } from './synth';

type Level = 'applied' | 'ready';

interface Need {
  readonly key: string;
  readonly level: Level;
  readonly by: string;
  /** Met too when the unit retries until the provider is there, and the provider does not wait for the unit. */
  readonly eventual?: boolean;
}

interface Unit {
  readonly id: string;
  /** Target cluster of what the unit applies. */
  readonly cluster: string;
  readonly provides: Map<string, Level>;
  readonly needs: Need[];
  /** Whether the unit keeps retrying after a failure (a HelmRelease with `RetryOnFailure`). */
  retries?: boolean;
}

/** Namespaces that exist before any delivery (the tools' own, and Kubernetes'). */
function exempt(s: Synthesized): Set<string> {
  const d = s.topology.delivery;
  return new Set(['default', 'kube-system', d.flux?.namespace ?? 'flux-system', d.argocd?.namespace ?? 'argocd']);
}

function objectId(m: Manifest): string {
  return `${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}`;
}

function objKey(cluster: string, kind: string, namespace: string | undefined, name: string): string {
  return `obj:${cluster}/${kind}/${namespace ?? ''}/${name}`;
}

/** What an object needs before it can be applied in `cluster`. */
function objectNeeds(s: Synthesized, m: Manifest, cluster: string): Need[] {
  const by = objectId(m);
  const needs: Need[] = [];
  const ns = m.metadata.namespace;
  if (ns && m.kind !== 'Namespace' && !exempt(s).has(ns)) needs.push({ key: `ns:${cluster}/${ns}`, level: 'applied', by });
  const group = m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : '';
  if (group.endsWith('.istio.io')) needs.push({ key: `crd:${cluster}/istio`, level: 'ready', by });
  if (m.kind === 'Secret' && m.type === 'kubernetes.io/service-account-token') {
    const sa = m.metadata.annotations?.['kubernetes.io/service-account.name'];
    needs.push({ key: `sa:${cluster}/${ns}/${sa}`, level: 'ready', by });
  }
  if (m.kind === 'HelmRelease') {
    const ref = m.spec.chart.spec.sourceRef;
    needs.push({ key: objKey(cluster, ref.kind, ref.namespace ?? ns, ref.name), level: 'applied', by });
  }
  return needs;
}

/** What an object provides once its unit has applied it (`ready` when the unit waits for it). */
function objectProvides(m: Manifest, cluster: string, level: Level, into: Map<string, Level>): void {
  if (m.kind === 'Namespace') into.set(`ns:${cluster}/${m.metadata.name}`, 'ready');
  into.set(objKey(cluster, m.kind, m.metadata.namespace, m.metadata.name), level);
}

/**
 * Provides and needs of an Istio chart installed into `cluster`. `crossCluster`: whether the
 * tool can order clusters (Flux in management mode).
 */
/**
 * The generated objects that produce a cluster's `istio-system/cacerts` Secret (Istio's plugin
 * CA): a cert-manager Certificate whose `spec.secretName` is `cacerts`, or an ExternalSecret whose
 * target (by default the ExternalSecret's own name) is `cacerts`. Read from the output, not from
 * the code that generates it.
 */
function cacertsSources(s: Synthesized, cluster: string): Manifest[] {
  return s.manifests(`${cluster}/`).filter((m) => m.metadata.namespace === 'istio-system' && (
    (m.kind === 'Certificate' && m.spec.secretName === 'cacerts') ||
    (m.kind === 'ExternalSecret' && (m.spec.target?.name ?? m.metadata.name) === 'cacerts')
  ));
}

function chartUnit(s: Synthesized, id: string, cluster: string, chart: string, namespace: string, crossCluster: boolean): Unit {
  const facts = new MeshFacts(s.topology);
  const provides = new Map<string, Level>();
  const needs: Need[] = [{ key: `ns:${cluster}/${namespace}`, level: 'applied', by: id }];
  if (chart === 'base') {
    provides.set(`crd:${cluster}/istio`, 'ready');
    provides.set(`sa:${cluster}/istio-system/istio-reader-service-account`, 'ready');
  }
  if (chart === 'istiod') {
    provides.set(`chart:${cluster}/istiod`, 'ready');
    needs.push({ key: `crd:${cluster}/istio`, level: 'ready', by: id });
    // istiod reads its plugin CA from Secret istio-system/cacerts at start: it needs whatever
    // generated object of its cluster produces that Secret, Ready.
    for (const t of cacertsSources(s, cluster)) {
      needs.push({ key: objKey(cluster, t.kind, t.metadata.namespace, t.metadata.name), level: 'ready', by: id });
    }
  }
  if (chart === 'gateway') {
    needs.push({ key: `chart:${cluster}/istiod`, level: 'ready', by: id });
    const target = facts.cluster(cluster);
    if (target.role === 'remote') {
      needs.push({ key: objKey(cluster, 'Secret', 'istio-system', READER_TOKEN_SECRET), level: 'applied', by: id, eventual: true });
      if (crossCluster) {
        const primary = facts.controlPlaneOf(target).name;
        const revision = s.topology.mesh.istio.revision;
        needs.push({ key: objKey(primary, 'Gateway', 'istio-system', 'istiod-gateway'), level: 'ready', by: id });
        needs.push({ key: objKey(primary, 'VirtualService', 'istio-system', revision ? `istiod-vs-${revision}` : 'istiod-vs'), level: 'ready', by: id });
      }
    }
  }
  return { id, cluster, provides, needs };
}

/** The directory (`<cluster>/<layer>`) of a Git path relative to the repository root. */
function dirOf(s: Synthesized, gitPath: string): string {
  const root = s.topology.delivery.git.path.split('/').filter((p) => p && p !== '.');
  const parts = gitPath.split('/').filter((p) => p && p !== '.');
  return parts.slice(root.length).join('/');
}

function clusterOfKubeConfig(spec: any): string | undefined {
  const name: string | undefined = spec?.kubeConfig?.secretRef?.name;
  return name?.replace(/-kubeconfig$/, '');
}

function closure(start: string, edges: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(edges.get(start) ?? [])];
  while (stack.length) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(edges.get(next) ?? []));
  }
  return seen;
}

/** Every unmet need of the Flux delivery in `s` (empty when the order is right). */
export function fluxOrderViolations(s: Synthesized): string[] {
  const units = new Map<string, Unit>();
  /** unit id → ids of units that are guaranteed to run (and be Ready as they promise) before it. */
  const before = new Map<string, Set<string>>();
  const kustomizations = s.ofKind('', 'Kustomization').filter((k) => k.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/'));
  const hostOf = new Map<string, string>();
  // `<host>/flux/kustomization.<namespace>.<name>.yaml`: the Flux of <host> applies it.
  for (const file of s.tree.keys()) {
    const match = /^([^/]+)\/flux\/kustomization\.[^.]+\.(.+)\.yaml$/.exec(file);
    if (match) hostOf.set(match[2], match[1]);
  }
  const ksDeps = new Map(kustomizations.map((k) => [k.metadata.name, (k.spec.dependsOn ?? []).map((d: any) => d.name as string)]));
  const parentOf = new Map<string, string>();
  const hrDeps = new Map<string, string[]>();

  for (const k of kustomizations) {
    const name = k.metadata.name;
    const dir = dirOf(s, k.spec.path);
    if (dir.endsWith('/flux')) continue;
    const host = hostOf.get(name)!;
    const target = clusterOfKubeConfig(k.spec) ?? host;
    const checked = new Set((k.spec.healthChecks ?? []).map((h: any) => objKey(target, h.kind, h.namespace, h.name)));
    const unit: Unit = { id: `Kustomization ${name}`, cluster: target, provides: new Map(), needs: [] };
    for (const m of s.manifests(`${dir}/`)) {
      if (m.kind === 'HelmRelease') {
        const cluster = clusterOfKubeConfig(m.spec) ?? target;
        const id = `HelmRelease ${target}:${m.metadata.namespace}/${m.metadata.name}`;
        const management = s.topology.delivery.flux?.mode === 'management';
        const hr = chartUnit(s, id, cluster, m.spec.chart.spec.chart, m.spec.targetNamespace ?? m.metadata.namespace, management);
        hr.needs.push(...objectNeeds(s, m, target));
        hr.retries = m.spec.install?.strategy?.name === 'RetryOnFailure' && m.spec.upgrade?.strategy?.name === 'RetryOnFailure';
        units.set(id, hr);
        parentOf.set(id, unit.id);
        hrDeps.set(id, (m.spec.dependsOn ?? []).map((d: any) => `HelmRelease ${target}:${d.namespace ?? m.metadata.namespace}/${d.name}`));
        continue;
      }
      const level: Level = k.spec.wait || checked.has(objKey(target, m.kind, m.metadata.namespace, m.metadata.name)) ? 'ready' : 'applied';
      objectProvides(m, target, level, unit.provides);
      unit.needs.push(...objectNeeds(s, m, target));
    }
    units.set(unit.id, unit);
  }
  const waits = new Map(kustomizations.map((k) => [`Kustomization ${k.metadata.name}`, !!k.spec.wait]));
  for (const id of units.keys()) {
    const set = new Set<string>();
    const ownKs = parentOf.get(id) ?? id;
    const ksName = ownKs.replace(/^Kustomization /, '');
    for (const dep of closure(ksName, ksDeps)) {
      set.add(`Kustomization ${dep}`);
      // A HelmRelease of a dependency is Ready before us only if that Kustomization waited for it.
      for (const [hr, parent] of parentOf) if (parent === `Kustomization ${dep}` && waits.get(parent)) set.add(hr);
    }
    if (parentOf.has(id)) for (const dep of closure(id, hrDeps)) set.add(dep);
    before.set(id, set);
  }
  return violations(units, before, (need, unit) => need.level === 'applied' && parentOf.get(unit.id) !== undefined && units.get(parentOf.get(unit.id)!)?.provides.has(need.key) === true);
}

/** Every unmet need of the Argo CD delivery in `s` (empty when the order is right). */
export function argoCdOrderViolations(s: Synthesized): string[] {
  const units = new Map<string, Unit>();
  const waves = new Map<string, { cluster: string; wave: number }>();
  for (const app of s.ofKind('argocd/', 'Application')) {
    const wave = app.metadata.annotations?.['argocd.argoproj.io/sync-wave'];
    if (wave === undefined) continue; // a root Application
    const cluster = app.metadata.labels!['meshfleet.dev/cluster'];
    const id = `Application ${app.metadata.name}`;
    const src = app.spec.source;
    let unit: Unit;
    if (src.chart) {
      unit = chartUnit(s, id, cluster, src.chart, app.spec.destination.namespace, false);
    } else {
      unit = { id, cluster, provides: new Map(), needs: [] };
      for (const m of s.manifests(`${dirOf(s, src.path)}/`)) {
        const ignored = m.metadata.annotations?.['argocd.argoproj.io/ignore-healthcheck'] === 'true';
        objectProvides(m, cluster, ignored ? 'applied' : 'ready', unit.provides);
        unit.needs.push(...objectNeeds(s, m, cluster));
      }
    }
    units.set(id, unit);
    waves.set(id, { cluster, wave: Number(wave) });
  }
  const before = new Map<string, Set<string>>();
  for (const [id, w] of waves) {
    before.set(id, new Set([...waves].filter(([, o]) => o.cluster === w.cluster && o.wave < w.wave).map(([other]) => other)));
  }
  return violations(units, before, () => false);
}

function violations(
  units: ReadonlyMap<string, Unit>,
  before: ReadonlyMap<string, ReadonlySet<string>>,
  extraOk: (need: Need, unit: Unit) => boolean,
): string[] {
  const out: string[] = [];
  for (const unit of units.values()) {
    for (const need of unit.needs) {
      const ok =
        [...(before.get(unit.id) ?? [])].some((p) => {
          const level = units.get(p)?.provides.get(need.key);
          return level === 'ready' || (level === 'applied' && need.level === 'applied');
        }) ||
        (need.level === 'applied' && unit.provides.has(need.key)) ||
        // Retrying converges once a provider that does not wait for this unit has run.
        (need.eventual === true && unit.retries === true &&
          [...units.values()].some((p) => p.id !== unit.id && p.provides.has(need.key) && !before.get(p.id)?.has(unit.id))) ||
        extraOk(need, unit);
      if (!ok) out.push(`${unit.id}: ${need.by} needs ${need.key} (${need.level}) first`);
    }
  }
  return [...new Set(out)].sort();
}
