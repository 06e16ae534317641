/**
 * Test helpers for loader rules: edit a fixture topology, collect the problems it gets.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { dump, load } from 'js-yaml';
import { parseTopology, Problem, TopologyError } from '../../topology';

/** `fixtures/minimal.yaml`: cluster1/network1/region1 and cluster2/network2/region2, helloworld in both. */
export const MINIMAL_TOPOLOGY = readFileSync(path.join(__dirname, '..', 'fixtures', 'minimal.yaml'), 'utf8');

/** Topology text: `base` parsed, changed by `edit`, and dumped again. */
export function editTopology(base: string, edit: (doc: any) => void): string {
  const doc = load(base) as any;
  edit(doc);
  return dump(doc);
}

/** Every problem the loader reports for `text` (empty when it is valid). */
export function problemsOf(text: string): Problem[] {
  try {
    parseTopology(text, 'mesh.yaml');
  } catch (e) {
    if (e instanceof TopologyError) return [...e.problems];
    throw e;
  }
  return [];
}

/** Asserts exactly one problem at `at`, with a source position, whose message matches. */
export function expectProblem(text: string, at: string, message: string | RegExp): Problem {
  const problems = problemsOf(text).filter((p) => p.path === at);
  expect(problems).toHaveLength(1);
  expect(problems[0].message).toMatch(message);
  expect(problems[0].position).toBeDefined();
  return problems[0];
}

/** Asserts that `text` has exactly one problem in all, at `at`, whose message matches. */
export function expectOnlyProblem(text: string, at: string, message: string | RegExp): Problem {
  const problems = problemsOf(text);
  expect(problems.map((p) => p.path)).toEqual([at]);
  return expectProblem(text, at, message);
}
