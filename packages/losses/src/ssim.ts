/**
 * SSIM and MS-SSIM with `tf.image.ssim` / `tf.image.ssim_multiscale` semantics, as index functions and
 * as loss terms, with optional validity masks.
 */
import { DepthblocksError, checkRank, tf } from '@depthblocks/core';
import { checkPair, cleanTarget, resolveMask } from './mask';
import { registerLoss } from './registry';

/** Options of SSIM (defaults as `tf.image.ssim` and DenseDepth: 11 / 1.5 / 0.01 / 0.03). */
export interface SsimOptions {
  /** Dynamic range of the values (`max_val`). Default 1. DenseDepth uses 100 on 1000/depth_cm. */
  maxVal?: number;
  /** Gaussian window size in pixels (odd). Default 11. */
  filterSize?: number;
  /** Gaussian sigma. Default 1.5. */
  filterSigma?: number;
  /** Default 0.01. */
  k1?: number;
  /** Default 0.03. */
  k2?: number;
}

/** Options of MS-SSIM: those of SSIM plus the per-scale exponents. */
export interface MsSsimOptions extends SsimOptions {
  /** One exponent per scale. Default (0.0448, 0.2856, 0.3001, 0.2363, 0.1333) (Wang et al. 2003). */
  powerFactors?: number[];
}

/** `tf.image.ssim_multiscale`'s default power factors. */
export const MS_SSIM_POWER_FACTORS: readonly number[] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];

interface Resolved {
  maxVal: number;
  filterSize: number;
  filterSigma: number;
  k1: number;
  k2: number;
}

function resolve(o: SsimOptions | undefined, what: string): Resolved {
  const r = { maxVal: 1, filterSize: 11, filterSigma: 1.5, k1: 0.01, k2: 0.03, ...(o ?? {}) };
  if (!(r.maxVal > 0) || !Number.isFinite(r.maxVal)) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `${what}: maxVal must be a finite number > 0, got ${r.maxVal}; use the dynamic range of your values (1 for [0,1], 100 for DenseDepth's 1000/depth_cm)`,
    );
  }
  if (!Number.isInteger(r.filterSize) || r.filterSize < 1) {
    throw new DepthblocksError('INVALID_ARGUMENT', `${what}: filterSize must be a positive integer, got ${r.filterSize}`);
  }
  if (!(r.filterSigma > 0)) {
    throw new DepthblocksError('INVALID_ARGUMENT', `${what}: filterSigma must be > 0, got ${r.filterSigma}`);
  }
  return r;
}

/**
 * The 1-D Gaussian whose outer product is TensorFlow's SSIM window (`_fspecial_gauss`: the softmax of
 * -0.5 (x^2 + y^2) / sigma^2 over a size x size grid centred at (size - 1) / 2, which factorises exactly).
 */
export function gaussianWindow1d(size: number, sigma: number): Float32Array {
  const g = new Float64Array(size);
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const c = i - (size - 1) / 2;
    g[i] = Math.exp((-0.5 * c * c) / (sigma * sigma));
    sum += g[i];
  }
  return Float32Array.from(g, (v) => v / sum);
}

/** Separable 'valid' filtering of [B,H,W,1] planes with a 1-D kernel applied down then across. */
function filterValid(x: tf.Tensor4D, k: Float32Array): tf.Tensor4D {
  const size = k.length;
  const kv = tf.tensor4d(k, [size, 1, 1, 1]);
  const kh = tf.tensor4d(k, [1, size, 1, 1]);
  return tf.conv2d(tf.conv2d(x, kv, 1, 'valid'), kh, 1, 'valid');
}

/** [N,H,W,C] -> [N*C,H,W,1], plane index n * C + c. */
function toPlanes(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (c === 1) return x;
  return tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n * c, h, w, 1]);
}

/** Luminance x contrast-structure and contrast-structure maps (TensorFlow's `_ssim_helper`). */
function ssimMaps(x: tf.Tensor4D, y: tf.Tensor4D, k: Float32Array, o: Resolved): { lcs: tf.Tensor4D; cs: tf.Tensor4D } {
  const c1 = (o.k1 * o.maxVal) ** 2;
  const c2 = (o.k2 * o.maxVal) ** 2;
  const mean0 = filterValid(x, k);
  const mean1 = filterValid(y, k);
  const num0 = tf.mul(tf.mul(mean0, mean1), 2);
  const den0 = tf.add(tf.square(mean0), tf.square(mean1));
  const luminance = tf.div(tf.add(num0, c1), tf.add(den0, c1));
  const num1 = tf.mul(filterValid(tf.mul(x, y), k), 2);
  const den1 = filterValid(tf.add(tf.square(x), tf.square(y)), k);
  const cs = tf.div(tf.add(tf.sub(num1, num0), c2), tf.add(tf.sub(den1, den0), c2)) as tf.Tensor4D;
  return { lcs: tf.mul(luminance, cs) as tf.Tensor4D, cs };
}

/** 1 where every pixel of the size x size window is valid ([N,h',w',1], 'valid' positions). */
function windowValidity(mask: tf.Tensor4D, size: number): tf.Tensor4D {
  const count = filterValid(mask, new Float32Array(size).fill(1));
  return tf.cast(tf.greaterEqual(count, size * size - 0.5), 'float32') as tf.Tensor4D;
}

/**
 * Mean of a plane map [N*C,h,w,1] per image and channel -> [N,C], over the valid windows `wv`
 * ([N,h,w,1]) when given. `has` [N] is 1 where the image has at least one valid window.
 */
function planeMeans(map: tf.Tensor4D, n: number, c: number, wv: tf.Tensor4D | null): { mean: tf.Tensor2D; has: tf.Tensor1D } {
  const [, h, w] = map.shape;
  const m = tf.reshape(map, [n, c, h, w]);
  if (wv === null) return { mean: tf.mean(m, [2, 3]) as tf.Tensor2D, has: tf.ones([n]) };
  const wr = tf.reshape(wv, [n, 1, h, w]);
  const count = tf.sum(wr, [2, 3]); // [N,1]
  const mean = tf.div(tf.sum(tf.mul(m, wr), [2, 3]), tf.maximum(count, 1)) as tf.Tensor2D;
  return { mean, has: tf.cast(tf.greater(tf.reshape(count, [n]), 0), 'float32') as tf.Tensor1D };
}

function checkImages(img1: tf.Tensor, img2: tf.Tensor, what: string): void {
  checkRank(img1.shape, 4, `${what}: img1`);
  checkPair(img1, img2, what);
}

function tooSmall(what: string, h: number, w: number, size: number, extra = ''): DepthblocksError {
  return new DepthblocksError(
    'INVALID_ARGUMENT',
    `${what}: images must be at least ${size}x${size} for an ${size}-pixel window (valid filtering)${extra}, got ${h}x${w}; ` +
      'use larger images or a smaller filterSize',
  );
}

/** Per-image SSIM [N] (mean over channels) and which images had a valid window. Call inside tidy. */
function ssimPerImage(
  img1: tf.Tensor4D,
  img2: tf.Tensor4D,
  mask: tf.Tensor4D | null,
  o: Resolved,
  what: string,
): { value: tf.Tensor1D; has: tf.Tensor1D } {
  const [n, h, w, c] = img1.shape;
  if (h < o.filterSize || w < o.filterSize) throw tooSmall(what, h, w, o.filterSize);
  const k = gaussianWindow1d(o.filterSize, o.filterSigma);
  const { lcs } = ssimMaps(toPlanes(img1), toPlanes(img2), k, o);
  const wv = mask === null ? null : windowValidity(mask, o.filterSize);
  const { mean, has } = planeMeans(lcs, n, c, wv);
  return { value: tf.mean(mean, 1) as tf.Tensor1D, has };
}

/**
 * SSIM per image, exactly `tf.image.ssim(img1, img2, maxVal, 11, 1.5, 0.01, 0.03)`: Gaussian-weighted
 * local statistics with 'valid' filtering, averaged over positions, then over channels. Returns `[N]`.
 * With a mask, only window positions whose every pixel is valid are averaged (0 for an image with none).
 *
 * @example
 * const s = ssimIndex(a, b, { maxVal: 1 }); // tf.Tensor1D, one value per image
 */
export function ssimIndex(img1: tf.Tensor4D, img2: tf.Tensor4D, options?: SsimOptions, mask?: tf.Tensor4D): tf.Tensor1D {
  checkImages(img1, img2, 'ssimIndex');
  const o = resolve(options, 'ssimIndex');
  return tf.tidy(() => {
    const m = mask === undefined ? null : resolveMask(img1, mask, 'ssimIndex');
    const { value, has } = ssimPerImage(img1, img2, m, o, 'ssimIndex');
    return tf.mul(value, has) as tf.Tensor1D;
  });
}

/**
 * SSIM loss as DenseDepth uses it: `clip((1 - SSIM(yTrue, yPred)) / 2, 0, 1)`, per image, averaged
 * over the batch. With a mask, SSIM averages only windows that lie wholly on valid pixels, and images
 * with no such window are left out of the batch mean (an all-invalid batch gives 0).
 *
 * @example
 * const loss = ssim(yTrue, yPred, mask, { maxVal: 100 }); // DenseDepth, on 1000 / depth_cm
 */
export function ssim(yTrue: tf.Tensor4D, yPred: tf.Tensor4D, mask?: tf.Tensor4D, options?: SsimOptions): tf.Scalar {
  checkImages(yTrue, yPred, 'ssim');
  const o = resolve(options, 'ssim');
  return tf.tidy(() => {
    const m = mask === undefined ? null : resolveMask(yTrue, mask, 'ssim');
    const t = m === null ? yTrue : cleanTarget(yTrue, m);
    const { value, has } = ssimPerImage(t, yPred, m, o, 'ssim');
    const perImage = tf.clipByValue(tf.mul(tf.sub(1, value), 0.5), 0, 1);
    return tf.div(tf.sum(tf.mul(perImage, has)), tf.maximum(tf.sum(has), 1)) as tf.Scalar;
  });
}

/** x -> x^p for x > 0, 0 otherwise, with a finite gradient everywhere (TF's relu(x)^p). */
function positivePow(x: tf.Tensor, p: number): tf.Tensor {
  // tf.step has a zero gradient (comparison ops have none in tfjs)
  return tf.mul(tf.step(x), tf.pow(tf.maximum(x, 1e-30), p));
}

/** Repeats the last row / column when odd (TF's SYMMETRIC pad by the remainder), then 2x2 average pool. */
function downsample(x: tf.Tensor4D): tf.Tensor4D {
  let y = x;
  const [b, h, w, c] = y.shape;
  if (h % 2 === 1) y = tf.concat([y, tf.slice(y, [0, h - 1, 0, 0], [b, 1, w, c])], 1);
  const h2 = y.shape[1];
  if (w % 2 === 1) y = tf.concat([y, tf.slice(y, [0, 0, w - 1, 0], [b, h2, 1, c])], 2);
  return tf.avgPool(y, 2, 2, 'valid');
}

/** Per-image MS-SSIM [N] and which images had valid windows at every scale. Call inside tidy. */
function msSsimPerImage(
  img1: tf.Tensor4D,
  img2: tf.Tensor4D,
  mask: tf.Tensor4D | null,
  o: Resolved,
  powers: number[],
  what: string,
): { value: tf.Tensor1D; has: tf.Tensor1D } {
  const [n, h0, w0, c] = img1.shape;
  let h = h0;
  let w = w0;
  for (let s = 0; s < powers.length; s++) {
    if (s > 0) {
      h = Math.ceil(h / 2);
      w = Math.ceil(w / 2);
    }
    if (h < o.filterSize || w < o.filterSize) {
      throw tooSmall(what, h0, w0, o.filterSize, ` at each of ${powers.length} scales (scale ${s} would be ${h}x${w})`);
    }
  }
  const k = gaussianWindow1d(o.filterSize, o.filterSigma);
  let x = toPlanes(img1);
  let y = toPlanes(img2);
  let m = mask;
  let has: tf.Tensor1D = tf.ones([n]);
  let product: tf.Tensor = tf.ones([n, c]);
  for (let s = 0; s < powers.length; s++) {
    if (s > 0) {
      x = downsample(x);
      y = downsample(y);
      if (m !== null) m = tf.cast(tf.greaterEqual(downsample(m), 1 - 1e-6), 'float32') as tf.Tensor4D;
    }
    const maps = ssimMaps(x, y, k, o);
    const wv = m === null ? null : windowValidity(m, o.filterSize);
    const last = s === powers.length - 1;
    const { mean, has: hs } = planeMeans(last ? maps.lcs : maps.cs, n, c, wv);
    product = tf.mul(product, positivePow(mean, powers[s]));
    has = tf.mul(has, hs);
  }
  return { value: tf.mean(product, 1) as tf.Tensor1D, has };
}

function resolvePowers(o: MsSsimOptions | undefined, what: string): number[] {
  const p = o?.powerFactors ?? [...MS_SSIM_POWER_FACTORS];
  if (p.length < 1 || p.some((v) => !Number.isFinite(v))) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `${what}: powerFactors must be a non-empty list of finite numbers, got [${p.join(', ')}]`,
    );
  }
  return p;
}

/**
 * MS-SSIM per image, exactly `tf.image.ssim_multiscale`: contrast-structure at every scale but the
 * last, full SSIM at the last, each clamped at 0 and raised to its power factor, multiplied, then
 * averaged over channels. Between scales images are 2x2 average-pooled after repeating the last
 * row / column of odd sizes. Needs images of at least 161 x 161 for the default 5 scales and 11 window.
 *
 * @example
 * const s = msSsimIndex(a, b, { maxVal: 1 }); // tf.Tensor1D [N]
 */
export function msSsimIndex(img1: tf.Tensor4D, img2: tf.Tensor4D, options?: MsSsimOptions, mask?: tf.Tensor4D): tf.Tensor1D {
  checkImages(img1, img2, 'msSsimIndex');
  const o = resolve(options, 'msSsimIndex');
  const powers = resolvePowers(options, 'msSsimIndex');
  return tf.tidy(() => {
    const m = mask === undefined ? null : resolveMask(img1, mask, 'msSsimIndex');
    const { value, has } = msSsimPerImage(img1, img2, m, o, powers, 'msSsimIndex');
    return tf.mul(value, has) as tf.Tensor1D;
  });
}

/**
 * MS-SSIM loss `1 - MS-SSIM(yTrue, yPred)` per image, averaged over the batch (in [0, 1]). With a
 * mask, each scale averages only windows lying wholly on valid pixels (a pooled pixel is valid when
 * its four sources are); images with no valid window at some scale are left out (all: 0).
 *
 * @example
 * const loss = msSsim(yTrue, yPred, mask, { maxVal: 1 }); // images >= 161 x 161
 */
export function msSsim(yTrue: tf.Tensor4D, yPred: tf.Tensor4D, mask?: tf.Tensor4D, options?: MsSsimOptions): tf.Scalar {
  checkImages(yTrue, yPred, 'msSsim');
  const o = resolve(options, 'msSsim');
  const powers = resolvePowers(options, 'msSsim');
  return tf.tidy(() => {
    const m = mask === undefined ? null : resolveMask(yTrue, mask, 'msSsim');
    const t = m === null ? yTrue : cleanTarget(yTrue, m);
    const { value, has } = msSsimPerImage(t, yPred, m, o, powers, 'msSsim');
    return tf.div(tf.sum(tf.mul(tf.sub(1, value), has)), tf.maximum(tf.sum(has), 1)) as tf.Scalar;
  });
}

declare module './registry' {
  interface LossTermOptionsByName {
    ssim: SsimOptions;
    msSsim: MsSsimOptions;
  }
}

registerLoss('ssim', (o?: SsimOptions) => (t, p, m) => ssim(t, p, m, o), {
  description: 'clip((1 - SSIM) / 2, 0, 1), SSIM as tf.image.ssim (Gaussian 11, sigma 1.5)',
});
registerLoss('msSsim', (o?: MsSsimOptions) => (t, p, m) => msSsim(t, p, m, o), { description: 'Multi-scale SSIM loss' });
