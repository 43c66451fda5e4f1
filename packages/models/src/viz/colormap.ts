/**
 * Colour maps for depth images: viridis and plasma (matplotlib's, by piecewise-linear interpolation
 * between 9 samples of the published maps) and turbo (Google's polynomial approximation).
 */
import { DepthblocksError } from '@depthblocks/core';

/** The colour maps, in the order help texts list them. */
export const COLORMAPS = ['turbo', 'viridis', 'plasma', 'gray'] as const;
export type ColormapName = (typeof COLORMAPS)[number];

/** The one default colour map of every depth picture (quickstart, predict, compare figures): turbo. */
export const DEFAULT_COLORMAP: ColormapName = 'turbo';

// 9 samples at t = 0, 1/8, ..., 1 of matplotlib's maps (sRGB, 0..255)
const ANCHORS: Record<'viridis' | 'plasma', [number, number, number][]> = {
  viridis: [
    [68, 1, 84],
    [71, 45, 123],
    [59, 82, 139],
    [44, 114, 142],
    [33, 145, 140],
    [40, 174, 128],
    [94, 201, 98],
    [173, 220, 48],
    [253, 231, 37],
  ],
  plasma: [
    [13, 8, 135],
    [76, 2, 161],
    [126, 3, 168],
    [169, 35, 149],
    [204, 71, 120],
    [230, 108, 92],
    [248, 149, 64],
    [253, 197, 39],
    [240, 249, 33],
  ],
};

// Turbo's published polynomial approximation (degree 5 per channel, t in [0, 1])
const TURBO: [number[], number[], number[]] = [
  [0.13572138, 4.6153926, -42.66032258, 132.13108234, -152.94239396, 59.28637943],
  [0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604],
  [0.1066733, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973],
];

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/** The colour (0..255 RGB) of t in [0, 1]. */
export function colorAt(name: ColormapName, t: number): [number, number, number] {
  const x = clamp01(Number.isFinite(t) ? t : 0);
  if (name === 'gray') {
    const v = Math.round(255 * x);
    return [v, v, v];
  }
  if (name === 'turbo') {
    return TURBO.map((c) => Math.round(255 * clamp01(c.reduceRight((acc, k) => acc * x + k, 0)))) as [number, number, number];
  }
  const a = ANCHORS[name];
  if (!a) throw new DepthblocksError('INVALID_ARGUMENT', `Unknown colour map '${name}': use viridis, plasma, turbo or gray`);
  const p = x * (a.length - 1);
  const i = Math.min(a.length - 2, Math.floor(p));
  const f = p - i;
  return [0, 1, 2].map((k) => Math.round(a[i][k] + f * (a[i + 1][k] - a[i][k]))) as [number, number, number];
}

/** Checks a colour map name, with an error that lists the valid ones. */
export function checkColormap(name: string): ColormapName {
  if (!(COLORMAPS as readonly string[]).includes(name))
    throw new DepthblocksError('INVALID_ARGUMENT', `Unknown colour map '${name}': use one of ${COLORMAPS.join(', ')}`);
  return name as ColormapName;
}

/**
 * The `q` quantiles of the valid (> 0, finite) values, from at most ~200k evenly spaced samples (exact for
 * smaller maps), so that a 12-megapixel map needs no full sort.
 *
 * @example
 * const [lo, hi] = validQuantiles(depth, [0.02, 0.98]);
 */
export function validQuantiles(values: ArrayLike<number>, q: number[]): number[] {
  const step = Math.max(1, Math.floor(values.length / 200000));
  const v: number[] = [];
  for (let i = 0; i < values.length; i += step) {
    const d = values[i];
    if (d > 0 && Number.isFinite(d)) v.push(d);
  }
  v.sort((a, b) => a - b);
  return q.map((p) => (v.length ? v[Math.min(v.length - 1, Math.floor(p * (v.length - 1)))] : NaN));
}

/**
 * Colourises a depth map (metres) into H*W*3 RGB. `min`/`max` default to the valid depths' 2nd and 98th
 * percentiles; near is the map's low end unless `invert`. Invalid depth (0, NaN) is black.
 */
export function colorize(
  depth: ArrayLike<number>,
  options: { colormap?: ColormapName; min?: number; max?: number; invert?: boolean } = {},
): Uint8Array {
  const name = checkColormap(options.colormap ?? DEFAULT_COLORMAP);
  let { min, max } = options;
  if (min === undefined || max === undefined) {
    const [lo, hi] = validQuantiles(depth, [0.02, 0.98]);
    min ??= Number.isFinite(lo) ? lo : 0;
    max ??= Number.isFinite(hi) ? hi : 1;
  }
  const span = max > min ? max - min : 1;
  // a 1025-entry table (t = i / 1024, exact at 0, 1/2, 1): one colour computation per entry, not per pixel
  const N = 1025;
  const lut = new Uint8Array(N * 3);
  for (let i = 0; i < N; i++) lut.set(colorAt(name, i / (N - 1)), 3 * i);
  const out = new Uint8Array(depth.length * 3);
  for (let i = 0; i < depth.length; i++) {
    const d = depth[i];
    if (!(d > 0) || !Number.isFinite(d)) continue;
    let t = (d - min) / span;
    if (options.invert) t = 1 - t;
    const k = 3 * Math.round((t < 0 ? 0 : t > 1 ? 1 : t) * (N - 1));
    out[3 * i] = lut[k];
    out[3 * i + 1] = lut[k + 1];
    out[3 * i + 2] = lut[k + 2];
  }
  return out;
}
