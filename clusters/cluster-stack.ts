/**
 * Everything one cluster's directory holds, composed from the constructs.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import type { ClusterLayers } from './cluster-layers';
import { addClusterSecrets } from './cluster-secrets';
import { addControlPlane } from './control-plane';
import { addUserObjects } from './customizations';
import { GlobalServices } from '../constructs/global-services';
import { IstioSystemNamespace } from '../constructs/istio-system-namespace';
import { MeshMtls } from '../constructs/mesh-mtls';
import { Layer, LayerChart } from '../src/layer-chart';
import type { ClusterPlan } from '../plan/model';
import { Cluster, MeshFacts, UserObject } from '../topology';

/** Properties of a {@link ClusterStack}. */
export interface ClusterStackProps {
  /** Facts about the whole fleet (cross-cluster wiring comes from them). */
  readonly facts: MeshFacts;
  /** The cluster to render. */
  readonly cluster: Cluster;
  /** The cluster's planned model, which the composition steps render from. */
  readonly plan: ClusterPlan;
  /**
   * Charts to render layers into instead of a new {@link LayerChart} per layer. A layer
   * mapped to `null` is built (so cross-layer facts stay the same) but rendered nowhere.
   * @default - one new LayerChart `<cluster>/<layer>` under this construct per layer
   */
  readonly charts?: LayerTargets;
}

/** Where a {@link ClusterStack}'s layers render: a chart, `null` (nowhere), or (absent) their own chart. */
export type LayerTargets = { readonly [layer in Layer]?: Chart | null };

/**
 * One cluster's output: a {@link LayerChart} per layer under `<cluster>/`, plus documents.
 *
 * Mesh configuration (policies, routing) goes only to primaries: each primary reads Istio
 * config from its own API server, and remotes are configured by their primary.
 * @see https://istio.io/latest/docs/ops/deployment/deployment-models/#control-plane-models
 */
export class ClusterStack extends Construct implements ClusterLayers {
  /** The cluster this stack renders. */
  public readonly cluster: Cluster;
  /** Facts about the whole fleet. */
  public readonly facts: MeshFacts;
  /** The cluster's planned model. */
  public readonly plan: ClusterPlan;
  private readonly charts = new Map<Layer, Construct>();
  private readonly documents = new Map<string, string>();
  private readonly userObjects = new Map<ApiObject, UserObject>();
  private readonly targets: LayerTargets;

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id);
    this.cluster = props.cluster;
    this.facts = props.facts;
    this.plan = props.plan;
    this.targets = props.charts ?? {};
    const { cluster, facts } = props;

    new IstioSystemNamespace(this.layer('platform'), 'istio-system', {
      network: cluster.network,
      controlPlaneClusters: cluster.role === 'remote' ? [facts.controlPlaneOf(cluster).name] : undefined,
    });
    if (cluster.role === 'primary') new MeshMtls(this.layer('mesh'), 'mesh-mtls');
    if (cluster.role === 'primary') {
      const placement = facts.servicePlacement;
      new GlobalServices(this.layer('mesh'), 'global-services', {
        trustDomain: facts.topology.mesh.trustDomain,
        routed: placement.routedIn(cluster.name).map((service) => ({ service, exportTo: placement.exportTo(service) })),
        guarded: placement.guardedIn(cluster.name),
        consumerNamespaces: placement.consumerNamespacesIn(cluster.name),
      });
    }
    addClusterSecrets(this);
    addControlPlane(this);
    addUserObjects(this);
  }

  /**
   * This cluster's own layer charts, by layer (those created so far); layers rendered into
   * charts given in `props.charts` are not among them.
   */
  public get layers(): ReadonlyMap<Layer, LayerChart> {
    return new Map([...this.charts].filter((entry): entry is [Layer, LayerChart] => LayerChart.isLayerChart(entry[1]) && entry[1].node.scope === this));
  }

  /** Records that an object of a layer is one of the user's own (`objects:` in the topology). */
  public markUserObject(object: ApiObject, origin: UserObject): void {
    this.userObjects.set(object, origin);
  }

  /** The topology entry an own object came from, or `undefined` for a generated object. */
  public userObject(object: ApiObject): UserObject | undefined {
    return this.userObjects.get(object);
  }

  /**
   * The scope of one of this cluster's layers (created on first use): its own
   * {@link LayerChart}, or a construct inside the chart given for the layer in `props.charts`
   * (ids there are prefixed with the cluster and layer, so several clusters and layers can
   * share one chart).
   */
  public layer(layer: Layer): Construct {
    let scope = this.charts.get(layer);
    if (!scope) {
      const target = this.targets[layer];
      const directory = `${this.cluster.name}/${layer}`;
      if (target === undefined) scope = new LayerChart(this, layer, { directory, kustomize: layer !== 'istioctl' });
      // Detached: a chart in an app of its own, which nobody synthesizes.
      else if (target === null) scope = new LayerChart(new App({ outdir: '.' }), layer, { directory });
      else scope = new Construct(target, `${this.cluster.name}-${layer}`);
      this.charts.set(layer, scope);
    }
    return scope;
  }

  /**
   * Whether a layer holds at least one object, i.e. whether its directory will exist.
   * Does not create the layer's chart.
   */
  public hasObjects(layer: Layer): boolean {
    const scope = this.charts.get(layer);
    const found = (node: IConstruct): boolean => node instanceof ApiObject || node.node.children.some(found);
    return scope !== undefined && scope.node.children.some(found);
  }

  /** Adds a non-manifest file (e.g. `SECRETS.md`) to this cluster's directory. */
  public addDocument(name: string, content: string): void {
    this.documents.set(`${this.cluster.name}/${name}`, content);
  }

  /** Non-manifest files of this cluster, keyed by path relative to the synthesis root. */
  public get files(): ReadonlyMap<string, string> {
    return this.documents;
  }
}
