/** Axis ticks at round numbers: steps of 1, 2 or 5 x 10^k on linear axes, values 1, 2, 5 x 10^k on log axes. */

/** The round step (1, 2 or 5 x 10^k) closest above `rough`. */
function roundStep(rough: number): number {
  const p = 10 ** Math.floor(Math.log10(rough));
  const m = rough / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** Removes float noise: 0.30000000000000004 -> 0.3. */
const clean = (v: number): number => Number(v.toPrecision(12));

/**
 * About `count` ticks inside [lo, hi] at multiples of a round step.
 *
 * @example
 * linearTicks(1, 8);        // [2, 4, 6, 8]
 * linearTicks(0.47, 3.1);  // [1, 2, 3]
 * linearTicks(0.47, 3.1, 10); // [0.5, 1, 1.5, 2, 2.5, 3]
 */
export function linearTicks(lo: number, hi: number, count = 5): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) return [clean(lo)];
  const step = roundStep((hi - lo) / count);
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(clean(v));
  return out;
}

/**
 * Ticks for a log axis over [lo, hi] (both > 0): the powers of ten inside, and 2 and 5 times them when that
 * gives fewer than `min` ticks (then every 1..9 x 10^k if still too few).
 *
 * @example
 * logTicks(0.0487, 0.943);  // [0.05, 0.1, 0.2, 0.5]
 * logTicks(0.001, 100);     // [0.001, 0.01, 0.1, 1, 10, 100]
 */
export function logTicks(lo: number, hi: number, min = 3): number[] {
  if (!(lo > 0 && hi > 0 && Number.isFinite(lo) && Number.isFinite(hi))) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  const inside = (ms: number[]): number[] => {
    const out: number[] = [];
    for (let k = Math.floor(Math.log10(lo)) - 1; k <= Math.ceil(Math.log10(hi)) + 1; k++)
      for (const m of ms) {
        const v = clean(m * 10 ** k);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
      }
    return out;
  };
  let t = inside([1]);
  if (t.length < min) t = inside([1, 2, 5]);
  if (t.length < min) t = inside([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  if (t.length > 8) t = t.filter((_, i) => i % Math.ceil(t.length / 8) === 0);
  return t;
}

/** A tick label: plain for 0.001 <= |v| < 10000, else 1e-4 style; no float noise. */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return String(clean(v));
}
