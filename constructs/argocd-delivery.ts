/**
 * Argo CD delivery: two `AppProject`s (roots, children), an `ApplicationSet` generating one
 * root `Application` per cluster, and each cluster's child `Application`s (layer directories and
 * Istio Helm charts) ordered by sync waves. Needs Argo CD 3.2 (`retry.refresh`).
 *
 * Why the ApplicationSet generates only the roots, and each root is an app-of-apps: an
 * ApplicationSet creates its Applications together and cannot order them unless progressive
 * syncs are enabled on the ApplicationSet controller (beta, off by default in Argo CD 3.x), and
 * then one stalled cluster holds back every other. A root Application syncs its children wave by wave
 * and waits for each wave to be Healthy, provided Argo CD assesses `Application` health, which
 * it stopped doing by default in 1.8: {@link ARGOCD_APPLICATION_HEALTH_LUA} restores it.
 * One Application with multi-source Helm charts cannot order the charts either: sync waves
 * are annotations on objects, and the charts' objects carry none.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/cluster-bootstrapping/
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/health/#argocd-app
 */
import { Construct } from 'constructs';
import { HelmValues } from './helm-values';
import * as argo from '../imports/argocd-application-argoproj.io';
import * as argoproject from '../imports/argocd-appproject-argoproj.io';
import * as argoset from '../imports/argocd-applicationset-argoproj.io';
import { IstioChartName } from '../topology';
import { argoCdApplicationName, argoCdRootName as rootName } from '../topology/generated-names';

/** The Argo CD server's own cluster, where root Applications create the child Applications. */
export const ARGOCD_IN_CLUSTER = 'https://kubernetes.default.svc';
/** Annotation ordering the children of a root Application. */
export const ARGOCD_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
/** Label naming the cluster an Application delivers to (`argocd app list -l meshfleet.dev/cluster=<name>`). */
export const ARGOCD_CLUSTER_LABEL = 'meshfleet.dev/cluster';
/**
 * Annotation that keeps an object's health out of its Application's health, so a sync wave
 * does not wait for it. Set on objects whose readiness depends on other clusters or on a
 * secret store and that nothing in the cluster needs first: the remote-secret
 * ExternalSecrets (Ready only once the other clusters pushed their reader tokens; waiting for
 * them would deadlock two primaries) and the reader token's PushSecret (istiod does not need
 * it). Flux ignores it.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/health/#ignoring-child-resource-health-check-in-applications
 */
export const ARGOCD_IGNORE_HEALTHCHECK = 'argocd.argoproj.io/ignore-healthcheck';

/**
 * Sync waves of a cluster's children: each wave starts once the previous one is Healthy.
 *
 * - 0 `platform`: namespaces (with the network label) and `cacerts`;
 * - 1 chart `base`: the Istio CRDs and the reader service account;
 * - 2 `reader`: the reader token Secret (whose service account comes from `base`) and its
 *   PushSecret: the primaries read this cluster with it, and a remote's gateway is injected
 *   only once its primary reads the remote;
 * - 3 chart `istiod` (and a canary istiod): needs the CRDs and `cacerts`;
 * - 4 chart `gateway` (east-west): its pods use `image: auto` and must be created once the
 *   injector runs, or they are never injected (istio/istio#53290, #46307);
 * - 5 `mesh`: Istio configuration, validated by istiod's webhook.
 *
 * The chart waves follow the releases' `dependsOn` (the order Flux's HelmReleases use).
 */
export const ARGOCD_WAVES = { platform: 0, base: 1, reader: 2, istiod: 3, gateway: 4, mesh: 5 } as const;

/**
 * The `argocd-cm` health check for `argoproj.io/Application` that makes a root Application
 * wait for each wave of children. It is Argo CD's documented check, plus: a child counts as
 * Healthy only once Synced to its current source, because Argo CD 3.4+ reports a child whose
 * resources failed to apply as Healthy (argoproj/argo-cd#27917), and after an update the
 * recorded health may still describe the previous source (argoproj/argo-cd#5585).
 */
export const ARGOCD_APPLICATION_HEALTH_LUA = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil and obj.status.health ~= nil then
  hs.status = obj.status.health.status
  if obj.status.health.message ~= nil then
    hs.message = obj.status.health.message
  end
end
if hs.status == "Healthy" then
  local sync = obj.status.sync
  if sync == nil or sync.status ~= "Synced" then
    hs.status = "Progressing"
    hs.message = "waiting for the Application to sync"
  elseif obj.spec.source ~= nil and sync.comparedTo ~= nil and sync.comparedTo.source ~= nil then
    local want = obj.spec.source
    local seen = sync.comparedTo.source
    if want.repoURL ~= seen.repoURL or want.chart ~= seen.chart or want.path ~= seen.path or want.targetRevision ~= seen.targetRevision then
      hs.status = "Progressing"
      hs.message = "waiting for the Application to compare its new source"
    end
  end
end
return hs
`;

const WEBHOOK_GROUP = 'admissionregistration.k8s.io';
/** istiod patches `caBundle` into its webhooks once its certificate is ready. */
const CA_BUNDLE = '.webhooks[]?.clientConfig.caBundle';
/** istiod switches its validating webhooks from `Ignore` to `Fail` once it serves them (istio/istio#44285). */
const FAILURE_POLICY = '.webhooks[]?.failurePolicy';

/** A Git directory delivered by one child Application. */
export interface ArgoCdDirectory {
  /** Application name suffix (`platform`, `reader`, `mesh`). */
  readonly name: string;
  /** Path inside the Git repository. */
  readonly path: string;
  /** Sync wave (see {@link ARGOCD_WAVES}). */
  readonly wave: number;
  /**
   * Whether the directory holds Istio configuration whose CRDs another Application installs:
   * the sync skips the dry run of kinds the cluster does not know yet.
   * @default false
   * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/#skip-dry-run-for-new-custom-resources-types
   */
  readonly istioConfig?: boolean;
}

/** One Istio Helm chart delivered by one child Application. */
export interface ArgoCdHelmChart {
  /** Application name suffix and Helm release name (`istio-base`, `istiod`, `istio-eastwestgateway`). */
  readonly releaseName: string;
  /** Chart name in the Istio chart repository. */
  readonly chart: IstioChartName;
  /** Chart version. */
  readonly version: string;
  /** The chart's values, exactly as the Flux `HelmRelease` gets them. */
  readonly values: HelmValues;
  /** Sync wave (see {@link ARGOCD_WAVES}). */
  readonly wave: number;
}

/** Properties of an {@link ArgoCdClusterApplications}. */
export interface ArgoCdClusterApplicationsProps {
  /** The cluster delivered to. */
  readonly cluster: string;
  /** The cluster's API server URL, as registered in Argo CD (`spec.destination.server`). */
  readonly server: string;
  /** Namespace of Argo CD and its Applications. */
  readonly namespace: string;
  /** The `AppProject` the Applications belong to. */
  readonly project: string;
  /** Git repository of the synthesized directories. */
  readonly repoUrl: string;
  /** Branch (or tag) of the synthesized directories. */
  readonly targetRevision: string;
  /** Helm repository of the Istio charts. */
  readonly chartRepository: string;
  /** Namespace the charts install into. */
  readonly istioNamespace: string;
  /** Git directories, by wave. */
  readonly directories: readonly ArgoCdDirectory[];
  /** Istio charts, by wave. */
  readonly charts: readonly ArgoCdHelmChart[];
}

/**
 * The child Applications of one cluster, named `<cluster>-<component>`, each with a sync
 * wave for its root Application, automated sync with prune and self-heal, and unlimited retries.
 *
 * The Helm chart Applications ignore the webhook fields istiod patches at runtime
 * (`failurePolicy`, `caBundle`) and do not revert them on sync (`RespectIgnoreDifferences`),
 * so Argo CD does not show the control plane as permanently OutOfSync (istio/istio#52785).
 * `base` is applied server-side: its CRDs are too large for client-side apply's annotation.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/diffing/#application-level-configuration
 */
export class ArgoCdClusterApplications extends Construct {
  constructor(scope: Construct, id: string, props: ArgoCdClusterApplicationsProps) {
    super(scope, id);
    const metadata = (suffix: string, wave: number) => {
      const name = argoCdApplicationName(props.cluster, suffix);
      return {
        name,
        namespace: props.namespace,
        labels: { [ARGOCD_CLUSTER_LABEL]: props.cluster },
        annotations: { [ARGOCD_SYNC_WAVE]: String(wave) },
      };
    };
    const syncPolicy = (syncOptions: string[]): argo.ApplicationSpecSyncPolicy => ({
      automated: { enabled: true, prune: true, selfHeal: true },
      syncOptions: syncOptions.length ? syncOptions : undefined,
      retry: { ...ARGOCD_RETRY, backoff: { ...ARGOCD_RETRY.backoff } },
    });

    const items: { wave: number; make: () => void }[] = [];
    for (const dir of props.directories) {
      items.push({
        wave: dir.wave,
        make: () =>
          new argo.Application(this, dir.name, {
            metadata: metadata(dir.name, dir.wave),
            spec: {
              project: props.project,
              destination: { server: props.server, namespace: props.istioNamespace },
              source: { repoUrl: props.repoUrl, targetRevision: props.targetRevision, path: dir.path },
              syncPolicy: syncPolicy(dir.istioConfig ? ['SkipDryRunOnMissingResource=true'] : []),
            },
          }),
      });
    }
    for (const chart of props.charts) {
      items.push({
        wave: chart.wave,
        make: () =>
          new argo.Application(this, chart.releaseName, {
            metadata: metadata(chart.releaseName, chart.wave),
            spec: {
              project: props.project,
              destination: { server: props.server, namespace: props.istioNamespace },
              source: {
                repoUrl: props.chartRepository,
                chart: chart.chart,
                targetRevision: chart.version,
                helm: { releaseName: chart.releaseName, valuesObject: Object.keys(chart.values).length ? chart.values : undefined },
              },
              syncPolicy: syncPolicy(chartSyncOptions(chart.chart)),
              ignoreDifferences: chartIgnoreDifferences(chart.chart),
            },
          }),
      });
    }
    // Stable order: by wave, then by name (the output does not depend on it; names do).
    for (const item of items.sort((a, b) => a.wave - b.wave)) item.make();
  }
}

function chartSyncOptions(chart: ArgoCdHelmChart['chart']): string[] {
  switch (chart) {
    case 'base':
      // Prune=false: a CRD a future `base` chart drops must not be pruned (it would delete every
      // object of that kind). `helm.sh/resource-policy: keep` covers only deletion (cascade
      // deletion also never deletes CRDs); Argo CD does not map it to Prune=false.
      return ['ServerSideApply=true', 'RespectIgnoreDifferences=true', 'Prune=false'];
    case 'istiod':
      return ['RespectIgnoreDifferences=true'];
    default:
      return [];
  }
}

function chartIgnoreDifferences(chart: ArgoCdHelmChart['chart']): argo.ApplicationSpecIgnoreDifferences[] | undefined {
  switch (chart) {
    case 'base':
      // Rendered by `base` while defaultRevision is set; served by the default revision's istiod.
      return [{ group: WEBHOOK_GROUP, kind: 'ValidatingWebhookConfiguration', name: 'istiod-default-validator', jqPathExpressions: [FAILURE_POLICY, CA_BUNDLE] }];
    case 'istiod':
      // `istio-validator[-<rev>]-<namespace>` and revision tags' validators, `istio-sidecar-injector[-<rev>]`
      // and `istio-revision-tag-*`: every webhook this chart renders is patched by istiod.
      return [
        { group: WEBHOOK_GROUP, kind: 'MutatingWebhookConfiguration', jqPathExpressions: [CA_BUNDLE] },
        { group: WEBHOOK_GROUP, kind: 'ValidatingWebhookConfiguration', jqPathExpressions: [FAILURE_POLICY, CA_BUNDLE] },
      ];
    default:
      return undefined;
  }
}

/** Name of a cluster's root Application (defined with the other generated names). */
export const argoCdRootName = rootName;

/** Name of the `AppProject` of the per-cluster roots: `<project>-roots`. */
export function argoCdRootsProjectName(project: string): string {
  return `${project}-roots`;
}

/** Name of the `ApplicationSet` that generates the per-cluster roots. */
export const ARGOCD_ROOTS_APPLICATION_SET = 'meshfleet-roots';

/**
 * Argo CD's cascade-delete finalizer: deleting an Application that carries it deletes the
 * objects the Application manages first (foreground).
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/app_deletion/#about-the-deletion-finalizer
 */
export const ARGOCD_RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/**
 * The retry policy of every generated Application: unlimited, backoff 10s → 5m, and
 * `refresh: true` so that a retry re-reads Git. Without `refresh`, Argo CD retries a failed sync
 * with the revision it started with and starts no automated sync for a newer commit while it
 * retries: a fix pushed to Git would never be applied (`retry.refresh` needs Argo CD 3.2).
 * Unlimited, because a wave that is not ready yet (an issuer still issuing, a store not yet
 * filled) must converge without a manual sync.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/auto_sync/
 */
export const ARGOCD_RETRY: argo.ApplicationSpecSyncPolicyRetry = {
  limit: -1,
  refresh: true,
  backoff: { duration: '10s', factor: 2, maxDuration: '5m' },
};

/** Properties of an {@link ArgoCdClusterRoots}. */
export interface ArgoCdClusterRootsProps {
  /** Namespace of Argo CD and its Applications. */
  readonly namespace: string;
  /** The `AppProject` the roots belong to (see {@link ArgoCdRootsProject}). */
  readonly project: string;
  /** Git repository of the synthesized directories. */
  readonly repoUrl: string;
  /** Branch (or tag) of the synthesized directories. */
  readonly targetRevision: string;
  /** Path of the directory whose sub-directories hold each cluster's child Applications (`<path>/argocd`). */
  readonly path: string;
}

/**
 * The `ApplicationSet` `meshfleet-roots`: a Git directory generator over `<path>/argocd/*`
 * (one directory of child Applications per cluster) that generates one root Application
 * `meshfleet-<cluster>` per directory. Adding a cluster to the topology (a new directory) is a
 * commit; so is removing one.
 *
 * Each root syncs its cluster's child Applications into the Argo CD namespace, wave by wave
 * (the waves are annotations of the children, so the per-cluster app-of-apps keeps them). One
 * root per cluster keeps clusters independent: a cluster stuck in a wave holds back no other.
 *
 * Removal: when a cluster's directory disappears, the ApplicationSet controller deletes its root
 * (`applicationsSync` is not restricted). The root carries {@link ARGOCD_RESOURCES_FINALIZER}
 * (`preserveResourcesOnDeletion: false`), so Argo CD first deletes what the root manages, the
 * cluster's child Applications. Those carry no finalizer, so deleting them leaves everything they
 * installed in the cluster: Istio stays installed and running, no longer managed.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Generators-Git/#git-generator-directories
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Application-Deletion/
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/cluster-bootstrapping/
 */
export class ArgoCdClusterRoots extends Construct {
  constructor(scope: Construct, id: string, props: ArgoCdClusterRootsProps) {
    super(scope, id);
    new argoset.ApplicationSet(this, 'Resource', {
      metadata: { name: ARGOCD_ROOTS_APPLICATION_SET, namespace: props.namespace },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [
          { git: { repoUrl: props.repoUrl, revision: props.targetRevision, directories: [{ path: `${props.path}/*` }] } },
        ],
        template: {
          metadata: {
            name: argoCdRootName('{{ .path.basename }}'),
            namespace: props.namespace,
            labels: { [ARGOCD_CLUSTER_LABEL]: '{{ .path.basename }}' },
            finalizers: [ARGOCD_RESOURCES_FINALIZER],
          },
          spec: {
            project: props.project,
            destination: { server: ARGOCD_IN_CLUSTER, namespace: props.namespace },
            source: { repoUrl: props.repoUrl, targetRevision: props.targetRevision, path: '{{ .path.path }}' },
            syncPolicy: {
              automated: { enabled: true, prune: true, selfHeal: true },
              retry: { ...ARGOCD_RETRY, backoff: { ...ARGOCD_RETRY.backoff } },
            },
          },
        },
        syncPolicy: { preserveResourcesOnDeletion: false },
      },
    });
  }
}

/** One cluster-scoped kind (`group`, `kind`) an `AppProject` lets its Applications manage. */
export interface ArgoCdClusterResource {
  /** API group (`""` for the core group). */
  readonly group: string;
  /** Kind. */
  readonly kind: string;
}

/**
 * Exactly the cluster-scoped kinds the child Applications create: the layers' `Namespace`s and,
 * from the pinned Istio charts (`base`, `istiod`, `gateway`, every role and option meshfleet
 * sets), the CRDs, webhook configurations, and cluster roles and their bindings. The charts'
 * ValidatingAdmissionPolicies render only with `experimental.stableValidationPolicy`, which
 * meshfleet never sets. A test renders every chart release with real Helm and checks this list
 * is complete and no broader.
 */
export const ARGOCD_CLUSTER_RESOURCES: readonly ArgoCdClusterResource[] = [
  { group: '', kind: 'Namespace' },
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
];

/** Properties of an {@link ArgoCdProject}. */
export interface ArgoCdProjectProps {
  /** Name of the `AppProject`. */
  readonly name: string;
  /** Namespace of Argo CD. */
  readonly namespace: string;
  /** Repositories the Applications may use (Git and Helm). */
  readonly sourceRepos: readonly string[];
  /** API servers of the fleet's clusters. */
  readonly servers: readonly string[];
}

/**
 * The `AppProject` of the child Applications: its Git and chart repositories, every cluster's
 * API server (any namespace), and among cluster-scoped kinds only {@link ARGOCD_CLUSTER_RESOURCES}.
 * Argo CD's docs call a whitelist of `{group: '*', kind: '*'}` admin-equivalent; this list lets the
 * children install Istio and nothing else cluster-wide.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/projects/
 */
export class ArgoCdProject extends Construct {
  constructor(scope: Construct, id: string, props: ArgoCdProjectProps) {
    super(scope, id);
    new argoproject.AppProject(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        description: 'Istio multi-cluster mesh delivered by meshfleet: the per-cluster child Applications',
        sourceRepos: [...new Set(props.sourceRepos)].sort(),
        destinations: [...new Set(props.servers)].sort().map((server) => ({ server, namespace: '*' })),
        clusterResourceWhitelist: ARGOCD_CLUSTER_RESOURCES.map((r) => ({ group: r.group, kind: r.kind })),
      },
    });
  }
}

/** Properties of an {@link ArgoCdRootsProject}. */
export interface ArgoCdRootsProjectProps {
  /** Name of the `AppProject` (see {@link argoCdRootsProjectName}). */
  readonly name: string;
  /** Namespace of Argo CD, the only place the roots may write to. */
  readonly namespace: string;
  /** The Git repository of the synthesized directories. */
  readonly repoUrl: string;
}

/**
 * The `AppProject` of the per-cluster roots: from the Git repository only, into the Argo CD
 * namespace of Argo CD's own cluster only, and only `argoproj.io/Application` objects (no
 * cluster-scoped kind at all). A root can thus create child Applications and nothing else.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/projects/
 */
export class ArgoCdRootsProject extends Construct {
  constructor(scope: Construct, id: string, props: ArgoCdRootsProjectProps) {
    super(scope, id);
    new argoproject.AppProject(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        description: 'meshfleet: the per-cluster roots, which create the child Applications',
        sourceRepos: [props.repoUrl],
        destinations: [{ server: ARGOCD_IN_CLUSTER, namespace: props.namespace }],
        clusterResourceWhitelist: [],
        namespaceResourceWhitelist: [{ group: 'argoproj.io', kind: 'Application' }],
      },
    });
  }
}
