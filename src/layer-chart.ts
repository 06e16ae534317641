/**
 * Charts that know which output directory they are synthesized into.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';

/** A cluster's layer directory, and the applied ones in order: declared once, in `topology/layers.ts`. */
export { APPLIED_LAYERS } from '../topology/layers';
export type { Layer } from '../topology/layers';

/** Properties of a {@link LayerChart}. */
export interface LayerChartProps {
  /** Output directory relative to the synthesis root: `<cluster>/<layer>` or a fleet-wide name such as `argocd`. */
  readonly directory: string;
  /**
   * Whether the directory is a kustomize root that GitOps applies.
   * @default true
   */
  readonly kustomize?: boolean;
}

/**
 * An inline kustomize patch of a layer's `kustomization.yaml` (`patches[]`): the patch text and,
 * for a JSON 6902 patch or a selector, the target.
 * @see https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/
 */
export interface KustomizationPatch {
  readonly patch: string;
  readonly target?: { readonly group?: string; readonly version?: string; readonly kind?: string; readonly name?: string; readonly namespace?: string };
}

/** A chart whose objects are written, one file each, into one output directory. */
export class LayerChart extends Chart {
  /** Returns whether a construct is a {@link LayerChart}. */
  public static isLayerChart(x: unknown): x is LayerChart {
    return x instanceof LayerChart;
  }

  /** Output directory relative to the synthesis root. */
  public readonly directory: string;
  /** Whether the directory gets a `kustomization.yaml`. */
  public readonly kustomize: boolean;
  private readonly kustomizationPatches: KustomizationPatch[] = [];

  constructor(scope: Construct, id: string, props: LayerChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    this.directory = props.directory;
    this.kustomize = props.kustomize ?? true;
  }

  /** Adds an inline patch to this directory's `kustomization.yaml` (kept in the order added). */
  public addKustomizationPatch(patch: KustomizationPatch): void {
    if (!this.kustomize) throw new Error(`${this.directory} has no kustomization.yaml to patch`);
    this.kustomizationPatches.push(patch);
  }

  /** The inline patches of this directory's `kustomization.yaml`. */
  public get patches(): readonly KustomizationPatch[] {
    return this.kustomizationPatches;
  }
}
