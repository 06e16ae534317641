/**
 * Everything one cluster's directory holds, composed from the constructs.
 */
import { ApiObject } from 'cdk8s';
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
  readonly facts: MeshFacts;
  readonly cluster: Cluster;
  /** The cluster's planned model, which the composition steps render from. */
  readonly plan: ClusterPlan;
}

/**
 * One cluster's output: a {@link LayerChart} per layer under `<cluster>/`, plus documents.
 *
 * Mesh configuration (policies, routing) goes only to primaries: each primary reads Istio
 * config from its own API server, and remotes are configured by their primary.
 * @see https://istio.io/latest/docs/ops/deployment/deployment-models/#control-plane-models
 */
export class ClusterStack extends Construct implements ClusterLayers {
  public readonly cluster: Cluster;
  public readonly facts: MeshFacts;
  public readonly plan: ClusterPlan;
  private readonly charts = new Map<Layer, LayerChart>();
  private readonly documents = new Map<string, string>();
  private readonly userObjects = new Map<ApiObject, UserObject>();

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id);
    this.cluster = props.cluster;
    this.facts = props.facts;
    this.plan = props.plan;
    const { cluster, facts } = props;

    new IstioSystemNamespace(this.layer('platform'), 'istio-system', {
      network: cluster.network,
      controlPlaneClusters: cluster.role === 'remote' ? [facts.controlPlaneOf(cluster).name] : undefined,
    });
    if (cluster.role === 'primary') new MeshMtls(this.layer('mesh'), 'mesh-mtls');
    if (cluster.role === 'primary') new GlobalServices(this.layer('mesh'), 'global-services', { facts, cluster });
    addClusterSecrets(this);
    addControlPlane(this);
    addUserObjects(this);
  }

  /** This cluster's layer charts, by layer (those created so far). */
  public get layers(): ReadonlyMap<Layer, LayerChart> {
    return this.charts;
  }

  /** Records that an object of a layer is one of the user's own (`objects:` in the topology). */
  public markUserObject(object: ApiObject, origin: UserObject): void {
    this.userObjects.set(object, origin);
  }

  /** The topology entry an own object came from, or `undefined` for a generated object. */
  public userObject(object: ApiObject): UserObject | undefined {
    return this.userObjects.get(object);
  }

  /** The chart of one of this cluster's layers (created on first use). */
  public layer(layer: Layer): LayerChart {
    let chart = this.charts.get(layer);
    if (!chart) {
      chart = new LayerChart(this, layer, { directory: `${this.cluster.name}/${layer}`, kustomize: layer !== 'istioctl' });
      this.charts.set(layer, chart);
    }
    return chart;
  }

  /**
   * Whether a layer holds at least one object, i.e. whether its directory will exist.
   * Does not create the layer's chart.
   */
  public hasObjects(layer: Layer): boolean {
    const chart = this.charts.get(layer);
    const found = (node: IConstruct): boolean => node instanceof ApiObject || node.node.children.some(found);
    return chart !== undefined && chart.node.children.some(found);
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
