/**
 * Test helper: the strict validator of `meshfleet check` (src/check/schema-validator.ts),
 * with its schema bundle derived afresh from the pinned upstream CRDs
 * (../shared/upstream, override with MESHFLEET_UPSTREAM) rather than from the bundle the
 * package ships; __tests__/check-schema-bundle.test.ts asserts the two are identical.
 */
import * as fs from 'fs';
import * as path from 'path';
import { deriveSchemaBundle, type SchemaBundle } from '../../src/check/schema-bundle';
import { ManifestValidator } from '../../src/check/schema-validator';

/** The pinned upstream folder: $MESHFLEET_UPSTREAM, or ../shared/upstream beside the repository. */
export function upstreamDir(): string {
  const dir = process.env.MESHFLEET_UPSTREAM
    ? path.resolve(process.env.MESHFLEET_UPSTREAM)
    : path.resolve(__dirname, '..', '..', '..', 'shared', 'upstream');
  if (!fs.existsSync(dir)) {
    throw new Error(`pinned upstream files not found at ${dir} (set MESHFLEET_UPSTREAM)`);
  }
  return dir;
}

let bundle: SchemaBundle | undefined;
let validator: ManifestValidator | undefined;

/** The schema bundle derived from the pinned upstream files (cached per test file). */
export function upstreamBundle(): SchemaBundle {
  bundle ??= deriveSchemaBundle((file) => fs.readFileSync(path.join(upstreamDir(), file), 'utf8'));
  return bundle;
}

function shared(): ManifestValidator {
  validator ??= new ManifestValidator(upstreamBundle());
  return validator;
}

/**
 * Validate Kubernetes objects strictly, as the API server would on create (CEL rules
 * included; see src/check/schema-validator.ts for what is and is not checked).
 *
 * Returns human-readable problems, empty when every object is valid. Each problem is
 * `<kind>/<namespace>/<name>: <path>: <message>` (`-` for a missing namespace or name).
 * Any apiVersion/kind without a schema (notably `install.istio.io/v1alpha1 IstioOperator`)
 * is reported as `no schema for <apiVersion> <kind>`.
 */
export function validateManifests(objects: readonly any[]): string[] {
  const problems: string[] = [];
  for (const object of objects as readonly unknown[]) {
    const record = typeof object === 'object' && object !== null ? (object as Record<string, any>) : {};
    const meta = typeof record.metadata === 'object' && record.metadata !== null ? record.metadata : {};
    const kindText = typeof record.kind === 'string' ? record.kind : '-';
    const label = `${kindText}/${typeof meta.namespace === 'string' ? meta.namespace : '-'}/${typeof meta.name === 'string' ? meta.name : '-'}`;
    for (const p of shared().validate(object)) problems.push(`${label}: ${p.text}`);
  }
  return problems;
}

/**
 * List the served CRD kinds the validator knows, as `<group>/<version> <Kind>`.
 *
 * Sorted; one entry per served version. Built-in core/v1 kinds are not included.
 */
export function crdKinds(): string[] {
  return upstreamBundle().kinds.map((k) => `${k.apiVersion} ${k.kind}`).sort();
}
