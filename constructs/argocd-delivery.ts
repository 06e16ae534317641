/**
 * Argo CD delivery: an `AppProject`, one root `Application` per cluster, and the cluster's
 * child `Application`s (layer directories and Istio Helm charts) ordered by sync waves.
 *
 * Why app-of-apps with one root per cluster (and not an `ApplicationSet`): an ApplicationSet
 * creates its Applications together and cannot order them unless progressive syncs are
 * enabled on the ApplicationSet controller (beta, off by default in Argo CD 3.x), and then one
 * stalled cluster holds back every other. A root Application syncs its children wave by wave
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
  readonly chart: 'base' | 'istiod' | 'gateway';
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
      // Unlimited: a wave that is not ready yet (an issuer still issuing, a store not yet
      // filled) converges without a manual sync.
      retry: { limit: -1, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
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
      return ['ServerSideApply=true', 'RespectIgnoreDifferences=true'];
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

/** Properties of an {@link ArgoCdRootApplication}. */
export interface ArgoCdRootApplicationProps {
  /** The cluster whose child Applications this root syncs. */
  readonly cluster: string;
  /** Namespace of Argo CD and its Applications. */
  readonly namespace: string;
  /** The `AppProject` the root belongs to. */
  readonly project: string;
  /** Git repository of the synthesized directories. */
  readonly repoUrl: string;
  /** Branch (or tag) of the synthesized directories. */
  readonly targetRevision: string;
  /** Path of the directory holding the cluster's child Applications. */
  readonly path: string;
}

/** Name of a cluster's root Application. */
export function argoCdRootName(cluster: string): string {
  return rootName(cluster);
}

/**
 * `meshfleet-<cluster>`: syncs the directory of the cluster's child Applications into the
 * Argo CD namespace, wave by wave. One root per cluster keeps clusters independent: a
 * cluster stuck in one wave holds back no other cluster.
 */
export class ArgoCdRootApplication extends Construct {
  constructor(scope: Construct, id: string, props: ArgoCdRootApplicationProps) {
    super(scope, id);
    new argo.Application(this, 'Resource', {
      metadata: { name: argoCdRootName(props.cluster), namespace: props.namespace, labels: { [ARGOCD_CLUSTER_LABEL]: props.cluster } },
      spec: {
        project: props.project,
        destination: { server: ARGOCD_IN_CLUSTER, namespace: props.namespace },
        source: { repoUrl: props.repoUrl, targetRevision: props.targetRevision, path: props.path },
        syncPolicy: {
          automated: { enabled: true, prune: true, selfHeal: true },
          retry: { limit: -1, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
        },
      },
    });
  }
}

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
 * The `AppProject` of the fleet: its Git and chart repositories, every cluster's API server
 * (any namespace), and the Argo CD namespace of its own cluster (where the roots create the
 * children). Cluster-scoped kinds are allowed: the charts install CRDs, webhooks and
 * cluster roles, and the platform layer namespaces.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/projects/
 */
export class ArgoCdProject extends Construct {
  constructor(scope: Construct, id: string, props: ArgoCdProjectProps) {
    super(scope, id);
    const servers = [...new Set(props.servers)].sort();
    new argoproject.AppProject(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        description: 'Istio multi-cluster mesh delivered by meshfleet',
        sourceRepos: [...new Set(props.sourceRepos)].sort(),
        destinations: [
          // Where the roots create the children (unless a mesh cluster is Argo CD's own, with any namespace).
          ...(servers.includes(ARGOCD_IN_CLUSTER) ? [] : [{ server: ARGOCD_IN_CLUSTER, namespace: props.namespace }]),
          ...servers.map((server) => ({ server, namespace: '*' })),
        ],
        clusterResourceWhitelist: [{ group: '*', kind: '*' }],
      },
    });
  }
}
