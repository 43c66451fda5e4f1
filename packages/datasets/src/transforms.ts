/**
 * Sample transforms on typed arrays (resize, crop, flip, channel permutation). (Depth normalisations, the
 * training targets, are @depthblocks/core's depthToTarget.) Random transforms take a core `Rng`, so a seed fixes
 * every augmentation. Geometric transforms keep `intrinsics` and DIW `pairs` consistent.
 */
import { DepthblocksError, Rng, type Intrinsics, type OrdinalPair, type Sample } from '@depthblocks/core';

/** A sample transform; random ones draw from `rng` (deterministic ones ignore it). */
export type Transform = (sample: Sample, rng: Rng) => Sample;

/** How depth is resampled: `nearest` (default; never mixes depths across edges) or `valid-bilinear` (bilinear over valid neighbours only). */
export type DepthResize = 'nearest' | 'valid-bilinear';

function checkSize(h: number, w: number, what: string): void {
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) {
    throw new DepthblocksError('INVALID_ARGUMENT', `${what}: size must be positive integers, got ${h}x${w} (height x width)`);
  }
}

/**
 * Composes transforms left to right.
 *
 * @example
 * const aug = compose(randomHorizontalFlip(0.5), randomChannelPermutation(0.25));
 * const out = aug(sample, new Rng(1));
 */
export function compose(...transforms: Transform[]): Transform {
  return (s, rng) => transforms.reduce((acc, t) => t(acc, rng), s);
}

/**
 * Bilinear resize of interleaved 8-bit channels with half-pixel centres (as tf.image.resize
 * 'bilinear' and OpenCV INTER_LINEAR; no antialiasing), rounded to nearest.
 */
export function resizeBilinearU8(src: Uint8Array, h: number, w: number, channels: number, outH: number, outW: number): Uint8Array {
  const out = new Uint8Array(outH * outW * channels);
  const sy = h / outH;
  const sx = w / outW;
  const x0s = new Int32Array(outW);
  const x1s = new Int32Array(outW);
  const fxs = new Float64Array(outW);
  for (let x = 0; x < outW; x++) {
    const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
    x0s[x] = Math.floor(fx);
    x1s[x] = Math.min(x0s[x] + 1, w - 1);
    fxs[x] = fx - x0s[x];
  }
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    for (let x = 0; x < outW; x++) {
      const wx = fxs[x];
      const a = (y0 * w + x0s[x]) * channels;
      const b = (y0 * w + x1s[x]) * channels;
      const c = (y1 * w + x0s[x]) * channels;
      const d = (y1 * w + x1s[x]) * channels;
      const o = (y * outW + x) * channels;
      for (let k = 0; k < channels; k++) {
        const top = src[a + k] + (src[b + k] - src[a + k]) * wx;
        const bot = src[c + k] + (src[d + k] - src[c + k]) * wx;
        out[o + k] = Math.round(top + (bot - top) * wy);
      }
    }
  }
  return out;
}

/** Nearest-neighbour resize of a single-channel float map: source index floor((i + 0.5) * in / out). */
export function resizeNearestF32(src: Float32Array, h: number, w: number, outH: number, outW: number): Float32Array {
  const out = new Float32Array(outH * outW);
  const xs = new Int32Array(outW);
  for (let x = 0; x < outW; x++) xs[x] = Math.min(w - 1, Math.floor(((x + 0.5) * w) / outW));
  for (let y = 0; y < outH; y++) {
    const sy = Math.min(h - 1, Math.floor(((y + 0.5) * h) / outH));
    for (let x = 0; x < outW; x++) out[y * outW + x] = src[sy * w + xs[x]];
  }
  return out;
}

/**
 * Bilinear resize of depth that only mixes valid (> 0) neighbours, renormalising their weights;
 * an output pixel with no valid neighbour is 0 (invalid).
 */
export function resizeValidBilinearF32(src: Float32Array, h: number, w: number, outH: number, outW: number): Float32Array {
  const out = new Float32Array(outH * outW);
  const sy = h / outH;
  const sx = w / outW;
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const wx = fx - x0;
      const vals = [src[y0 * w + x0], src[y0 * w + x1], src[y1 * w + x0], src[y1 * w + x1]];
      const wts = [(1 - wx) * (1 - wy), wx * (1 - wy), (1 - wx) * wy, wx * wy];
      let sum = 0;
      let wsum = 0;
      for (let k = 0; k < 4; k++) {
        if (vals[k] > 0) {
          sum += vals[k] * wts[k];
          wsum += wts[k];
        }
      }
      out[y * outW + x] = wsum > 1e-12 ? sum / wsum : 0;
    }
  }
  return out;
}

/** Rescales 0-based pair coordinates from h x w to outH x outW: floor(v * out / in), clamped into the image. */
export function rescalePairs(pairs: OrdinalPair[], h: number, w: number, outH: number, outW: number): OrdinalPair[] {
  const ry = (v: number): number => Math.min(outH - 1, Math.max(0, Math.floor((v * outH) / h)));
  const rx = (v: number): number => Math.min(outW - 1, Math.max(0, Math.floor((v * outW) / w)));
  return pairs.map((p) => ({ ya: ry(p.ya), xa: rx(p.xa), yb: ry(p.yb), xb: rx(p.xb), relation: p.relation }));
}

function scaleIntrinsics(k: Intrinsics, h: number, w: number, outH: number, outW: number): Intrinsics {
  const ax = outW / w;
  const ay = outH / h;
  return { fx: k.fx * ax, fy: k.fy * ay, cx: (k.cx + 0.5) * ax - 0.5, cy: (k.cy + 0.5) * ay - 0.5 };
}

/**
 * Resizes a sample: RGB bilinear, depth nearest (default) or validity-aware bilinear; intrinsics and
 * DIW pairs follow.
 *
 * @example
 * const small = resizeSample(sample, 240, 320); // height, width
 */
export function resizeSample(s: Sample, height: number, width: number, depthMode: DepthResize = 'nearest'): Sample {
  checkSize(height, width, 'resize');
  if (s.height === height && s.width === width) return s;
  const depth =
    depthMode === 'nearest'
      ? resizeNearestF32(s.depth, s.height, s.width, height, width)
      : resizeValidBilinearF32(s.depth, s.height, s.width, height, width);
  const out: Sample = { id: s.id, rgb: resizeBilinearU8(s.rgb, s.height, s.width, 3, height, width), depth, width, height };
  if (s.pairs) out.pairs = rescalePairs(s.pairs, s.height, s.width, height, width);
  if (s.intrinsics) out.intrinsics = scaleIntrinsics(s.intrinsics, s.height, s.width, height, width);
  return out;
}

/**
 * Transform form of {@link resizeSample}.
 *
 * @example
 * const t = resize({ height: 240, width: 320, depth: 'valid-bilinear' });
 */
export function resize(opts: { height: number; width: number; depth?: DepthResize }): Transform {
  checkSize(opts.height, opts.width, 'resize');
  return (s) => resizeSample(s, opts.height, opts.width, opts.depth ?? 'nearest');
}

/**
 * Crops `height x width` pixels at (`top`, `left`). Pairs outside the crop are dropped; the
 * principal point shifts.
 *
 * @example
 * const c = cropSample(sample, 0, 0, 32, 32);
 */
export function cropSample(s: Sample, top: number, left: number, height: number, width: number): Sample {
  checkSize(height, width, 'crop');
  if (!Number.isInteger(top) || !Number.isInteger(left) || top < 0 || left < 0 || top + height > s.height || left + width > s.width) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `crop ${height}x${width} at (top ${top}, left ${left}) does not fit sample '${s.id}' of ${s.height}x${s.width}; resize first or crop smaller`,
    );
  }
  const rgb = new Uint8Array(height * width * 3);
  const depth = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    const srcRow = (top + y) * s.width + left;
    rgb.set(s.rgb.subarray(srcRow * 3, (srcRow + width) * 3), y * width * 3);
    depth.set(s.depth.subarray(srcRow, srcRow + width), y * width);
  }
  const out: Sample = { id: s.id, rgb, depth, width, height };
  if (s.pairs) {
    const inside = (y: number, x: number): boolean => y >= top && y < top + height && x >= left && x < left + width;
    out.pairs = s.pairs
      .filter((p) => inside(p.ya, p.xa) && inside(p.yb, p.xb))
      .map((p) => ({ ya: p.ya - top, xa: p.xa - left, yb: p.yb - top, xb: p.xb - left, relation: p.relation }));
  }
  if (s.intrinsics) out.intrinsics = { ...s.intrinsics, cx: s.intrinsics.cx - left, cy: s.intrinsics.cy - top };
  return out;
}

/**
 * A random crop of `height x width`, position uniform over all valid offsets.
 *
 * @example
 * const t = randomCrop({ height: 224, width: 224 });
 */
export function randomCrop(opts: { height: number; width: number }): Transform {
  checkSize(opts.height, opts.width, 'randomCrop');
  return (s, rng) => {
    if (opts.height > s.height || opts.width > s.width) {
      throw new DepthblocksError(
        'INVALID_ARGUMENT',
        `randomCrop ${opts.height}x${opts.width} is larger than sample '${s.id}' (${s.height}x${s.width}); resize first`,
      );
    }
    const top = rng.int(s.height - opts.height + 1);
    const left = rng.int(s.width - opts.width + 1);
    return cropSample(s, top, left, opts.height, opts.width);
  };
}

/**
 * A centred crop (offsets floored).
 *
 * @example
 * const t = centerCrop({ height: 448, width: 608 });
 */
export function centerCrop(opts: { height: number; width: number }): Transform {
  checkSize(opts.height, opts.width, 'centerCrop');
  return (s) => cropSample(s, Math.floor((s.height - opts.height) / 2), Math.floor((s.width - opts.width) / 2), opts.height, opts.width);
}

/**
 * Mirrors a sample left-right (x -> W-1-x for pixels, pairs and the principal point).
 *
 * @example
 * const m = flipSample(sample);
 */
export function flipSample(s: Sample): Sample {
  const { width: w, height: h } = s;
  const rgb = new Uint8Array(s.rgb.length);
  const depth = new Float32Array(s.depth.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const j = y * w + (w - 1 - x);
      depth[j] = s.depth[i];
      rgb[j * 3] = s.rgb[i * 3];
      rgb[j * 3 + 1] = s.rgb[i * 3 + 1];
      rgb[j * 3 + 2] = s.rgb[i * 3 + 2];
    }
  }
  const out: Sample = { id: s.id, rgb, depth, width: w, height: h };
  if (s.pairs) out.pairs = s.pairs.map((p) => ({ ya: p.ya, xa: w - 1 - p.xa, yb: p.yb, xb: w - 1 - p.xb, relation: p.relation }));
  if (s.intrinsics) out.intrinsics = { ...s.intrinsics, cx: w - 1 - s.intrinsics.cx };
  return out;
}

/**
 * Horizontal flip with probability `p` (DenseDepth: 0.5).
 *
 * @example
 * const t = randomHorizontalFlip(0.5);
 */
export function randomHorizontalFlip(p = 0.5): Transform {
  checkProbability(p, 'randomHorizontalFlip');
  return (s, rng) => (rng.bernoulli(p) ? flipSample(s) : s);
}

/**
 * Reorders the RGB channels: output channel c takes input channel `perm[c]`.
 *
 * @example
 * const bgr = permuteChannels(sample, [2, 1, 0]);
 */
export function permuteChannels(s: Sample, perm: readonly [number, number, number] | number[]): Sample {
  const ok = perm.length === 3 && [0, 1, 2].every((c) => perm.includes(c));
  if (!ok)
    throw new DepthblocksError('INVALID_ARGUMENT', `permuteChannels: perm must be a permutation of [0, 1, 2], got [${perm.join(', ')}]`);
  const rgb = new Uint8Array(s.rgb.length);
  const [a, b, c] = perm;
  for (let i = 0; i < rgb.length; i += 3) {
    rgb[i] = s.rgb[i + a];
    rgb[i + 1] = s.rgb[i + b];
    rgb[i + 2] = s.rgb[i + c];
  }
  return { ...s, rgb };
}

/**
 * With probability `p`, applies a uniformly random permutation of the RGB channels (as DenseDepth's
 * augmentation; the draw may be the identity). The brief uses p = 0.25, DenseDepth's code 0.5.
 *
 * @example
 * const t = randomChannelPermutation(0.25);
 */
export function randomChannelPermutation(p = 0.25): Transform {
  checkProbability(p, 'randomChannelPermutation');
  return (s, rng) => {
    if (!rng.bernoulli(p)) return s;
    return permuteChannels(s, rng.shuffle([0, 1, 2]));
  };
}

function checkProbability(p: number, what: string): void {
  if (!(p >= 0 && p <= 1)) throw new DepthblocksError('INVALID_ARGUMENT', `${what}: probability must be in [0, 1], got ${p}`);
}

/**
 * The KITTI "KB crop" (BTS/AdaBins): the bottom-centre 352x1216 window, top = H-352,
 * left = floor((W-1216)/2). Samples smaller than that are an error.
 *
 * @example
 * const c = kbCropSample(kittiSample); // 352x1216
 */
export function kbCropSample(s: Sample): Sample {
  if (s.height < 352 || s.width < 1216) {
    throw new DepthblocksError('INVALID_ARGUMENT', `KB crop needs at least 352x1216, sample '${s.id}' is ${s.height}x${s.width}`);
  }
  return cropSample(s, s.height - 352, Math.floor((s.width - 1216) / 2), 352, 1216);
}
