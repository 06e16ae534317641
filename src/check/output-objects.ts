/**
 * The Kubernetes objects of an output tree, each with the file and cluster it came from.
 */
import { loadAll } from 'js-yaml';

/** An output tree: relative path → file content (as synthesized, or as read back from disk). */
export type Tree = ReadonlyMap<string, string>;

/** One object of the output. */
export interface OutputObject {
  /** File relative to the output directory. */
  readonly file: string;
  /** Top folder of the file: a cluster name, or `argocd` for the management objects. */
  readonly cluster: string;
  /** Index of the document in its file. */
  readonly index: number;
  /** The parsed document. */
  readonly manifest: Record<string, any>;
}

/** A file that is not valid YAML. */
export interface UnreadableFile {
  readonly file: string;
  readonly message: string;
}

/** Files that are kustomize build input, not objects applied to a cluster. */
export function isKustomizeFile(file: string): boolean {
  return /(^|\/)kustomization\.ya?ml$/.test(file);
}

/** Every object of every YAML file of `tree` (kustomization files excluded), in file order. */
export function outputObjects(tree: Tree): { objects: OutputObject[]; unreadable: UnreadableFile[] } {
  const objects: OutputObject[] = [];
  const unreadable: UnreadableFile[] = [];
  for (const [file, content] of tree) {
    if (!/\.ya?ml$/.test(file) || isKustomizeFile(file)) continue;
    const cluster = file.split('/')[0];
    try {
      loadAll(content).forEach((doc, index) => {
        if (doc !== null && doc !== undefined) objects.push({ file, cluster, index, manifest: doc as Record<string, any> });
      });
    } catch (e) {
      unreadable.push({ file, message: (e as Error).message.split('\n')[0] });
    }
  }
  return { objects, unreadable };
}

/** `Kind namespace/name` (`Kind name` when cluster-scoped). */
export function objectName(manifest: Record<string, any>): string {
  const meta = typeof manifest.metadata === 'object' && manifest.metadata !== null ? manifest.metadata : {};
  const kind = typeof manifest.kind === 'string' ? manifest.kind : '(no kind)';
  const name = typeof meta.name === 'string' ? meta.name : '(no name)';
  return typeof meta.namespace === 'string' ? `${kind} ${meta.namespace}/${name}` : `${kind} ${name}`;
}

/** Whether the file is istioctl input (IstioOperator), which no API server ever sees. */
export function isIstioctlInput(o: OutputObject): boolean {
  return o.manifest.apiVersion === 'install.istio.io/v1alpha1' && o.manifest.kind === 'IstioOperator';
}
