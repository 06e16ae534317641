/**
 * Where Flux applies a cluster's objects from (constructs/flux-kubeconfig.ts) on its own: the
 * delivery suite checks the management-mode fleet; these are the other documented cases.
 */
import { fluxHostCluster, fluxKubeConfig } from '../constructs/flux-kubeconfig';
import { Delivery } from '../topology';

const GIT = { url: 'https://git.example.com/fleet.git', branch: 'main', path: 'dist' };
const FLUX = { namespace: 'flux-system', interval: '10m', gitRepository: 'meshfleet' };

describe('fluxHostCluster and fluxKubeConfig', () => {
  test('with Flux off (Argo CD only) each cluster is its own host and no kubeconfig is set', () => {
    const delivery: Delivery = { git: GIT, argocd: { namespace: 'argocd', project: 'meshfleet' } };
    expect(fluxHostCluster(delivery, 'west')).toBe('west');
    expect(fluxKubeConfig(delivery, 'west')).toBeUndefined();
  });

  test('in per-cluster mode Flux runs in every cluster: no kubeconfig', () => {
    const delivery: Delivery = { git: GIT, flux: { ...FLUX, mode: 'per-cluster' } };
    expect(fluxHostCluster(delivery, 'west')).toBe('west');
    expect(fluxKubeConfig(delivery, 'west')).toBeUndefined();
  });

  test('in management mode the management cluster hosts every cluster; the others get Secret <cluster>-kubeconfig, key value', () => {
    const delivery: Delivery = { git: GIT, flux: { ...FLUX, mode: 'management', managementCluster: 'hub' } };
    expect(fluxHostCluster(delivery, 'west')).toBe('hub');
    expect(fluxHostCluster(delivery, 'hub')).toBe('hub');
    expect(fluxKubeConfig(delivery, 'west')).toEqual({ secretRef: { name: 'west-kubeconfig', key: 'value' } });
    expect(fluxKubeConfig(delivery, 'hub')).toBeUndefined();
  });
});
