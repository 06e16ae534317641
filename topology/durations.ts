/**
 * Durations as Istio validates them: Go duration strings (`30s`, `1h30m`, `1.5s`) that are
 * at least 1ms, whole milliseconds, and within Go's `time.Duration` range.
 *
 * Istio 1.30 checks every proto Duration of its config with `ValidateDuration`
 * (pkg/config/validation/agent/validation.go): `dur := pd.AsDuration()`, then
 * "duration must be greater than 1ms" when `dur < time.Millisecond`, and "only durations to
 * ms precision are supported" when `dur % time.Millisecond != 0`. The CRDs add the CEL rule
 * `duration(self) >= duration('1ms')` (manifests/charts/base/files/crd-all.gen.yaml), and
 * CEL's `duration()` (like Go's `time.ParseDuration`, which Flux, cert-manager and ESO use)
 * refuses a value past the int64-nanosecond range, about 2,562,047 hours.
 */

const NANOS: Readonly<Record<string, bigint>> = { ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };
const MILLISECOND = NANOS.ms;
/** Longest Go `time.Duration`: 2^63 - 1 nanoseconds (2562047h47m16.854775807s). */
export const MAX_GO_DURATION_NANOS = 2n ** 63n - 1n;
const DURATION = /^(\d+(\.\d+)?(ms|s|m|h))+$/;

/** Nanoseconds of a Go duration string in the units the topology takes, exact (no float rounding). */
export function durationNanos(text: string): bigint | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0n;
  for (const [, whole, fraction = '', unit] of text.matchAll(/(\d+)(?:\.(\d+))?(ms|s|m|h)/g)) {
    const scale = 10n ** BigInt(fraction.length);
    total += (BigInt(whole) * scale + BigInt(fraction || '0')) * NANOS[unit] / scale;
  }
  return total;
}

/** Why `text` is not a duration Istio (and Go) accept, or `undefined` when it is. */
export function durationProblem(text: string): string | undefined {
  const nanos = durationNanos(text);
  if (nanos === undefined) return 'must be a duration such as 30s, 10m or 1h30m (units ms, s, m, h)';
  if (nanos < MILLISECOND) return 'must be at least 1ms: Istio refuses shorter durations';
  if (nanos % MILLISECOND !== 0n) return 'must be whole milliseconds: Istio supports durations to ms precision only';
  if (nanos > MAX_GO_DURATION_NANOS) return 'must be at most 2562047h (Go\'s duration range): longer durations overflow';
  return undefined;
}
