/**
 * The dedicated YAML emitter must write exactly what js-yaml writes (the output format is
 * js-yaml's `dump(value, { noRefs: true, lineWidth: -1 })`): js-yaml is the independent
 * expectation here, plus a few literals worked out by hand.
 */
import { dump } from 'js-yaml';
import { buildFleet } from '../clusters/fleet';
import { APPLIED_LAYERS } from '../src/layer-chart';
import { HEADER, renderManifests, renderTree } from '../src/render';
import { YamlEmitter } from '../src/yaml-emitter';
import { loadTopology } from '../topology';
import { ROOT } from './support/synth';
import * as path from 'node:path';

const jsYaml = (value: unknown) => dump(value, { noRefs: true, lineWidth: -1 });

/** Scalars whose style js-yaml chooses with care: words YAML reads as other types, indicators, blocks. */
const SCALARS: unknown[] = [
  'plain', 'reviews.bookinfo.svc.cluster.local', 'cluster.local/ns/a/sa/b', '', ' ', 'yes', 'no', 'on', 'off', 'y', 'n', 'true', 'False', 'null', '~',
  '123', '0x1F', '1e3', '1.30.3', '5s', '10.0.0.1', '2026-01-01', '*.global', '&a', '!tag', '- x', '? x', ': x', 'a: b', 'a #b', '#x', '%x', '@x', '`x',
  "it's", '"q"', 'tab\there', 'x\u00a0y', '=', '<<', '---', '...', 'a,b', '[x]', '{x}', 'ünïcödé', 'x '.repeat(600),
  'a\nb', 'a\nb\n', ' lead\nx\n', 'x\n\ny\n', 'tab\there\nx', 'k: v\n  nested: 1\n', 'a\n\n', '\n', "it's\nx\n", '- a\n- b\n', 'end  \nx',
  0, 1, -1, 8080, 0.5, -0, 1e21, 2 ** 53, NaN, Infinity, -Infinity, true, false, null,
];

const SHAPES: Array<(x: unknown) => unknown> = [
  (x) => ({ a: x }),
  (x) => ({ a: { b: x, c: [x] } }),
  (x) => ({ a: [{ b: x }, [x, [x]], x] }),
  (x) => [x, { k: x }],
  (x) => ({ [String(x).slice(0, 40) || 'k']: x, empty: {}, none: [] }),
];

describe('YamlEmitter', () => {
  test('writes every tricky scalar at every nesting level exactly as js-yaml does', () => {
    const emitter = new YamlEmitter();
    for (const scalar of SCALARS) {
      for (const shape of SHAPES) {
        const value = shape(scalar);
        // Twice: the first call fills the emitter's memo, the second uses it.
        expect([emitter.dump(value), emitter.dump(value)]).toEqual([jsYaml(value), jsYaml(value)]);
      }
    }
  });

  test('writes nested collections in block style, empty ones in flow style', () => {
    const value = { apiVersion: 'v1', kind: 'X', spec: { list: [{ a: 1, b: ['x', 'y'] }, [1, [2]]], empty: {}, none: [], text: 'l1\nl2\n' } };
    expect(new YamlEmitter().dump(value)).toBe([
      'apiVersion: v1',
      'kind: X',
      'spec:',
      '  list:',
      '    - a: 1',
      '      b:',
      '        - x',
      "        - 'y'", // `y` is a YAML 1.1 boolean: js-yaml quotes it
      '    - - 1',
      '      - - 2',
      '  empty: {}',
      '  none: []',
      '  text: |',
      '    l1',
      '    l2',
      '',
    ].join('\n'));
  });

  test('hands values it does not write itself to js-yaml, with the same result', () => {
    const emitter = new YamlEmitter();
    for (const value of [{ a: undefined, b: 1 }, [1, undefined], { d: new Date(0) }, 'top-level scalar', {}, [], { keep: 'a\n\n' }, { 'multi\nline key': 1 }, { ['k'.repeat(1100)]: 1 }]) {
      expect(emitter.dump(value)).toBe(jsYaml(value));
    }
  });

  test('renders every file of a synthesized fleet byte for byte as js-yaml would', () => {
    const fleet = buildFleet(loadTopology(path.join(ROOT, 'examples/global-fleet.yaml')));
    const documents = new Map<string, string>();
    for (const stack of fleet.stacks) for (const [file, content] of stack.files) documents.set(file, content);
    const expected = new Map(renderManifests(fleet.app, APPLIED_LAYERS, documents).map(([file, data]) => [file, typeof data === 'string' ? data : HEADER + jsYaml(data)]));
    const tree = renderTree(buildFleet(loadTopology(path.join(ROOT, 'examples/global-fleet.yaml'))).app, APPLIED_LAYERS, documents);
    expect(tree.size).toBe(expected.size);
    for (const [file, content] of tree) expect([file, content]).toEqual([file, expected.get(file)]);
    // sorted by path
    expect([...tree.keys()]).toEqual([...tree.keys()].sort());
  });
});
