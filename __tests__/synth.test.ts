import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { dump, load, loadAll } from 'js-yaml';
import { RETAINED_NAMESPACE_ANNOTATIONS } from '../constructs/retained-namespace';
import { writeTempTree } from '../src/cli';
import { readInputs } from '../topology/load';
import { Manifest, ROOT, synthFile, synthText, Synthesized } from './support/synth';
import { validateManifests } from './support/crd-schema';

const EXAMPLES = ['examples/docs-multi-primary.yaml', 'examples/global-fleet.yaml', 'examples/production.yaml'];

const key = (m: Manifest) => `${m.apiVersion} ${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}`;

/** The manifests a kustomize directory lists, following nested kustomization directories. */
function listedManifests(out: Synthesized, dir: string): Manifest[] {
  const kustomization = load(out.tree.get(`${dir}/kustomization.yaml`)!) as { resources: string[] };
  return kustomization.resources.flatMap((entry) => {
    const file = `${dir}/${entry}`;
    return out.tree.has(`${file}/kustomization.yaml`) ? listedManifests(out, file) : (loadAll(out.tree.get(file)!) as Manifest[]);
  });
}

/** The example with every author-ordered set reversed: clusters, services, runsIn, consumers, namespaces. */
function reordered(file: string): string {
  const doc = load(readFileSync(path.join(ROOT, file), 'utf8')) as any;
  doc.clusters.reverse();
  for (const c of doc.clusters) c.namespaces?.reverse();
  doc.services.reverse();
  for (const s of doc.services) {
    s.runsIn.reverse();
    s.consumers?.reverse();
    if (s.weights) s.weights = Object.fromEntries(Object.entries(s.weights).reverse());
  }
  return dump(doc);
}

describe.each(EXAMPLES)('synthesizing %s', (file) => {
  const out = synthFile(file);

  test('is byte-identical when synthesized twice', () => {
    expect(synthFile(file).tree).toEqual(out.tree);
  });

  test('does not depend on the order clusters, services and consumers are listed in', () => {
    const text = reordered(file);
    const other = synthText(text, file, readInputs(text, path.dirname(path.join(ROOT, file)))).tree;
    expect([...other.keys()]).toEqual([...out.tree.keys()]);
    for (const [name, content] of out.tree) expect(other.get(name)).toBe(content);
  });

  test('writes one directory per cluster', () => {
    const dirs = new Set(out.files().map((f) => f.split('/')[0]));
    for (const cluster of out.topology.clusters) expect(dirs).toContain(cluster.name);
  });

  test('every object is accepted by the pinned schemas (strict: unknown fields are errors)', () => {
    const applied = out.manifests().filter((m) => m.kind !== 'IstioOperator');
    expect(applied.length).toBeGreaterThan(0);
    expect(validateManifests(applied)).toEqual([]);
  });

  test('gives every object an explicit name without hash suffixes', () => {
    for (const m of out.manifests()) {
      expect(m.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      expect(m.metadata.name).not.toMatch(/-[0-9a-f]{8}$/);
    }
  });

  test('labels istio-system with the cluster network everywhere', () => {
    for (const cluster of out.topology.clusters) {
      const ns = out.get(`${cluster.name}/platform/`, 'Namespace', 'istio-system');
      expect(ns.metadata.labels).toMatchObject({ 'topology.istio.io/network': cluster.network });
    }
  });

  test('enforces STRICT mTLS mesh-wide in every primary, and configures no remote', () => {
    for (const cluster of out.topology.clusters) {
      const prefix = `${cluster.name}/`;
      if (cluster.role === 'primary') {
        const pa = out.get(prefix, 'PeerAuthentication', 'default', 'istio-system');
        expect(pa.spec).toEqual({ mtls: { mode: 'STRICT' } });
        expect(pa.spec.selector).toBeUndefined();
      } else {
        // A remote's istiod config comes from its primary; its own mesh/ layer may only
        // hold core objects that need the control plane first (the reader token Secret).
        const istioConfig = out.manifests(`${prefix}mesh/`).filter((m) => m.apiVersion.includes('.istio.io/'));
        expect(istioConfig).toEqual([]);
      }
    }
  });

  test('every kustomize directory builds with kubectl kustomize, to exactly the objects it lists', () => {
    const dir = writeTempTree(out.tree);
    const roots = out.files().filter((f) => f.endsWith('kustomization.yaml')).map((f) => path.dirname(f));
    expect(roots.length).toBeGreaterThan(0);
    for (const root of roots) {
      const built = loadAll(execFileSync('kubectl', ['kustomize', path.join(dir, root)], { encoding: 'utf8' })) as Manifest[];
      expect(built.map(key).sort()).toEqual(listedManifests(out, root).map(key).sort());
    }
  });
});

describe('the docs example (Istio multi-primary, multi-network)', () => {
  const out = synthFile('examples/docs-multi-primary.yaml');

  test.each(['cluster1', 'cluster2'])('%s matches the reviewed snapshot', (cluster) => {
    const files = out.files(`${cluster}/`).sort();
    const text = files.map((f) => `--- ${f}\n${out.tree.get(f)}`).join('\n');
    expect(text).toMatchSnapshot();
  });

  test('remote clusters are annotated with their control plane', () => {
    const fleet = synthFile('examples/global-fleet.yaml');
    expect(fleet.get('west-edge/platform/', 'Namespace', 'istio-system').metadata.annotations).toEqual({
      'topology.istio.io/controlPlaneClusters': 'west',
      ...RETAINED_NAMESPACE_ANNOTATIONS,
    });
    expect(fleet.get('eu-edge/platform/', 'Namespace', 'istio-system').metadata.labels).toEqual({
      'topology.istio.io/network': 'net-eu-edge',
    });
    expect(fleet.get('east/platform/', 'Namespace', 'istio-system').metadata.annotations).toEqual(RETAINED_NAMESPACE_ANNOTATIONS);
  });
});
