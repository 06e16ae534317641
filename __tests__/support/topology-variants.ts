/**
 * The role and topology variants the real-Helm tests render: every shape of control plane
 * meshfleet generates (multi-primary on several networks and on one, primary-remote on one
 * network and on two, revisions and canaries, ClusterIP gateways, Flux per cluster and in
 * management mode) and the production example's user values, each with Flux and Argo CD both
 * on, so every HelmRelease and every Argo CD Helm source is covered.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { dump, load } from 'js-yaml';
import { ROOT, Synthesized, synthFile, synthText } from './synth';

function docsEdited(edit: (doc: any) => void): string {
  const doc = load(readFileSync(path.join(ROOT, 'examples/docs-multi-primary.yaml'), 'utf8')) as any;
  edit(doc);
  return dump(doc);
}

const remote = (name: string, network: string, controlPlane = 'cluster1') => ({
  name,
  role: 'remote',
  controlPlane,
  network,
  region: 'region1',
  apiServer: `https://${name}.example.com:6443`,
  namespaces: ['sample'],
});

/** Topology text of each variant, by label. */
export const VARIANT_TOPOLOGIES: Readonly<Record<string, () => string>> = {
  'multi-primary, two networks (docs example)': () => readFileSync(path.join(ROOT, 'examples/docs-multi-primary.yaml'), 'utf8'),
  'global fleet, management mode (fleet example)': () => readFileSync(path.join(ROOT, 'examples/global-fleet.yaml'), 'utf8'),
  'production example (user Helm values, gateway Service settings, patches, own objects)': () => readFileSync(path.join(ROOT, 'examples/production.yaml'), 'utf8'),
  'multi-primary, one network': () =>
    docsEdited((d) => {
      d.clusters[1].network = 'network1';
    }),
  'primary-remote, two networks': () =>
    docsEdited((d) => {
      d.clusters[0].eastWestGateway = { address: '192.0.2.10' };
      d.clusters[1] = { ...d.clusters[1], role: 'remote', controlPlane: 'cluster1' };
    }),
  'primary-remote, one network': () =>
    docsEdited((d) => {
      d.clusters[0].eastWestGateway = { address: '192.0.2.10' };
      d.clusters[1] = { ...d.clusters[1], role: 'remote', controlPlane: 'cluster1', network: 'network1' };
    }),
  'revision and canary with a remote': () =>
    docsEdited((d) => {
      d.mesh.istio = { version: '1.30.3', revision: '1-30-3', canary: { revision: '1-30-3-canary', namespaces: ['sample'] } };
      d.clusters[0].eastWestGateway = { address: '192.0.2.10' };
      d.clusters.push(remote('cluster3', 'network3'));
    }),
  'ClusterIP gateway with an IPv6 address serving a remote, management mode': () =>
    docsEdited((d) => {
      d.clusters[0].eastWestGateway = { serviceType: 'ClusterIP', address: '2001:db8::10' };
      d.clusters.push(remote('cluster3', 'network1'));
      d.delivery.flux = { mode: 'management', managementCluster: 'cluster2' };
    }),
};

/** Every variant, synthesized. */
export function synthVariants(): ReadonlyArray<[string, Synthesized]> {
  return Object.entries(VARIANT_TOPOLOGIES).map(([label, text]) => [
    label,
    label.includes('fleet example') ? synthFile('examples/global-fleet.yaml')
      : label.includes('production example') ? synthFile('examples/production.yaml')
        : synthText(text()),
  ]);
}
