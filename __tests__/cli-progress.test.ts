/**
 * `synth` progress: phase lines on stderr only for a large fleet and only when stderr is a
 * terminal; nothing extra otherwise (CI logs and pipes stay exactly as before).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generatedTopology } from '../scripts/bench-fleet';
import { progressReporter, PROGRESS_MIN_CLUSTERS } from '../src/cli';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'meshfleet.js');

describe('progressReporter', () => {
  test('prints nothing when stderr is not a terminal, however large the fleet', () => {
    const lines: string[] = [];
    progressReporter(false, 500, (t) => lines.push(t))('synthesizing');
    expect(lines).toEqual([]);
  });

  test('prints nothing for a fleet below the threshold of 20 clusters', () => {
    const lines: string[] = [];
    progressReporter(true, 19, (t) => lines.push(t))('synthesizing');
    expect(PROGRESS_MIN_CLUSTERS).toBe(20);
    expect(lines).toEqual([]);
  });

  test('prints each phase with the time since the start for a large fleet on a terminal', () => {
    const lines: string[] = [];
    const progress = progressReporter(true, 20, (t) => lines.push(t));
    progress('synthesizing 20 clusters and 40 services');
    progress('publishing into dist/');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^meshfleet: synthesizing 20 clusters and 40 services \(\d+\.\d s\)\n$/);
    expect(lines[1]).toMatch(/^meshfleet: publishing into dist\/ \(\d+\.\d s\)\n$/);
  });
});

describe('synth of a 20-cluster fleet', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshfleet-progress-'));
  const topology = path.join(dir, 'fleet.yaml');
  writeFileSync(topology, generatedTopology(20, 20));

  test('under a terminal (script(1) gives the child a pty), stderr shows the phases', () => {
    const command = `node ${BIN} synth --topology ${topology} --out ${path.join(dir, 'tty')} 2>&1 >/dev/null`;
    const result = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', cwd: dir });
    expect(result.status).toBe(0);
    const phases = result.stdout.split(/\r?\n/).filter((l) => l.startsWith('meshfleet: ')).map((l) => l.replace(/ \(\d+\.\d s\)$/, ''));
    expect(phases.slice(0, 3)).toEqual([
      'meshfleet: synthesizing 20 clusters and 20 services',
      expect.stringMatching(/^meshfleet: checking \d+ files$/),
      `meshfleet: publishing into ${path.join(dir, 'tty')}/`,
    ]);
  });

  test('piped, stderr stays empty and stdout holds only the summary line', () => {
    const result = spawnSync(process.execPath, [BIN, 'synth', '--topology', topology, '--out', path.join(dir, 'pipe')], { encoding: 'utf8', cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
