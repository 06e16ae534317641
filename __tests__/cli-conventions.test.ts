/**
 * The command line's conventions (issue 11, part 4): help, version, flag syntax, mistakes,
 * completion, machine-readable output, quiet mode, the synth summary, streaming, cluster
 * selection and check's fix hint. Every test runs the real bin/meshfleet.js.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadAll } from 'js-yaml';
import { editDistance, didYouMean } from '../src/did-you-mean';
import { ROOT } from './support/synth';
import { filesUnder } from './support/files';

const CLI = path.join(ROOT, 'bin', 'meshfleet.js');
const EXAMPLE = path.join(ROOT, 'examples', 'docs-multi-primary.yaml');
const BROKEN = `apiVersion: meshfleet.dev/v1alpha1
kind: MeshTopology
mesh: { id: mesh1 }
clusters:
  - { name: c1, role: primary, network: n1, region: r1 }
  - { name: c2, role: remote, network: n1, region: r1, controlPlane: ghost }
`;

function meshfleet(args: string[], cwd = ROOT) {
  const env = { ...process.env };
  delete env.MESHFLEET_TOPOLOGY;
  delete env.MESHFLEET_OUT;
  delete env.CDK8S_OUTDIR;
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env });
}

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'meshfleet-conv-'));
}

function brokenFile(): string {
  const file = path.join(tempDir(), 'broken.yaml');
  writeFileSync(file, BROKEN);
  return file;
}

describe('help', () => {
  test.each([[['--help']], [['-h']], [['help']]])('meshfleet %j prints the command list to stdout and exits 0', (args) => {
    const result = meshfleet(args);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Usage: meshfleet \[options\] \[command\]/);
    for (const command of ['synth', 'validate', 'check', 'init', 'version', 'completion']) expect(result.stdout).toContain(`\n  ${command}`);
  });

  test('meshfleet without a command prints the same help and exits 0', () => {
    const result = meshfleet([]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: meshfleet \[options\] \[command\]/);
  });

  test.each(['synth', 'validate', 'check', 'init', 'version', 'completion'])('%s -h, %s --help and help %s print its usage to stdout and exit 0', (command) => {
    for (const args of [[command, '-h'], [command, '--help'], ['help', command]]) {
      const result = meshfleet(args);
      expect(result.status).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(new RegExp(`^Usage: meshfleet ${command} `));
    }
  });

  test('synth --help lists its flags', () => {
    const { stdout } = meshfleet(['synth', '--help']);
    for (const flag of ['-f, --topology <file>', '--out <dir>', '--cluster <name>', '-q, --quiet']) expect(stdout).toContain(flag);
  });
});

describe('version', () => {
  const expected = `${JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}\n`;

  test('--version and the version command print the package version', () => {
    for (const args of [['--version'], ['version']]) {
      const result = meshfleet(args);
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(expected);
    }
  });
});

describe('flag syntax and usage errors (exit 2)', () => {
  test('--flag=value and --flag value mean the same', () => {
    const file = brokenFile();
    const spaced = meshfleet(['validate', '--topology', file, '--output', 'json']);
    const joined = meshfleet(['validate', `--topology=${file}`, '--output=json']);
    const short = meshfleet(['validate', '-f', file, '-ojson']);
    expect(spaced.status).toBe(1);
    expect(JSON.parse(spaced.stdout).problems).toHaveLength(1);
    expect(joined.stdout).toBe(spaced.stdout);
    expect(short.stdout).toBe(spaced.stdout);
  });

  test('an unknown command says which and suggests the nearest', () => {
    const result = meshfleet(['synt']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("meshfleet: unknown command 'synt'");
    expect(result.stderr).toContain('(Did you mean synth?)');
  });

  test('an unknown flag says which and suggests the nearest', () => {
    const result = meshfleet(['synth', '--topolgy', 'x.yaml']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("meshfleet: unknown option '--topolgy'");
    expect(result.stderr).toContain('(Did you mean --topology?)');
    expect(result.stderr).toContain("run 'meshfleet synth --help'");
  });

  test('a single-value flag given twice is an error, not "last one wins"', () => {
    for (const args of [
      ['validate', '--topology', 'a.yaml', '--topology', 'b.yaml'],
      ['validate', '-f', 'a.yaml', '--topology=b.yaml'],
      ['check', '--out', 'a', '--out', 'b'],
      ['validate', '-o', 'json', '-o', 'text'],
    ]) {
      const result = meshfleet(args);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('given more than once; give it once');
    }
  });

  test('an invalid -o value names the accepted ones', () => {
    const result = meshfleet(['validate', '-o', 'yaml']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('must be one of text, json');
  });

  test('a flag missing its value is a usage error', () => {
    const result = meshfleet(['synth', '--out']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("option '--out <dir>' argument missing");
  });
});

describe('completion', () => {
  /** What bash completes for a command line whose last word is being typed. */
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    writeFileSync(path.join(dir, 'completion.bash'), meshfleet(['completion', 'bash']).stdout);
  });

  function complete(words: string[]): string[] {
    const array = words.map((w) => `'${w}'`).join(' ');
    const probe = `source ./completion.bash; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _meshfleet; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const result = spawnSync('bash', ['-c', probe], { cwd: dir, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    return result.stdout.split('\n').filter(Boolean).sort();
  }

  test('bash completes commands, their flags and flag values', () => {
    expect(complete(['meshfleet', 'sy'])).toEqual(['synth']);
    expect(complete(['meshfleet', 'c'])).toEqual(['check', 'completion']);
    expect(complete(['meshfleet', 'synth', '--c'])).toEqual(['--cluster']);
    expect(complete(['meshfleet', 'check', '--o'])).toEqual(['--out', '--output']);
    expect(complete(['meshfleet', 'validate', '-o', ''])).toEqual(['json', 'text']);
    expect(complete(['meshfleet', 'completion', ''])).toEqual(['bash', 'zsh']);
    expect(complete(['meshfleet', 'completion', '-'])).toEqual(['--help']);
  });

  test('zsh gets a compdef script covering every command and flag', () => {
    const result = meshfleet(['completion', 'zsh']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^#compdef meshfleet\n/);
    for (const word of ["'synth:", "'validate:", "'check:", '--topology', '--cluster', '(text json)', 'compdef _meshfleet meshfleet']) expect(result.stdout).toContain(word);
  });

  test('an unsupported shell is a usage error', () => {
    const result = meshfleet(['completion', 'fish']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('must be one of bash, zsh');
  });
});

describe('-o json', () => {
  test('validate reports every problem with file, line, column, path and message', () => {
    const file = brokenFile();
    const result = meshfleet(['validate', '--topology', file, '-o', 'json']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      kind: 'ValidateResult',
      topology: file,
      valid: false,
      problems: [
        {
          file,
          line: 6,
          column: 70,
          path: 'clusters[1].controlPlane',
          message: expect.stringMatching(/^names unknown cluster "ghost"/),
        },
      ],
    });
  });

  test('validate of a valid topology', () => {
    const result = meshfleet(['validate', '--topology', EXAMPLE, '-o', 'json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ kind: 'ValidateResult', topology: EXAMPLE, valid: true, problems: [] });
  });

  test('check lists stale files and the command that fixes them', () => {
    const out = path.join(tempDir(), 'out');
    expect(meshfleet(['synth', '--topology', EXAMPLE, '--out', out]).status).toBe(0);
    const clean = meshfleet(['check', '--topology', EXAMPLE, '--out', out, '-o', 'json']);
    expect(clean.status).toBe(0);
    expect(JSON.parse(clean.stdout)).toEqual({
      kind: 'CheckResult', topology: EXAMPLE, out, upToDate: true, problems: [], stale: [], findings: [], errors: 0, warnings: 0, fix: null,
    });

    writeFileSync(path.join(out, 'cluster2', 'platform', 'namespace.istio-system.yaml'), 'changed\n');
    rmSync(path.join(out, 'cluster1', 'kustomization.yaml'));
    writeFileSync(path.join(out, 'cluster1', 'mine.yaml'), 'kind: Mine\n'); // not meshfleet's: not its business
    const stale = meshfleet(['check', '--topology', EXAMPLE, '--out', out, '-o', 'json']);
    expect(stale.status).toBe(1);
    const report = JSON.parse(stale.stdout);
    // Staleness is also a finding (MF010); the edited file no longer passes its schema, nor does
    // the user's own file (no apiVersion), which check validates but never calls stale (MF002).
    expect(report.findings.map((f: { code: string; file: string }) => `${f.code} ${f.file}`).sort()).toEqual([
      'MF002 cluster1/mine.yaml',
      'MF002 cluster2/platform/namespace.istio-system.yaml',
      'MF010 cluster1/kustomization.yaml',
      'MF010 cluster2/platform/namespace.istio-system.yaml',
    ]);
    expect(report).toMatchObject({ errors: 4, warnings: 0 });
    expect(report).toMatchObject({
      kind: 'CheckResult',
      topology: EXAMPLE,
      out,
      upToDate: false,
      problems: [],
      stale: [
        { state: 'missing', file: `${out}/cluster1/kustomization.yaml`, message: `missing: ${out}/cluster1/kustomization.yaml` },
        {
          state: 'differs',
          file: `${out}/cluster2/platform/namespace.istio-system.yaml`,
          message: expect.stringMatching(new RegExp(`^differs: ${out}/cluster2/platform/namespace.istio-system.yaml \\(- on disk, \\+ synthesized\\)\n    @@ line 1 @@\n    -changed\n`)),
        },
      ],
      fix: `npx meshfleet synth --topology ${EXAMPLE} --out ${out}`,
    });
  });

  test('check of a broken topology reports its problems, not stale files', () => {
    const file = brokenFile();
    const result = meshfleet(['check', '--topology', file, '--out', tempDir(), '-o', 'json']);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ upToDate: false, stale: [], fix: null });
    expect(report.problems.map((p: { path: string }) => p.path)).toEqual(['clusters[1].controlPlane']);
  });
});

describe('synth output', () => {
  test('prints one summary line: clusters, objects, files, time', () => {
    const out = path.join(tempDir(), 'out');
    const result = meshfleet(['synth', '--topology', EXAMPLE, '--out', out]);
    expect(result.status).toBe(0);
    const files = filesUnder(out).filter((f) => !f.startsWith('.meshfleet/')); // the publish marker is not output
    const objects = files.filter((f) => f.endsWith('.yaml') && !f.endsWith('kustomization.yaml'));
    expect(result.stdout).toMatch(
      new RegExp(`^meshfleet: 2 clusters \\(cluster1, cluster2\\), ${objects.length} objects, ${files.length} files \\(\\d+ written, 0 removed\\) -> ${out}/ in \\d+\\.\\d\\d s\\n$`),
    );
  });

  test('--quiet prints nothing on success, and still every problem on failure', () => {
    const out = path.join(tempDir(), 'out');
    const ok = meshfleet(['synth', '--topology', EXAMPLE, '--out', out, '--quiet']);
    expect(ok.status).toBe(0);
    expect(ok.stdout + ok.stderr).toBe('');
    expect(existsSync(path.join(out, 'cluster1', 'kustomization.yaml'))).toBe(true);
    for (const args of [['validate', '-q', '-f', EXAMPLE], ['check', '-q', '-f', EXAMPLE, '--out', out]]) {
      const quiet = meshfleet(args);
      expect(quiet.status).toBe(0);
      expect(quiet.stdout + quiet.stderr).toBe('');
    }
    const broken = meshfleet(['validate', '-q', '-f', brokenFile()]);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('clusters[1].controlPlane: names unknown cluster "ghost"');
  });

  test('--out - writes every applied object as one YAML stream to stdout, and no files', () => {
    const cwd = tempDir();
    const out = path.join(cwd, 'out');
    meshfleet(['synth', '--topology', EXAMPLE, '--out', out]);
    const applied = filesUnder(out).filter((f) => f.endsWith('.yaml') && !f.endsWith('kustomization.yaml') && !f.includes('/istioctl/'));

    const result = meshfleet(['synth', '--topology', EXAMPLE, '--out', '-'], cwd);

    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(readdirSync(cwd)).toEqual(['out']); // nothing written
    expect(result.stdout.startsWith('---\n# Source: ')).toBe(true);
    const sources = [...result.stdout.matchAll(/^# Source: (.*)$/gm)].map((m) => m[1]);
    expect(sources).toEqual(applied);
    const documents = loadAll(result.stdout) as { kind: string }[];
    expect(documents).toEqual(applied.map((f) => loadAll(readFileSync(path.join(out, f), 'utf8'))[0]));
    expect(documents.map((d) => d.kind)).not.toContain('IstioOperator');
  });

  test('--out - with --cluster streams only that cluster', () => {
    const result = meshfleet(['synth', '--topology', EXAMPLE, '--out', '-', '--cluster', 'cluster2']);
    const sources = [...result.stdout.matchAll(/^# Source: (.*)$/gm)].map((m) => m[1]);
    expect(sources.length).toBeGreaterThan(10);
    for (const source of sources) expect(source).toMatch(/^(cluster2|argocd\/cluster2)\//);
  });
});

describe('--cluster', () => {
  function synthesized(): string {
    const out = path.join(tempDir(), 'out');
    expect(meshfleet(['synth', '--topology', EXAMPLE, '--out', out]).status).toBe(0);
    return out;
  }

  test('synth rewrites only the named clusters and leaves every other file as it is', () => {
    const out = synthesized();
    const mine = path.join(out, 'cluster1', 'platform', 'namespace.istio-system.yaml');
    const theirs = path.join(out, 'cluster2', 'platform', 'namespace.istio-system.yaml');
    const fleetWide = path.join(out, 'argocd', 'appproject.argocd.meshfleet.yaml');
    const original = readFileSync(mine, 'utf8');
    for (const file of [mine, theirs, fleetWide]) writeFileSync(file, 'edited\n');
    writeFileSync(path.join(out, 'cluster1', 'leftover.yaml'), 'kind: Leftover\n');

    const result = meshfleet(['synth', '--topology', EXAMPLE, '--out', out, '--cluster', 'cluster1']);

    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^meshfleet: 1 cluster \(cluster1\), /);
    expect(readFileSync(mine, 'utf8')).toBe(original);
    expect(existsSync(path.join(out, 'cluster1', 'leftover.yaml'))).toBe(true); // not meshfleet's file
    expect(readFileSync(theirs, 'utf8')).toBe('edited\n');
    expect(readFileSync(fleetWide, 'utf8')).toBe('edited\n');
  });

  test('synth --cluster into an empty directory writes only those clusters', () => {
    const out = path.join(tempDir(), 'out');
    expect(meshfleet(['synth', '--topology', EXAMPLE, '--out', out, '--cluster', 'cluster2']).status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['.meshfleet', 'argocd', 'cluster2']);
    expect(readdirSync(path.join(out, 'argocd'))).toEqual(['cluster2']);
  });

  test('check --cluster looks only at the named clusters', () => {
    const out = synthesized();
    writeFileSync(path.join(out, 'cluster2', 'platform', 'namespace.istio-system.yaml'), 'edited\n');
    expect(meshfleet(['check', '--topology', EXAMPLE, '--out', out, '--cluster', 'cluster1']).status).toBe(0);
    const both = meshfleet(['check', '--topology', EXAMPLE, '--out', out, '--cluster', 'cluster1', '--cluster', 'cluster2']);
    expect(both.status).toBe(1);
    expect(both.stderr).toContain('error MF010 cluster2/platform/namespace.istio-system.yaml: differs');
  });

  test('an unknown cluster is a usage error with a suggestion, and writes nothing', () => {
    const out = path.join(tempDir(), 'out');
    const result = meshfleet(['synth', '--topology', EXAMPLE, '--out', out, '--cluster', 'clsuter2']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `meshfleet: --cluster "clsuter2": ${EXAMPLE} has no such cluster (did you mean "cluster2"?); it has cluster1, cluster2\n`,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('check names the command that fixes stale output', () => {
  test('with the flags check was called with', () => {
    const dir = tempDir();
    const out = path.join(dir, 'gitops out');
    const result = meshfleet(['check', '-f', EXAMPLE, `--out=${out}`, '--cluster', 'cluster1']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`run \`npx meshfleet synth --topology ${EXAMPLE} --out '${out}' --cluster cluster1\` and commit`);
    expect(result.stderr).toContain('error MF010 cluster1/kustomization.yaml: missing');
    expect(result.stderr).not.toContain('cluster2/');
  });

  test('without flags, the fix has none either', () => {
    // GIVEN a directory laid out like this repository: the default topology and dist/
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'examples'));
    copyFileSync(EXAMPLE, path.join(cwd, 'examples', 'docs-multi-primary.yaml'));
    expect(meshfleet(['synth'], cwd).status).toBe(0);
    rmSync(path.join(cwd, 'dist', 'cluster1', 'kustomization.yaml'));
    // WHEN check runs with the defaults THEN its fix uses them too
    const result = meshfleet(['check'], cwd);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      [
        'cluster cluster1:',
        '  error MF010 cluster1/kustomization.yaml: missing',
        '      fix: run `npx meshfleet synth` and commit the result; to change the output, edit the topology, not the files',
        '1 error(s), 0 warning(s), 0 info',
        'meshfleet: dist/ is stale; run `npx meshfleet synth` and commit',
        '',
      ].join('\n'),
    );
  });
});

describe('init', () => {
  test.each([
    ['multi-primary', { cluster1: 'primary', cluster2: 'primary' }],
    ['primary-remote', { cluster1: 'primary', cluster2: 'remote' }],
  ])('--model %s writes a commented topology of that model that validates and synthesizes', (model, roles) => {
    const dir = tempDir();
    const file = path.join(dir, 'mesh.yaml');
    const result = meshfleet(['init', '--model', model, '--file', file]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`meshfleet: wrote a ${model} topology to ${file}; next: npx meshfleet validate --topology ${file}\n`);
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n').filter((l) => l.includes('#')).length).toBeGreaterThan(10);
    const doc = loadAll(text)[0] as { clusters: { name: string; role: string; controlPlane?: string }[] };
    expect(Object.fromEntries(doc.clusters.map((c) => [c.name, c.role]))).toEqual(roles);
    expect(meshfleet(['validate', '-f', file]).status).toBe(0);
    expect(meshfleet(['synth', '-f', file, '--out', path.join(dir, 'clusters')]).status).toBe(0);
  });

  test('defaults to multi-primary in mesh.yaml, and never overwrites a file without --force', () => {
    const cwd = tempDir();
    expect(meshfleet(['init'], cwd).status).toBe(0);
    const written = readFileSync(path.join(cwd, 'mesh.yaml'), 'utf8');
    expect(written).toContain('https://istio.io/latest/docs/setup/install/multicluster/multi-primary/');
    writeFileSync(path.join(cwd, 'mesh.yaml'), 'mine\n');
    const again = meshfleet(['init', '--model', 'primary-remote'], cwd);
    expect(again.status).toBe(1);
    expect(again.stderr).toBe('meshfleet: mesh.yaml already exists; pass --force to overwrite it, or --file to write another file\n');
    expect(readFileSync(path.join(cwd, 'mesh.yaml'), 'utf8')).toBe('mine\n');
    expect(meshfleet(['init', '--force', '-q'], cwd).stdout).toBe('');
    expect(readFileSync(path.join(cwd, 'mesh.yaml'), 'utf8')).toBe(written);
  });

  test('--file - writes the topology to stdout', () => {
    const cwd = tempDir();
    const result = meshfleet(['init', '--file', '-', '--model', 'primary-remote'], cwd);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^# yaml-language-server: \$schema=.*schema\/meshtopology\.v1alpha1\.json\n/);
    expect(result.stdout).toContain('controlPlane: cluster1');
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('did you mean', () => {
  test('edit distance counts insertions, deletions, substitutions and transpositions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('clsuter1', 'cluster1')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  test('suggests the nearest close candidate, and nothing for a far one', () => {
    expect(didYouMean('clustr2', ['cluster1', 'cluster2', 'east'])).toBe('cluster2');
    expect(didYouMean('eats', ['cluster1', 'east'])).toBe('east');
    expect(didYouMean('zzzzzz', ['cluster1', 'cluster2'])).toBeUndefined();
  });
});
