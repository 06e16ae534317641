/**
 * `meshfleet init`: a commented starter topology for one of Istio's multi-cluster models.
 *
 * Pure: returns the text; the CLI writes it (and refuses to overwrite a file).
 */
import { TOPOLOGY_API_VERSION, TOPOLOGY_KIND } from '../topology';

/** The deployment models `meshfleet init` starts from, named as istio.io names its install guides. */
export const STARTER_MODELS = ['multi-primary', 'multi-network', 'primary-remote', 'primary-remote-multi-network'] as const;
/** One of {@link STARTER_MODELS}. */
export type StarterModel = (typeof STARTER_MODELS)[number];

interface ModelText {
  readonly title: string;
  readonly guide: string;
  readonly explain: string;
  readonly clusters: string;
}

const MODELS: Record<StarterModel, ModelText> = {
  'multi-primary': {
    title: 'Multi-primary: every cluster runs its own istiod; all share one network',
    guide: 'https://istio.io/latest/docs/setup/install/multicluster/multi-primary/',
    explain: 'Pods reach each other directly, so traffic needs no gateway; each istiod reads the\n# other clusters\' API servers for endpoints.',
    clusters: `clusters:
  - name: cluster1                # DNS label; global.multiCluster.clusterName
    role: primary                 # runs istiod
    network: network1             # the same network: pods reach each other directly
    region: region1               # topology.kubernetes.io/region of the nodes (used for failover)
    apiServer: https://cluster1.example.com:6443   # how the other clusters' istiod reads this one
  - name: cluster2
    role: primary
    network: network1
    region: region2
    apiServer: https://cluster2.example.com:6443
`,
  },
  'multi-network': {
    title: 'Multi-primary on different networks: every cluster runs its own istiod and sits on its own network',
    guide: 'https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/',
    explain: 'Cross-network traffic goes through each cluster\'s east-west gateway (port 15443,\n# AUTO_PASSTHROUGH), whose address istiod reads from its LoadBalancer Service.',
    clusters: `clusters:
  - name: cluster1                # DNS label; global.multiCluster.clusterName
    role: primary                 # runs istiod
    network: network1             # global.network: its own network
    region: region1               # topology.kubernetes.io/region of the nodes (used for failover)
    apiServer: https://cluster1.example.com:6443   # how the other clusters' istiod reads this one
    # eastWestGateway:            # default: a LoadBalancer Service whose address istiod discovers
    #   address: 203.0.113.10     # or a fixed IP / DNS name
  - name: cluster2
    role: primary
    network: network2
    region: region2
    apiServer: https://cluster2.example.com:6443
`,
  },
  'primary-remote': {
    title: 'Primary-remote: cluster1 runs istiod for itself and the remote cluster2; both share one network',
    guide: 'https://istio.io/latest/docs/setup/install/multicluster/primary-remote/',
    explain: 'The remote reaches istiod through the primary\'s east-west gateway, which needs a fixed IP\n# (a host name breaks the remote\'s sidecar injector; see docs/control-plane.md).',
    clusters: `clusters:
  - name: cluster1                # DNS label; global.multiCluster.clusterName
    role: primary                 # runs istiod, also for cluster2
    network: network1
    region: region1               # topology.kubernetes.io/region of the nodes (used for failover)
    apiServer: https://cluster1.example.com:6443
    eastWestGateway:
      address: 203.0.113.10       # required: the fixed IP remotes reach istiod at (global.remotePilotAddress)
  - name: cluster2
    role: remote                  # no istiod: uses its controlPlane's
    controlPlane: cluster1
    network: network1             # the same network as its primary
    region: region1
    apiServer: https://cluster2.example.com:6443   # istiod in cluster1 reads this cluster's API
`,
  },
  'primary-remote-multi-network': {
    title: 'Primary-remote on different networks: cluster1 runs istiod for itself and the remote cluster2, on another network',
    guide: 'https://istio.io/latest/docs/setup/install/multicluster/primary-remote_multi-network/',
    explain: 'The remote reaches istiod, and services cross networks, through the east-west gateways;\n# the primary\'s needs a fixed IP (a host name breaks the remote\'s sidecar injector).',
    clusters: `clusters:
  - name: cluster1                # DNS label; global.multiCluster.clusterName
    role: primary                 # runs istiod, also for cluster2
    network: network1
    region: region1               # topology.kubernetes.io/region of the nodes (used for failover)
    apiServer: https://cluster1.example.com:6443
    eastWestGateway:
      address: 203.0.113.10       # required: the fixed IP remotes reach istiod at (global.remotePilotAddress)
  - name: cluster2
    role: remote                  # no istiod: uses its controlPlane's
    controlPlane: cluster1
    network: network2             # its own network: traffic crosses through the east-west gateways
    region: region1
    apiServer: https://cluster2.example.com:6443   # istiod in cluster1 reads this cluster's API
`,
  },
};

/** Options of {@link starterTopology}. */
export interface StarterOptions {
  /** The multi-cluster model. */
  readonly model: StarterModel;
  /**
   * Where the topology's JSON Schema is, relative to the written file (or a URL), for the
   * `# yaml-language-server: $schema=` comment editors read.
   */
  readonly schema: string;
}

/** The text of a commented starter topology that loads as it is. */
export function starterTopology(options: StarterOptions): string {
  const m = MODELS[options.model];
  return `# yaml-language-server: $schema=${options.schema}
# ${m.title}.
# ${m.guide}
# ${m.explain}
#
# Rename the clusters, networks and regions to yours, then \`meshfleet validate --topology <this file>\`.
# Every field, its default and what it becomes: the README's "Topology reference".
apiVersion: ${TOPOLOGY_API_VERSION}
kind: ${TOPOLOGY_KIND}
mesh:
  id: mesh1                       # global.meshID, the same in every cluster
  # trustDomain: cluster.local    # meshConfig.trustDomain
  # istio:
  #   version: "1.30.3"           # chart version (quote it)
${m.clusters}services:                         # services shared across clusters
  - name: helloworld
    namespace: sample
    ports:
      - { name: http, number: 5000, protocol: HTTP }
    runsIn: [cluster1, cluster2]  # clusters running its workloads
    consumers:                    # who may call it (AuthorizationPolicy)
      - { namespace: sample, serviceAccount: curl }
trust:
  provider: existing              # you create the cacerts Secret from one shared root;
                                  # or cert-manager / external-secrets (see the README)
# delivery:                       # commit the output and let Flux or Argo CD apply it
#   git: { url: https://github.com/example/mesh-fleet.git, branch: main, path: dist }
#   flux: { mode: per-cluster }
`;
}
