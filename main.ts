/**
 * cdk8s entry point: `npx cdk8s synth` runs this file.
 *
 * It synthesizes the topology named by MESHFLEET_TOPOLOGY (default: the bundled
 * Istio-docs example) into MESHFLEET_OUT (default: dist/), replacing it atomically.
 * A topology problem prints every problem with its location and exits non-zero, with
 * dist/ left as it was.
 */
import { run } from './src/cli';

process.exitCode = run(['synth'], process.env);
