/**
 * A team's own cdk8s app that uses meshfleet as a construct library: meshfleet renders
 * cluster1's share of the mesh, and the team adds its helloworld workload next to it.
 *
 *   npx tsc && npx cdk8s synth     # (cdk8s.yaml: `app: node main.js`)
 *
 * The topology comes from MESHFLEET_TOPOLOGY (default: topology.yaml in the working directory).
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { MeshCluster, Topology, validateTopologyFile } from 'meshfleet';

/** Properties of the team's own chart. */
export interface HelloworldProps {
  /** Namespace of the workload; meshfleet creates it, labelled for sidecar injection. */
  readonly namespace: string;
  /** Container port of the `http` service port. */
  readonly port: number;
}

/** The team's workload: a Deployment and its Service, nothing mesh-specific. */
export class Helloworld extends Chart {
  constructor(scope: Construct, id: string, props: HelloworldProps) {
    super(scope, id, { namespace: props.namespace, disableResourceNameHashes: true });
    const labels = { app: 'helloworld' };
    new ApiObject(this, 'deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'helloworld' },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'helloworld', image: 'docker.io/istio/examples-helloworld-v1:1.0', ports: [{ containerPort: props.port }] }] },
        },
      },
    });
    new ApiObject(this, 'service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'helloworld' },
      spec: { selector: labels, ports: [{ name: 'http', port: props.port }] },
    });
  }
}

/**
 * Builds the app: meshfleet's layers for `cluster` (one chart per layer, under the
 * `mesh` construct), then the team's chart, applied after the mesh's namespaces.
 */
export function buildApp(topology: Topology, cluster: string, outdir: string): App {
  const app = new App({ outdir });
  const mesh = new MeshCluster(app, 'mesh', { topology, cluster });
  const team = new Helloworld(app, 'helloworld', { namespace: 'sample', port: 5000 });
  team.addDependency(mesh.chart('platform'));
  return app;
}

if (require.main === module) {
  const result = validateTopologyFile(process.env.MESHFLEET_TOPOLOGY ?? 'topology.yaml');
  if (!result.ok) {
    for (const p of result.problems) console.error(`${p.file}:${p.line ?? 0}:${p.column ?? 0}: ${p.path}: ${p.message}`);
    process.exit(1);
  }
  buildApp(result.topology, 'cluster1', process.env.CDK8S_OUTDIR ?? 'dist').synth();
}
