/**
 * `synth --out -`: a synthesized tree as one multi-document YAML stream, like
 * `helm template` or `kustomize build`.
 */
import { OutputTree } from './output';

/**
 * Every Kubernetes object of `tree` as one YAML stream, in file order, each document
 * preceded by `# Source: <file>` (as `helm template` does). `kustomization.yaml` files,
 * non-YAML documents (`SECRETS.md`) and the never-applied `istioctl/` files are left out,
 * so the stream can go to `kubectl apply -f -`.
 */
export function toYamlStream(tree: OutputTree): string {
  const documents: string[] = [];
  for (const [file, content] of tree) {
    const name = file.split('/');
    if (!file.endsWith('.yaml') || name[name.length - 1] === 'kustomization.yaml' || name.includes('istioctl')) continue;
    const body = content.replace(/^(#[^\n]*\n)+/, '');
    documents.push(`---\n# Source: ${file}\n${body}`);
  }
  return documents.join('');
}
