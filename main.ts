/**
 * cdk8s entry point: `npx cdk8s synth` runs this file.
 *
 * It synthesizes the topology named by MESHFLEET_TOPOLOGY (default: the bundled
 * Istio-docs example) into MESHFLEET_OUT (default: dist/), writing only the files that
 * changed (see src/publish.ts). A topology problem prints every problem with its location
 * and exits non-zero, with dist/ left as it was. The cdk8s CLI's own scratch directory
 * (CDK8S_OUTDIR, `output:` in cdk8s.yaml) gets one placeholder file, not a copy of the output.
 */
import { rmSync } from 'node:fs';
import { run } from './src/cli';

const scratch = process.env.CDK8S_OUTDIR;
const code = run(['synth'], process.env, { outdir: scratch });
if (code !== 0 && scratch) {
  // Under `cdk8s synth`, a non-zero exit makes the cdk8s CLI print its own stack trace
  // after our report. Leaving its scratch directory absent makes it fail cleanly instead
  // ("synthesis failed, app expected to create …", exit 1), so the report stays readable.
  rmSync(scratch, { recursive: true, force: true });
} else {
  process.exitCode = code;
}
