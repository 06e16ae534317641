/**
 * What the docs promise about Istio, Flux and Argo CD behaviour (issue 14 items 3, 4, 8, 12, 14),
 * checked against the pinned charts with real Helm where the claim is about the charts.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { dump } from 'js-yaml';
import { renderChart } from './support/helm';
import { ROOT } from './support/synth';

const doc = (name: string) => readFileSync(path.join(ROOT, name), 'utf8').replace(/\s+/g, ' ');
const CONTROL_PLANE = doc('docs/control-plane.md');
const DELIVERY = doc('docs/delivery.md');
const GLOBAL_SERVICES = doc('docs/global-services.md');
const README = doc('README.md');

describe('pilot.* values (item 4)', () => {
  const istiod = (values: object) => renderChart({ chart: 'istiod', releaseName: 'istiod', namespace: 'istio-system', values });
  const remote = { profile: 'remote', global: { remotePilotAddress: '192.0.2.10', configCluster: true } };

  test('the 1.30 chart copies .pilot onto the root: pilot.env reaches istiod\'s Deployment on a primary', () => {
    const deployment = istiod({ pilot: { env: { EXTERNAL_ISTIOD: 'true' } } }).find((o) => o.kind === 'Deployment')!;
    expect(deployment.spec.template.spec.containers[0].env).toContainEqual({ name: 'EXTERNAL_ISTIOD', value: 'true' });
  });

  test('on a remote, pilot.enabled=false and pilot.env.EXTERNAL_ISTIOD=true change nothing but the values record', () => {
    // ConfigMap `values` records the merged values "for debugging purposes and external tooling;
    // modifying these values has no effect" (its own description).
    const effective = (values: object) => dump(istiod(values).filter((o) => !(o.kind === 'ConfigMap' && o.metadata.name === 'values')), { sortKeys: true });
    const plain = effective(remote);
    const withPilot = effective({ ...remote, pilot: { enabled: false, env: { EXTERNAL_ISTIOD: 'true' } } });
    expect(withPilot).toBe(plain);
  });

  test('docs/control-plane.md gives that reason, not "not a chart path"', () => {
    expect(CONTROL_PLANE).toContain('copies everything under `.pilot` onto the root (`templates/zzy_descope_legacy.yaml`)');
    expect(CONTROL_PLANE).not.toContain('is not a chart path');
  });
});

describe('delivery docs', () => {
  test('item 3: IST0173 for the per-cluster subsets that remain is explained', () => {
    expect(GLOBAL_SERVICES).toContain('**Subsets exist only where a route uses them**');
    expect(GLOBAL_SERVICES).toContain('IST0173');
  });

  test('item 8: the controller\'s sync timeout and terminate-op for a wave that never becomes healthy', () => {
    expect(DELIVERY).toContain('### A wave that never becomes healthy');
    expect(DELIVERY).toContain('`controller.sync.timeout.seconds`');
    expect(DELIVERY).toContain('`argocd app terminate-op meshfleet-<cluster>`');
  });

  test('item 12: per-cluster Flux prunes nothing when a cluster is removed, and the runbook says what to do', () => {
    expect(DELIVERY).toContain('**Flux, per-cluster mode: nothing is pruned.**');
    expect(DELIVERY).toContain('Runbook for per-cluster mode');
    expect(DELIVERY).not.toContain('Removing a cluster from the topology prunes its child Applications (Argo CD) or Kustomizations (Flux)');
  });

  test('item 14 and item 5: minimum versions, cross-namespace refs', () => {
    for (const text of [DELIVERY, README]) {
      expect(text).toMatch(/Flux 2\.7\.5/);
      expect(text).toMatch(/helm-controller v1\.4\.5/);
      expect(text).toMatch(/Argo CD 3\.2/);
      expect(text).toContain('--no-cross-namespace-refs');
    }
  });

  test('items 7 and 11: removal keeps Istio (Argo CD); one owner of flux/ with deletionPolicy Orphan (Flux)', () => {
    expect(DELIVERY).toContain('**Istio stays installed**');
    expect(DELIVERY).toContain('**and generates no `<cluster>-flux`**');
    expect(DELIVERY).toMatch(/metadata: \{name: <cluster>-flux, namespace: flux-system\} spec: interval: 10m path: \.\/dist\/<cluster>\/flux prune: true deletionPolicy: Orphan/);
  });
});
