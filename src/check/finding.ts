/**
 * One problem `meshfleet check` reports.
 */

/** How bad a finding is. `info` never fails a check, not even with `--strict`. */
export type Severity = 'error' | 'warning' | 'info';

/** One problem: what, where, why, and how to fix it. */
export interface Finding {
  readonly severity: Severity;
  /** Stable code: `IST0xxx` where Istio has one, else `MFxxx` (docs/check.md lists them). */
  readonly code: string;
  /** Lowercase, no trailing period: what is wrong. */
  readonly message: string;
  /** The output directory's top folder the object lives in (a cluster, or `argocd`); absent for fleet-wide findings. */
  readonly cluster?: string;
  /** The file, relative to the output directory. */
  readonly file?: string;
  /** `Kind namespace/name` of the object. */
  readonly object?: string;
  /** Field path inside the object (`spec.servers[0].tls`). */
  readonly path?: string;
  /** Where in the topology the problem comes from (`services[helloworld]`), when known. */
  readonly topology?: string;
  /** What to do about it. */
  readonly fix?: string;
  /** Documentation of the code (Istio's analysis page for IST codes). */
  readonly link?: string;
}

/** Istio's page for one of its analysis message codes. */
export function istioLink(code: string): string {
  return `https://istio.io/latest/docs/reference/config/analysis/${code.toLowerCase()}/`;
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Findings in a stable order: cluster, file, severity, code, path, message. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const key = (f: Finding) => [f.cluster ?? '', f.file ?? '', String(ORDER[f.severity]), f.code, f.path ?? '', f.message];
  return [...findings].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return 0;
  });
}
