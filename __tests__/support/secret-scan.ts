/**
 * Test helper: finds secret material in a synthesized tree (every file, manifests and
 * documents alike), so a test can prove that nothing meshfleet writes to Git is a secret.
 *
 * Looks for: PEM blocks (private keys, certificates) and their base64 encoding, JWT-like
 * tokens (`eyJ…`), kubeconfig credentials with a literal value (`token:`,
 * `client-key-data:`, `client-certificate-data:`, `certificate-authority-data:`), password
 * fields with a value, and `Secret` manifests carrying `data` or `stringData`.
 * ESO template expressions (`{{ .token }}`) are references, not values, and pass.
 */
import { loadAll } from 'js-yaml';

/** One piece of secret material found in a file. */
export interface SecretFinding {
  readonly file: string;
  /** 1-based line, 0 for a whole-manifest finding. */
  readonly line: number;
  readonly what: string;
  readonly excerpt: string;
}

/** A value that is not an ESO/Go template reference. */
const LITERAL = String.raw`(?!\s*\{\{)(?!\s*$)\s*\S`;

const LINE_PATTERNS: ReadonlyArray<{ readonly what: string; readonly pattern: RegExp }> = [
  { what: 'PEM block (private key or certificate)', pattern: /-----BEGIN [A-Z0-9 ]*-----/ },
  { what: 'base64-encoded PEM block', pattern: /LS0tLS1CRUdJTi/ },
  { what: 'JWT-like token', pattern: /\beyJ[A-Za-z0-9_-]{10,}/ },
  { what: 'kubeconfig token', pattern: new RegExp(String.raw`^\s*(-\s*)?["']?token["']?\s*:${LITERAL}`) },
  { what: 'kubeconfig client key', pattern: new RegExp(String.raw`client-key-data["']?\s*:${LITERAL}`) },
  { what: 'kubeconfig client certificate', pattern: new RegExp(String.raw`client-certificate-data["']?\s*:${LITERAL}`) },
  { what: 'kubeconfig CA data', pattern: new RegExp(String.raw`certificate-authority-data["']?\s*:${LITERAL}`) },
  { what: 'password', pattern: new RegExp(String.raw`\bpassword["']?\s*[:=]${LITERAL}`, 'i') },
];

/** Every piece of secret material in a tree (relative path → content), in file order. */
export function findSecretMaterial(tree: ReadonlyMap<string, string>): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const [file, content] of tree) {
    content.split('\n').forEach((text, i) => {
      for (const { what, pattern } of LINE_PATTERNS) {
        if (pattern.test(text)) findings.push({ file, line: i + 1, what, excerpt: text.trim().slice(0, 80) });
      }
    });
    if (!/\.ya?ml$/.test(file)) continue;
    let docs: unknown[];
    try {
      docs = loadAll(content);
    } catch {
      continue; // not YAML after all: the line patterns above still applied
    }
    for (const doc of docs) {
      const m = doc as { kind?: unknown; metadata?: { name?: string }; data?: object; stringData?: object } | null;
      if (m?.kind !== 'Secret') continue;
      for (const field of ['data', 'stringData'] as const) {
        const value = m[field];
        if (value && Object.keys(value).length) {
          findings.push({ file, line: 0, what: `Secret with ${field}`, excerpt: `Secret ${m.metadata?.name ?? '?'} ${field}: ${Object.keys(value).join(', ')}` });
        }
      }
    }
  }
  return findings;
}
