/**
 * Locale-independent ordering. `localeCompare` and `Intl.Collator` follow the process
 * locale (in `da_DK` "aa" sorts after "z", in `et_EE` "z" sorts between "s" and "t"), so
 * output sorted with them would differ from machine to machine.
 */

/** Compares two strings by Unicode code point, whatever the locale. */
export function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const d = left[i].codePointAt(0)! - right[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return left.length - right.length;
}
