/**
 * Printing findings: grouped by cluster for people, or JSON for tools.
 */
import type { Finding } from './finding';

/** Findings as text, grouped by cluster (fleet-wide findings first), with a summary line. */
export function formatFindings(findings: readonly Finding[], strict = false): string {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.cluster ?? '(fleet)', [...(groups.get(f.cluster ?? '(fleet)') ?? []), f]);
  const order = [...groups.keys()].sort((a, b) => (a === '(fleet)' ? -1 : b === '(fleet)' ? 1 : a < b ? -1 : 1));
  const lines: string[] = [];
  for (const cluster of order) {
    lines.push(cluster === '(fleet)' ? 'fleet:' : `cluster ${cluster}:`);
    for (const f of groups.get(cluster)!) {
      const severity = strict && f.severity === 'warning' ? 'error' : f.severity;
      const where = [f.file, f.object && `(${f.object})`, f.path].filter(Boolean).join(' ');
      const [first, ...rest] = f.message.split('\n');
      lines.push(`  ${severity} ${f.code}${where ? ` ${where}` : ''}: ${first}`);
      for (const line of rest) lines.push(`      ${line}`);
      if (f.topology) lines.push(`      topology: ${f.topology}`);
      if (f.fix) lines.push(`      fix: ${f.fix}`);
      if (f.link) lines.push(`      see: ${f.link}`);
    }
  }
  const count = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  const [errors, warnings] = strict ? [count('error') + count('warning'), 0] : [count('error'), count('warning')];
  lines.push(`${errors} error(s), ${warnings} warning(s), ${count('info')} info`);
  return `${lines.join('\n')}\n`;
}

/** Findings as JSON (`-o json`): `{ findings: [...], errors, warnings }`. */
export function findingsJson(findings: readonly Finding[], strict = false): string {
  const out = findings.map((f) => (strict && f.severity === 'warning' ? { ...f, severity: 'error' as const } : f));
  return `${JSON.stringify({
    findings: out,
    errors: out.filter((f) => f.severity === 'error').length,
    warnings: out.filter((f) => f.severity === 'warning').length,
  }, null, 2)}\n`;
}
