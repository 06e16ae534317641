import { durationNanos, durationProblem } from '../topology/durations';
import { editTopology, expectOnlyProblem, MINIMAL_TOPOLOGY } from './support/topology-edits';

describe('durations as Istio validates them', () => {
  test.each([
    ['1ms', 1_000_000n],
    ['1.5s', 1_500_000_000n],
    ['1h30m', 5_400_000_000_000n],
    ['0.001s', 1_000_000n],
    ['2562047h', 9_223_369_200_000_000_000n],
  ])('reads %s exactly', (text, nanos) => {
    expect(durationNanos(text)).toBe(nanos);
    expect(durationProblem(text)).toBeUndefined();
  });

  test.each([
    ['0s', 'must be at least 1ms: Istio refuses shorter durations'],
    ['0.5ms', 'must be at least 1ms: Istio refuses shorter durations'],
    ['1.5ms', 'must be whole milliseconds: Istio supports durations to ms precision only'],
    ['0.0001s', 'must be at least 1ms: Istio refuses shorter durations'],
    ['1.0001s', 'must be whole milliseconds: Istio supports durations to ms precision only'],
    ['2562048h', 'must be at most 2562047h (Go\'s duration range): longer durations overflow'],
    ['99999999999999999999h', 'must be at most 2562047h (Go\'s duration range): longer durations overflow'],
    ['10', 'must be a duration such as 30s, 10m or 1h30m (units ms, s, m, h)'],
    ['-1s', 'must be a duration such as 30s, 10m or 1h30m (units ms, s, m, h)'],
    ['1d', 'must be a duration such as 30s, 10m or 1h30m (units ms, s, m, h)'],
  ])('refuses %s', (text, message) => {
    expect(durationProblem(text)).toBe(message);
  });

  test('the topology reports an outlier-detection interval below 1ms at its place', () => {
    expectOnlyProblem(editTopology(MINIMAL_TOPOLOGY, (d) => (d.services[0].outlierDetection = { interval: '0.5ms' })),
      'services[0].outlierDetection.interval', 'must be at least 1ms: Istio refuses shorter durations (got "0.5ms")');
    expectOnlyProblem(editTopology(MINIMAL_TOPOLOGY, (d) => (d.mesh.outlierDetection = { baseEjectionTime: '9999999h' })),
      'mesh.outlierDetection.baseEjectionTime', 'must be at most 2562047h (Go\'s duration range): longer durations overflow (got "9999999h")');
  });
});
