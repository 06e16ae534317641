/**
 * The published package, used the way README.md's "Use it from your GitOps repository" says:
 * `npm pack`, install the tarball into a fresh repository outside this checkout, then run the
 * CLI there, synthesize a user's cdk8s app that uses the library, and type-check user code
 * against the published types. Needs the npm registry (or a warm npm cache).
 */
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadAll } from 'js-yaml';
import { filesUnder } from './support/files';
import { ROOT } from './support/synth';

const TYPES_NODE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).devDependencies['@types/node'] as string;
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const CDK8S = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');

/** The environment without the npm_* variables of an enclosing `npm test`. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toLowerCase().startsWith('npm_') && !k.startsWith('MESHFLEET_')) env[k] = v;
  return { ...env, CDK8S_CHECK_UPGRADE: 'false', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...extra };
}

function sh(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: cleanEnv(env), timeout: 240_000 });
}

function ok(result: SpawnSyncReturns<string>): SpawnSyncReturns<string> {
  if (result.status !== 0) throw new Error(`exit ${result.status}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result;
}

describe('the packed package, installed into a fresh GitOps repository', () => {
  let repo: string;
  let packed: string[];

  beforeAll(() => {
    const work = mkdtempSync(path.join(tmpdir(), 'meshfleet-pack-'));
    const pack = JSON.parse(ok(sh('npm', ['pack', '--json', '--pack-destination', work], ROOT)).stdout) as { filename: string; files: { path: string }[] }[];
    packed = pack[0].files.map((f) => f.path).sort();
    repo = path.join(work, 'gitops');
    mkdirSync(repo);
    writeFileSync(path.join(repo, 'package.json'), `${JSON.stringify({ name: 'gitops', version: '1.0.0', private: true }, null, 2)}\n`);
    // README: npm install --save-dev <meshfleet> (plus @types/node for the TypeScript app)
    ok(sh('npm', ['install', '--save-dev', '--prefer-offline', path.join(work, pack[0].filename), `@types/node@${TYPES_NODE}`], repo));
  }, 300_000);

  test('holds compiled JavaScript and type declarations, and no tests, example output or TypeScript sources', () => {
    expect(packed).toContain('lib/index.js');
    expect(packed).toContain('lib/index.d.ts');
    expect(packed).toContain('lib/src/cli.js');
    expect(packed).toContain('lib/imports/istio-networking.istio.io.js');
    expect(packed).toContain('bin/meshfleet.js');
    expect(packed).toContain('examples/docs-multi-primary.yaml');
    // The check's validators, precompiled at build time (scripts/build-validators.js).
    expect(packed).toEqual(expect.arrayContaining([
      'lib/src/check/validators/index.js',
      'lib/src/check/validators/networking.istio.io_v1_VirtualService.js',
      'lib/src/check/validators/istio-chart-gateway.js',
    ]));
    for (const file of packed) {
      expect(file).not.toMatch(/^(__tests__|dist|scripts|\.ci)\//);
      expect(file).not.toMatch(/(?<!\.d)\.ts$/);
      expect(file).not.toMatch(/^lib\/main\./);
      expect(file).not.toMatch(/tsbuildinfo|\.tgz$/);
    }
  });

  test('the installed check loads its precompiled validators (nothing left to compile for the example)', () => {
    const precompiled = path.join(repo, 'node_modules', 'meshfleet', 'lib', 'src', 'check', 'precompiled.js');
    const script = `const lookup = require(${JSON.stringify(precompiled)}).shippedPrecompiledValidators();
      process.stdout.write(JSON.stringify(['networking.istio.io/v1 VirtualService', 'argoproj.io/v1alpha1 ApplicationSet', 'v1 Secret', 'istio-chart:gateway']
        .map((key) => Object.keys(lookup(key)).sort())));`;
    expect(JSON.parse(ok(sh(process.execPath, ['-e', script], repo)).stdout)).toEqual([['$root', 'spec'], ['$root', 'spec'], ['$root', 'data', 'immutable', 'stringData', 'type'], ['values']]);
  });

  test('declares main, types and exports that point at files in the package', () => {
    const pkg = JSON.parse(readFileSync(path.join(repo, 'node_modules', 'meshfleet', 'package.json'), 'utf8'));
    expect(pkg.main).toBe('lib/index.js');
    expect(pkg.types).toBe('lib/index.d.ts');
    expect(pkg.exports['.']).toEqual({ types: './lib/index.d.ts', default: './lib/index.js' });
    expect(packed).toContain(pkg.main);
    expect(packed).toContain(pkg.types);
  });

  test('needs nothing from the checkout or from dev dependencies at run time', () => {
    const installed = path.join(repo, 'node_modules', 'meshfleet');
    for (const file of filesUnder(installed).filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(path.join(installed, file), 'utf8');
      expect({ file, shared: /require\([^)]*shared/.test(code) }).toEqual({ file, shared: false });
      expect({ file, devTools: /require\("(ts-node|@swc\/core|typescript)"\)/.test(code) }).toEqual({ file, devTools: false });
    }
    for (const devOnly of ['ts-node', '@swc/core', 'typescript', 'jest']) expect(existsSync(path.join(repo, 'node_modules', devOnly))).toBe(false);
  });

  test('npx meshfleet synth writes the topology into the repository, and check passes then fails on stale output', () => {
    // The README's commands
    ok(sh('npx', ['meshfleet', 'init', '--model', 'multi-network', '--file', 'mesh.yaml'], repo));
    const synth = ok(sh('npx', ['meshfleet', 'synth', '--topology', 'mesh.yaml', '--out', 'clusters'], repo));
    const check = sh('npx', ['meshfleet', 'check', '--topology', 'mesh.yaml', '--out', 'clusters'], repo);

    expect(synth.stdout).toMatch(/^meshfleet: 2 clusters \(cluster1, cluster2\), \d+ objects, \d+ files \(\d+ written, 0 removed\) -> clusters\/ in /);
    expect(readdirSync(path.join(repo, 'clusters')).sort()).toEqual(['.meshfleet', 'MESH.md', 'cluster1', 'cluster2', 'meshfleet-plan.json', 'verify-mesh.sh']);
    expect(check.status).toBe(0);
    expect(check.stdout).toBe('meshfleet: clusters/ is up to date with mesh.yaml and passes every check\n');

    const topology = readFileSync(path.join(repo, 'mesh.yaml'), 'utf8');
    expect(topology).toContain('network: network2');
    writeFileSync(path.join(repo, 'mesh.yaml'), topology.replace('network: network2', 'network: network3'));
    const stale = sh('npx', ['meshfleet', 'check', '--topology', 'mesh.yaml', '--out', 'clusters'], repo);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('meshfleet: clusters/ is stale; run `npx meshfleet synth --topology mesh.yaml --out clusters` and commit\n');
    expect(stale.stderr).toContain('error MF010 cluster2/platform/namespace.istio-system.yaml: differs');
  });

  test('npx meshfleet --version prints the packed version', () => {
    const version = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
    expect(ok(sh('npx', ['meshfleet', '--version'], repo)).stdout).toBe(`${version}\n`);
  });

  test("a user's cdk8s app type-checks against the published types and synthesizes with cdk8s", () => {
    // GIVEN the example app, as a team would copy it into its repository
    const app = path.join(repo, 'app');
    mkdirSync(app);
    for (const file of ['main.ts', 'tsconfig.json', 'cdk8s.yaml']) copyFileSync(path.join(ROOT, 'examples', 'library-app', file), path.join(app, file));
    copyFileSync(path.join(ROOT, 'examples', 'docs-multi-primary.yaml'), path.join(app, 'topology.yaml'));

    // WHEN it is compiled (type-checked) and synthesized: `npx tsc && npx cdk8s synth`
    ok(sh(process.execPath, [TSC, '-p', '.'], app));
    const synth = ok(sh(process.execPath, [CDK8S, 'synth'], app));

    // THEN dist/ holds meshfleet's layers for cluster1 and the team's chart
    expect(synth.stdout).toContain('Synthesizing application');
    const files = readdirSync(path.join(app, 'dist')).sort();
    expect(files).toHaveLength(6);
    const objects = files.flatMap((f) => loadAll(readFileSync(path.join(app, 'dist', f), 'utf8')) as { kind: string; metadata: { name: string; namespace?: string } }[]);
    const names = objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(names).toEqual(expect.arrayContaining(['Deployment sample/helloworld', 'Namespace /sample', 'Namespace /istio-system', 'PeerAuthentication istio-system/default']));
  });

  test('the published types reject a wrong use of the library', () => {
    const dir = path.join(repo, 'typecheck');
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, 'wrong.ts'),
      `import { App } from 'cdk8s';
import { MeshCluster, validateTopologyText } from 'meshfleet';
const result = validateTopologyText('', 'x.yaml');
if (result.ok) new MeshCluster(new App(), 'c', { topology: result.topology, cluster: 42 });
const problem: number = result.problems.length ? result.problems[0].message : 0;
`,
    );
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'commonjs', target: 'ES2022', types: [] }, files: ['wrong.ts'] }));
    const result = sh(process.execPath, [TSC, '-p', '.'], dir);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain("wrong.ts(4,77): error TS2322: Type 'number' is not assignable to type 'string'.");
    expect(result.stdout).toContain("wrong.ts(5,7): error TS2322: Type 'string | 0' is not assignable to type 'number'.");
  });
});
