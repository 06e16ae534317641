/**
 * Check 1, as the API server would: every object of the output against the shipped
 * schemas and CEL rules.
 */
import type { Finding } from './finding';
import { isIstioctlInput, objectName, type OutputObject, type UnreadableFile } from './output-objects';
import type { ManifestValidator, SchemaProblem } from './schema-validator';

/** Codes of the schema checks. */
export const SCHEMA_CODES = {
  unreadable: 'MF001',
  schema: 'MF002',
  cel: 'MF003',
  'cel-unevaluable': 'MF004',
  'no-schema': 'MF005',
  'cel-skipped': 'MF006',
} as const;

const FIX: Record<SchemaProblem['type'], string> = {
  schema: 'correct the field as the message says; `kubectl explain` shows the pinned schema',
  cel: 'change the object so the rule holds (the message is the CRD\'s own)',
  'cel-unevaluable': 'the rule could not be checked offline: make sure the object satisfies it, and report the function meshfleet lacks',
  'no-schema': 'use a kind and apiVersion from the pinned CRDs, or a built-in kind meshfleet knows',
  'cel-skipped': 'none needed on create; the rule applies when the object is updated',
};

/** Findings for objects the API server would reject, and files that are not YAML. */
export function schemaFindings(objects: readonly OutputObject[], unreadable: readonly UnreadableFile[], validator: ManifestValidator): Finding[] {
  const findings: Finding[] = unreadable.map((u) => ({
    severity: 'error',
    code: SCHEMA_CODES.unreadable,
    message: `not valid YAML: ${u.message}`,
    cluster: u.file.split('/')[0],
    file: u.file,
    fix: 'fix the YAML syntax of the file',
  }));
  for (const o of objects) {
    if (isIstioctlInput(o)) continue; // istioctl input: no CRD since Istio 1.24, never applied
    for (const problem of validator.validate(o.manifest)) {
      const cut = problem.text.indexOf(': ');
      findings.push({
        severity: problem.type === 'cel-skipped' ? 'info' : problem.type === 'cel-unevaluable' ? 'warning' : 'error',
        code: SCHEMA_CODES[problem.type],
        message: problem.text.slice(cut + 2),
        cluster: o.cluster,
        file: o.file,
        object: objectName(o.manifest),
        path: problem.text.slice(0, cut),
        fix: FIX[problem.type],
      });
    }
  }
  return findings;
}
