/**
 * The locale-independent comparator every sorted output goes through (the synth under several
 * locales is in locale-determinism.test.ts).
 */
import { compareCodePoints } from '../topology/compare';

describe('ordering by code point', () => {
  test('sorts "Z" before "a", "aa" before "b", "z" after "t", whatever the locale', () => {
    expect(['b', 'aa', 'Z', 'a', 'z', 't', 's', 'å'].sort(compareCodePoints)).toEqual(['Z', 'a', 'aa', 'b', 's', 't', 'z', 'å']);
    expect(compareCodePoints('a', 'a')).toBe(0);
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0);
    // Code points, not UTF-16 units: U+1F600 (a surrogate pair) sorts after U+FF5E.
    expect(['😀', '～'].sort(compareCodePoints)).toEqual(['～', '😀']);
  });
});
