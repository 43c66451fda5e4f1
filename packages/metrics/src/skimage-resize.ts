/**
 * scikit-image's `resize(image, shape, order=1, mode='reflect', anti_aliasing=...)` for a single-channel map, as
 * DenseDepth's `scale_up` (utils.py) calls it on its half-resolution predictions, reimplemented from scipy's
 * definitions (skimage 0.19 with scipy >= 1.6):
 * - with anti-aliasing and a downsampling factor s > 1 on an axis, a Gaussian pre-filter of sigma (s - 1) / 2
 *   (`scipy.ndimage.gaussian_filter`, truncate 4, one axis after the other, the result stored as float32 after
 *   each axis as scipy does for a float32 image); none when up-sampling (sigma 0);
 * - bilinear interpolation at the pixel-centre coordinates (o + 0.5) * in / out - 0.5 (`ndimage.zoom`,
 *   grid_mode=True), computed in float64 and stored as float32;
 * - points outside the image mirrored about the edge pixels' centres (skimage 'reflect' = ndimage 'mirror':
 *   ... c b | a b c | b a ...), unlike tf.image.resize's edge clamping;
 * - the output clipped to the input's [min, max] (clip=True).
 * Checked against skimage itself (test/skimage-resize.test.ts, fixture from fixtures/make_skimage_fixture.py).
 */
import { DepthblocksError } from '@depthblocks/core';

/** Mirror an index into [0, n) about the edge samples' centres (scipy's 'mirror' boundary). */
export function mirrorIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  let k = Math.abs(i) % period;
  if (k >= n) k = period - k;
  return k;
}

/** scipy.ndimage's Gaussian kernel: sigma, truncate 4, radius int(4 sigma + 0.5), normalised to sum 1. */
function gaussianKernel(sigma: number): Float64Array {
  const radius = Math.trunc(4 * sigma + 0.5);
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let x = -radius; x <= radius; x++) sum += k[x + radius] = Math.exp((-0.5 / (sigma * sigma)) * x * x);
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/** Sparse rows of a resampling operator along one axis: row o = sum_j weights[j] * in[index[j]]. */
interface Rows {
  index: Int32Array[];
  weight: Float64Array[];
}

function gaussianRows(n: number, sigma: number): Rows {
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const index: Int32Array[] = [];
  const weight: Float64Array[] = [];
  for (let o = 0; o < n; o++) {
    index.push(Int32Array.from({ length: k.length }, (_, j) => mirrorIndex(o + j - r, n)));
    weight.push(k);
  }
  return { index, weight };
}

function linearRows(inSize: number, outSize: number): Rows {
  const f = inSize / outSize;
  const index: Int32Array[] = [];
  const weight: Float64Array[] = [];
  for (let o = 0; o < outSize; o++) {
    const c = (o + 0.5) * f - 0.5;
    const lo = Math.floor(c);
    const t = c - lo;
    index.push(Int32Array.of(mirrorIndex(lo, inSize), mirrorIndex(lo + 1, inSize)));
    weight.push(Float64Array.of(1 - t, t));
  }
  return { index, weight };
}

/** Applies `rows` along axis 0 (rows of the h x w map) or 1 (columns), float64 sums, optionally stored as float32. */
function apply(src: ArrayLike<number>, h: number, w: number, rows: Rows, axis: 0 | 1, toFloat32: boolean): Float64Array {
  const oh = axis === 0 ? rows.index.length : h;
  const ow = axis === 1 ? rows.index.length : w;
  const out = new Float64Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const o = axis === 0 ? y : x;
      const idx = rows.index[o];
      const wt = rows.weight[o];
      let s = 0;
      for (let j = 0; j < idx.length; j++) s += wt[j] * (axis === 0 ? src[idx[j] * w + x] : src[y * w + idx[j]]);
      out[y * ow + x] = toFloat32 ? Math.fround(s) : s;
    }
  }
  return out;
}

/** Options of {@link skimageResize}. */
export interface SkimageResizeOptions {
  /** Gaussian pre-filter when downsampling (skimage's default: true when any axis shrinks; DenseDepth passes true). */
  antiAliasing?: boolean;
}

/**
 * Resizes a row-major srcHeight x srcWidth map (float32 values) to dstHeight x dstWidth exactly as
 * `skimage.transform.resize(img, (dstHeight, dstWidth), order=1, preserve_range=True, mode='reflect',
 * anti_aliasing=...)` does for a float32 image. DenseDepth's `scale_up(2, pred)` is
 * `skimageResize(pred, h, w, 2 * h, 2 * w, { antiAliasing: true })`.
 *
 * @example
 * const full = skimageResize(half, 240, 320, 480, 640); // DenseDepth's evaluation up-scaling
 */
export function skimageResize(
  src: ArrayLike<number>,
  srcHeight: number,
  srcWidth: number,
  dstHeight: number,
  dstWidth: number,
  options: SkimageResizeOptions = {},
): Float32Array {
  for (const [name, v] of [
    ['srcHeight', srcHeight],
    ['srcWidth', srcWidth],
    ['dstHeight', dstHeight],
    ['dstWidth', dstWidth],
  ] as const) {
    if (!Number.isInteger(v) || v < 1)
      throw new DepthblocksError('INVALID_ARGUMENT', `skimageResize: ${name} must be a positive integer, got ${v}`);
  }
  if (src.length !== srcHeight * srcWidth) {
    throw new DepthblocksError('SHAPE_MISMATCH', `skimageResize: source has ${src.length} values, expected ${srcHeight}x${srcWidth}`);
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < src.length; i++) {
    const v = Math.fround(src[i]);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const antiAliasing = options.antiAliasing ?? (dstHeight < srcHeight || dstWidth < srcWidth);
  let img: ArrayLike<number> = Float32Array.from(src);
  if (antiAliasing) {
    const sy = Math.max(0, (srcHeight / dstHeight - 1) / 2);
    const sx = Math.max(0, (srcWidth / dstWidth - 1) / 2);
    if (sy > 1e-15) img = apply(img, srcHeight, srcWidth, gaussianRows(srcHeight, sy), 0, true);
    if (sx > 1e-15) img = apply(img, srcHeight, srcWidth, gaussianRows(srcWidth, sx), 1, true);
  }
  const rows = apply(img, srcHeight, srcWidth, linearRows(srcHeight, dstHeight), 0, false);
  const both = apply(rows, dstHeight, srcWidth, linearRows(srcWidth, dstWidth), 1, false);
  const out = new Float32Array(both.length);
  for (let i = 0; i < both.length; i++) out[i] = Math.min(Math.max(both[i], lo), hi);
  return out;
}

/**
 * The same resampling along one axis as a dense [outSize x inSize] matrix (Gaussian pre-filter and interpolation
 * combined, float64), for tensor code: out = M_h . img . M_w^T.
 *
 * @example
 * const m = skimageResizeMatrix(2, 4); // rows [0.75, 0.25], [0.75, 0.25]... mirrored at the edges
 */
export function skimageResizeMatrix(inSize: number, outSize: number, options: SkimageResizeOptions = {}): Float64Array {
  const antiAliasing = options.antiAliasing ?? outSize < inSize;
  const sigma = Math.max(0, (inSize / outSize - 1) / 2);
  const lin = linearRows(inSize, outSize);
  const m = new Float64Array(outSize * inSize);
  const gauss = antiAliasing && sigma > 1e-15 ? gaussianRows(inSize, sigma) : null;
  for (let o = 0; o < outSize; o++) {
    for (let j = 0; j < lin.index[o].length; j++) {
      const i = lin.index[o][j];
      const w = lin.weight[o][j];
      if (!gauss) m[o * inSize + i] += w;
      else for (let g = 0; g < gauss.index[i].length; g++) m[o * inSize + gauss.index[i][g]] += w * gauss.weight[i][g];
    }
  }
  return m;
}

/**
 * The same resampling along one axis in tap form, for tensor code that gathers: output o =
 * sum over t of weight[t][o] * input[index[t][o]] (T taps, unused ones with weight 0). Two taps when up-sampling.
 *
 * @example
 * const { index, weight } = skimageResizeTaps(240, 480); // index.length === 2
 */
export function skimageResizeTaps(
  inSize: number,
  outSize: number,
  options: SkimageResizeOptions = {},
): { index: Int32Array[]; weight: Float64Array[] } {
  const m = skimageResizeMatrix(inSize, outSize, options);
  const rows: { i: number; w: number }[][] = [];
  for (let o = 0; o < outSize; o++) {
    const row: { i: number; w: number }[] = [];
    for (let i = 0; i < inSize; i++) if (m[o * inSize + i] !== 0) row.push({ i, w: m[o * inSize + i] });
    rows.push(row);
  }
  const taps = Math.max(1, ...rows.map((r) => r.length));
  const index = Array.from({ length: taps }, () => new Int32Array(outSize));
  const weight = Array.from({ length: taps }, () => new Float64Array(outSize));
  rows.forEach((row, o) =>
    row.forEach(({ i, w }, t) => {
      index[t][o] = i;
      weight[t][o] = w;
    }),
  );
  return { index, weight };
}
