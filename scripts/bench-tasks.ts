/**
 * The benchmark's child processes (one measurement each; scripts/bench.ts runs them):
 *
 *   prep TOPOLOGY OBJECTS       synthesize, save every file's manifest (or document) as NDJSON
 *   floor-yaml OBJECTS DIR      floor A: serialize the same manifests with js-yaml and write them
 *   floor-cdk8s OBJECTS DIR     floor B: a bare cdk8s app (App, Chart, ApiObject, app.synth())
 *
 * The floors load their input first, then print the resource use of the measured part alone
 * as one JSON line: `{"wallMs":…,"userMs":…,"sysMs":…}`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { dump } from 'js-yaml';
import { buildFleet } from '../clusters/fleet';
import { APPLIED_LAYERS } from '../src/layer-chart';
import { HEADER, Manifest, renderManifests } from '../src/render';
import { loadTopology } from '../topology';

type Entry = [string, Manifest | string];

function prep(topologyFile: string, objectsFile: string): void {
  const fleet = buildFleet(loadTopology(topologyFile));
  const documents = new Map<string, string>();
  for (const stack of fleet.stacks) for (const [file, content] of stack.files) documents.set(file, content);
  const lines = renderManifests(fleet.app, APPLIED_LAYERS, documents).map((entry) => JSON.stringify(entry));
  writeFileSync(objectsFile, `${lines.join('\n')}\n`);
}

function load(objectsFile: string): Entry[] {
  return readFileSync(objectsFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Entry);
}

/** Runs `work` and prints its own wall and CPU time. */
function measured(work: () => void): void {
  const [start, usage] = [process.hrtime.bigint(), process.resourceUsage()];
  work();
  const after = process.resourceUsage();
  process.stdout.write(`${JSON.stringify({
    wallMs: Number(process.hrtime.bigint() - start) / 1e6,
    userMs: (after.userCPUTime - usage.userCPUTime) / 1000,
    sysMs: (after.systemCPUTime - usage.systemCPUTime) / 1000,
  })}\n`);
}

function writeFile(dir: string, file: string, content: string, made: Set<string>): void {
  const target = path.join(dir, file);
  const parent = path.dirname(target);
  if (!made.has(parent)) {
    mkdirSync(parent, { recursive: true });
    made.add(parent);
  }
  writeFileSync(target, content);
}

function floorYaml(objectsFile: string, dir: string): void {
  const entries = load(objectsFile);
  measured(() => {
    const made = new Set<string>();
    for (const [file, data] of entries) {
      writeFile(dir, file, typeof data === 'string' ? data : HEADER + dump(data, { noRefs: true, lineWidth: -1 }), made);
    }
  });
}

function floorCdk8s(objectsFile: string, dir: string): void {
  const entries = load(objectsFile);
  measured(() => {
    const app = new App({ outdir: dir, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
    const charts = new Map<string, Chart>();
    const made = new Set<string>();
    for (const [file, data] of entries) {
      if (typeof data === 'string') {
        writeFile(dir, file, data, made);
        continue;
      }
      const directory = path.dirname(file);
      let chart = charts.get(directory);
      if (!chart) {
        chart = new Chart(app, directory.replace(/\//g, '.'), { disableResourceNameHashes: true });
        charts.set(directory, chart);
      }
      new ApiObject(chart, path.basename(file), data as any);
    }
    app.synth();
  });
}

const [task, ...args] = process.argv.slice(2);
switch (task) {
  case 'prep':
    prep(args[0], args[1]);
    break;
  case 'floor-yaml':
    floorYaml(args[0], args[1]);
    break;
  case 'floor-cdk8s':
    floorCdk8s(args[0], args[1]);
    break;
  default:
    process.stderr.write(`bench-tasks: unknown task ${JSON.stringify(task)}: use prep, floor-yaml or floor-cdk8s\n`);
    process.exitCode = 2;
}
