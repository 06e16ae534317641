/**
 * `meshfleet init`: a commented starter topology for one of Istio's multicluster models.
 */

/** The deployment models `meshfleet init --model` writes a starter for. */
export const INIT_MODELS = ['multi-primary', 'primary-remote'] as const;
/** One of {@link INIT_MODELS}. */
export type InitModel = (typeof INIT_MODELS)[number];

const HEADER = `# A meshfleet topology: edit it, then
#   npx meshfleet validate --topology <this file>
#   npx meshfleet synth --topology <this file> --out clusters
# Every field is described in meshfleet's README ("Topology reference").
apiVersion: meshfleet.dev/v1alpha1
kind: MeshTopology
mesh:
  id: mesh1                         # global.meshID, the same in every cluster
  istio:
    version: "1.30.3"               # Istio chart version (1.26.0 to 1.30.x); quote it
`;

const CLUSTERS: Record<InitModel, string> = {
  'multi-primary': `# Multi-primary on different networks: every cluster runs its own istiod, and traffic
# between networks goes through each cluster's east-west gateway.
# https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/
clusters:
  - name: cluster1                  # global.multiCluster.clusterName
    role: primary
    network: network1               # clusters on one network reach each other's pods directly
    region: region1                 # topology.kubernetes.io/region of the nodes (failover)
    apiServer: https://cluster1.example.com:6443   # how other clusters' istiod read this one
  - name: cluster2
    role: primary
    network: network2
    region: region2
    apiServer: https://cluster2.example.com:6443
`,
  'primary-remote': `# Primary-remote on different networks: cluster2 has no istiod of its own; cluster1's
# istiod configures it through cluster1's east-west gateway.
# https://istio.io/latest/docs/setup/install/multicluster/primary-remote_multi-network/
clusters:
  - name: cluster1                  # global.multiCluster.clusterName
    role: primary
    network: network1
    region: region1                 # topology.kubernetes.io/region of the nodes (failover)
    apiServer: https://cluster1.example.com:6443
    eastWestGateway:
      address: 203.0.113.10         # fixed IP or DNS name the remote reaches istiod through
  - name: cluster2
    role: remote
    controlPlane: cluster1          # the primary whose istiod serves this cluster
    network: network2
    region: region2
    apiServer: https://cluster2.example.com:6443   # how cluster1's istiod reads this cluster
`,
};

const REST = `services:
  - name: helloworld                # a service that runs in both clusters
    namespace: sample
    ports:
      - { name: http, number: 5000, protocol: HTTP }
    runsIn: [cluster1, cluster2]
    consumers:                      # who may call it (AuthorizationPolicy)
      - { namespace: sample, serviceAccount: curl }
    failover:                       # where traffic goes when a region's endpoints fail
      - { from: region1, to: region2 }
      - { from: region2, to: region1 }
trust:                              # the shared root of trust: cacerts in every primary
  provider: cert-manager            # existing | cert-manager | external-secrets
  certManager:
    issuer: { name: mesh-root, kind: ClusterIssuer }
credentials:                        # remote secrets istiod reads other clusters with
  provider: external-secrets        # existing | external-secrets
  externalSecrets:
    store: { name: mesh-secrets, kind: ClusterSecretStore }
    key: meshfleet/{cluster}/reader
delivery:
  git:                              # the repository and directory Flux applies
    url: https://github.com/example/gitops.git
    branch: main
    path: clusters                  # the directory meshfleet synth --out writes
  flux:
    mode: per-cluster               # per-cluster | management
`;

/** The starter topology text for a model. */
export function starterTopology(model: InitModel): string {
  return HEADER + CLUSTERS[model] + REST;
}
