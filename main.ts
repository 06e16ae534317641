/**
 * cdk8s entry point: `npx cdk8s synth` runs this file.
 *
 * It synthesizes the topology named by MESHFLEET_TOPOLOGY (default: the bundled
 * Istio-docs example) into MESHFLEET_OUT (default: dist/), replacing it atomically.
 * A topology problem prints every problem with its location and exits non-zero, with
 * dist/ left as it was.
 */
import { rmSync } from 'node:fs';
import { run } from './src/cli';

const code = run(['synth'], process.env);
const scratch = process.env.CDK8S_OUTDIR;
if (code !== 0 && scratch) {
  // Under `cdk8s synth`, a non-zero exit makes the cdk8s CLI print its own stack trace
  // after our report. Leaving its scratch directory absent makes it fail cleanly instead
  // ("synthesis failed, app expected to create …", exit 1), so the report stays readable.
  rmSync(scratch, { recursive: true, force: true });
} else {
  process.exitCode = code;
}
