import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadTopology, MAX_TOPOLOGY_BYTES, parseTopology, TopologyError } from '../topology';
import { ROOT } from './support/synth';
import { MINIMAL_TOPOLOGY } from './support/topology-edits';

const CLI = path.join(ROOT, 'bin', 'meshfleet.js');

function errorOf(load: () => unknown): TopologyError {
  try {
    load();
  } catch (e) {
    if (e instanceof TopologyError) return e;
    throw e;
  }
  throw new Error('expected a TopologyError');
}

function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), 'meshfleet-limits-'));
}

describe('what the loader refuses before reading', () => {
  test('fails if the topology is a directory', () => {
    const dir = scratch();
    expect(errorOf(() => loadTopology(dir)).problems[0].message).toBe('the topology must be a regular file, not a directory: name a YAML file');
  });

  test('fails if the topology is a device such as /dev/zero, without reading it', () => {
    expect(errorOf(() => loadTopology('/dev/zero')).problems[0].message).toBe('the topology must be a regular file, not a device: name a YAML file');
  });

  test('fails if the topology is a FIFO with no writer, instead of hanging', () => {
    const fifo = path.join(scratch(), 'mesh.yaml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // Through the CLI: a hang would end in the spawn timeout (status null), not exit 1.
    const result = spawnSync(process.execPath, [CLI, 'validate', '--topology', fifo], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${fifo}: (top level): the topology must be a regular file, not a FIFO (named pipe): name a YAML file`);
  });

  test('fails if the file is larger than the limit, and reads one at the limit', () => {
    const dir = scratch();
    const padded = (size: number) => {
      const file = path.join(dir, `${size}.yaml`);
      writeFileSync(file, MINIMAL_TOPOLOGY + '#'.repeat(size - Buffer.byteLength(MINIMAL_TOPOLOGY)));
      return file;
    };
    expect(MAX_TOPOLOGY_BYTES).toBe(33_554_432);
    expect(loadTopology(padded(MAX_TOPOLOGY_BYTES)).mesh.id).toBe('mesh1');
    expect(errorOf(() => loadTopology(padded(MAX_TOPOLOGY_BYTES + 1))).problems[0].message).toBe(
      'the topology file is too large (33554433 bytes): the limit is 33554432 bytes (32 MiB); split the fleet or write lists in flow style',
    );
  });
});

describe('what the parser refuses', () => {
  test.each([
    ['an empty file', ''],
    ['a comments-only file', '# nothing here yet\n\n   # still nothing\n'],
  ])('fails if the topology is %s, saying so with a position', (_, text) => {
    const e = errorOf(() => parseTopology(text, 'mesh.yaml'));
    expect(e.message).toBe('mesh.yaml: 1 problem\nmesh.yaml:1:1: (top level): the file is empty (only comments or whitespace): write a MeshTopology, see the README\'s topology reference');
  });

  test('fails with a located problem on a YAML alias bomb, not an internal error', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      '',
    ].join('\n');
    const e = errorOf(() => parseTopology(bomb, 'bomb.yaml'));
    expect(e.problems).toHaveLength(1);
    // The first alias: line 2, column 8.
    expect(e.message.split('\n')[1]).toMatch(/^bomb\.yaml:2:8: \(top level\): too many YAML alias expansions: at most 100 references per anchor/);
  });

  test('accepts a few aliases', () => {
    const text = MINIMAL_TOPOLOGY.replace('mesh:', 'x-anchors: &net network1\nmesh:');
    // An unknown top-level key is the only complaint: the alias itself was fine.
    expect(errorOf(() => parseTopology(text, 'mesh.yaml')).problems.map((p) => p.path)).toEqual(['x-anchors']);
  });

  test('a deeply nested document gives problems, not a stack overflow', () => {
    const depth = 20_000;
    const text = `${MINIMAL_TOPOLOGY}extra: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    const e = errorOf(() => parseTopology(text, 'deep.yaml'));
    expect(e.problems.length).toBeGreaterThan(0);
  });
});
