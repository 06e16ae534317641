/**
 * meshfleet as a library: load a topology, render a multi-cluster Istio mesh into your own
 * cdk8s app, or synthesize the per-cluster GitOps directories yourself.
 *
 * @packageDocumentation
 */

// Loading and validating a topology.
export * from './topology';
export { type InvalidTopology, type TopologyProblem, type TopologyResult, type ValidTopology, toProblems, validateTopologyFile, validateTopologyText } from './src/topology-result';

// Rendering into your own app.
export { type LayerCharts, MESH_LAYERS, MeshCluster, type MeshClusterProps, type MeshLayer } from './src/mesh-cluster';
export { MeshFleet, type MeshFleetProps } from './src/mesh-fleet';
export { ClusterStack, type ClusterStackProps, type LayerTargets } from './clusters/cluster-stack';
export { APPLIED_LAYERS, type Layer, LayerChart, type LayerChartProps } from './src/layer-chart';

// The GitOps directory tree `meshfleet synth` writes.
export { type Fleet, buildFleet, synthesizeFleet } from './clusters/fleet';
export { type OutputTree, manifestFileName, toYaml, writeTree } from './src/output';
export { type PublishOptions, type PublishResult, publishTree } from './src/publish';
export { PublishError, type TargetOptions } from './src/publish-target';

// Lower-level constructs.
export { AppNamespaces, type AppNamespacesProps } from './constructs/app-namespaces';
export { RETAINED_NAMESPACE_ANNOTATIONS } from './constructs/retained-namespace';
export { type HelmValues } from './constructs/helm-values';
export { ControlPlaneIstioOperator, type ControlPlaneIstioOperatorProps, EastWestGatewayIstioOperator, type EastWestGatewayIstioOperatorProps } from './constructs/istio-operator';
export { CrossNetworkGateway, type CrossNetworkGatewayProps, hasCrossNetworkGateway } from './constructs/cross-network-gateway';
export { ExposeIstiod, type ExposeIstiodProps } from './constructs/expose-istiod';
export { GlobalDestinationRule, type GlobalDestinationRuleProps } from './constructs/global-destination-rule';
export { IstioSystemNamespace, type IstioSystemNamespaceProps } from './constructs/istio-system-namespace';
export { MeshMtls, type MeshMtlsProps } from './constructs/mesh-mtls';
export { PluginCaCertificate, type PluginCaCertificateProps } from './constructs/plugin-ca-certificate';
export { PluginCaExternalSecret, type PluginCaExternalSecretProps } from './constructs/plugin-ca-external-secret';
export { ReaderToken, type ReaderTokenProps } from './constructs/reader-token';
export { ReaderTokenPush, type ReaderTokenPushProps } from './constructs/reader-token-push';
export { RemoteSecret, type RemoteSecretProps } from './constructs/remote-secret';
export { ServiceAuthorization, type ServiceAuthorizationProps } from './constructs/service-authorization';
