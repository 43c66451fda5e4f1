/**
 * Depth for a photo of any size: the model sees it at a working resolution (see working-size.ts) and the depth
 * comes back at the photo's size; or, for full resolution, overlapping tiles at the working resolution are
 * predicted and blended. Memory is checked before every forward pass (OUT_OF_MEMORY instead of a hang).
 */
import { DepthblocksError, tf } from '@depthblocks/core';
import type { DepthModel } from './create-model';
import { predict } from './predict';
import { OnnxModel } from './onnx/runtime';
import { resizeRgbToUnit, workingSize, type WorkingSizeOptions } from './working-size';

/** Options of {@link predictImage}. */
export interface PredictImageOptions extends WorkingSizeOptions {
  flipTTA?: boolean;
  /**
   * Full resolution by tiles: tiles of the working size cover the image with `overlap` (fraction of a tile,
   * default 0.25), each predicted at full resolution and blended with tent weights. Each tile's depth is
   * scaled to agree (median ratio) with a whole-image prediction at the working size, so that tiles share
   * one scale. Default false.
   */
  tile?: boolean | { overlap?: number };
  /** Tiles per forward pass (default 4). */
  batchSize?: number;
}

/** What {@link predictImage} returns: depth in metres at the image's size. */
export interface ImageDepth {
  depth: Float32Array;
  width: number;
  height: number;
  /** [height, width] the model saw (the tile size when tiling). */
  workingSize: [number, number];
  /** Number of tiles (1 without tiling). */
  tiles: number;
}

/** RGB bytes -> [1, oh, ow, 3] in [0, 1] (area downscaling). */
function toInput(rgb: Uint8Array, w: number, h: number, ow: number, oh: number): tf.Tensor4D {
  return tf.tensor4d(resizeRgbToUnit(rgb, w, h, ow, oh), [1, oh, ow, 3]);
}

/** [N, h, w, 1] depth -> [N, oh, ow, 1] (bilinear, half-pixel centres). */
function resizeDepth(d: tf.Tensor4D, oh: number, ow: number): tf.Tensor4D {
  return d.shape[1] === oh && d.shape[2] === ow ? d : tf.image.resizeBilinear(d, [oh, ow], false, true);
}

/** Evenly spaced tile starts covering `n` with tiles of `t` and at most `t * (1 - overlap)` between starts. */
function tileStarts(n: number, t: number, overlap: number): number[] {
  if (n <= t) return [0];
  const stride = Math.max(1, Math.floor(t * (1 - overlap)));
  const count = Math.ceil((n - t) / stride) + 1;
  return Array.from({ length: count }, (_, i) => Math.round((i * (n - t)) / (count - 1)));
}

/** Tent weights over a tile axis: low at the edges, 1 in the middle, never 0. */
function tent(t: number): Float32Array {
  const w = new Float32Array(t);
  for (let i = 0; i < t; i++) w[i] = Math.max(1e-3, Math.min(1, (Math.min(i, t - 1 - i) + 0.5) / (t / 4)));
  return w;
}

function median(v: number[]): number {
  if (!v.length) return NaN;
  v.sort((a, b) => a - b);
  return v[v.length >> 1];
}

/**
 * Predicts depth (metres) for an 8-bit RGB image of any size, at the image's size. `dm` may also be an
 * {@link OnnxModel} (ONNX Runtime), with the same working size, tiles and result.
 *
 * @example
 * const img = await decodeRgb(fs.readFileSync('photo.jpg'));             // 4000x3000
 * const { depth, workingSize } = await predictImage(dm, { rgb: img.data, width: img.width, height: img.height });
 * // depth.length === 4000 * 3000; workingSize e.g. [480, 640]
 */
export async function predictImage(
  dm: DepthModel | OnnxModel,
  image: { rgb: Uint8Array; width: number; height: number },
  options: PredictImageOptions = {},
): Promise<ImageDepth> {
  const { rgb, width: W, height: H } = image;
  if (!(Number.isInteger(W) && Number.isInteger(H) && W > 0 && H > 0) || rgb.length !== W * H * 3)
    throw new DepthblocksError('SHAPE_MISMATCH', `image: rgb has ${rgb.length} bytes, expected ${W}x${H}x3`);
  if (!dm.config) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      'predictImage: this ONNX model records no depthblocks config (it was exported from a bare tf.LayersModel), so its ' +
        'working size is unknown; export the DepthModel instead (exportOnnx(dm)), or resize the image yourself and call predict()',
    );
  }
  const [th, tw] = workingSize(dm.config, image, options);
  const flipTTA = options.flipTTA ?? false;
  // at the working size as DenseDepth's scale_up does (see predict's outputSize), then to `[oh, ow]`
  const forward = async (x: tf.Tensor4D, oh: number, ow: number): Promise<tf.Tensor4D> => {
    const o = { flipTTA, outputSize: 'input' as const };
    let y: tf.Tensor4D;
    try {
      y = dm instanceof OnnxModel ? await predict(dm, x, o) : predict(dm, x, o);
    } finally {
      x.dispose();
    }
    const r = resizeDepth(y, oh, ow);
    if (r !== y) y.dispose();
    return r;
  };
  // whole image at the working size
  const whole = await forward(toInput(rgb, W, H, tw, th), H, W);
  const global = (await whole.data()) as Float32Array;
  whole.dispose();
  if (!options.tile || (W <= tw && H <= th)) return { depth: global, width: W, height: H, workingSize: [th, tw], tiles: 1 };

  const overlap = typeof options.tile === 'object' ? (options.tile.overlap ?? 0.25) : 0.25;
  if (!(overlap >= 0 && overlap < 1)) throw new DepthblocksError('INVALID_ARGUMENT', `tile.overlap must be in [0, 1), got ${overlap}`);
  if (W < tw || H < th) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `Tiling needs an image at least as large as a tile (${tw}x${th}); this one is ${W}x${H}. Predict it without tiling.`,
    );
  }
  const ys = tileStarts(H, th, overlap);
  const xs = tileStarts(W, tw, overlap);
  const tiles = ys.flatMap((y) => xs.map((x) => [y, x] as [number, number]));
  const acc = new Float32Array(W * H);
  const wsum = new Float32Array(W * H);
  const wy = tent(th);
  const wx = tent(tw);
  const batchSize = options.batchSize ?? 4;
  for (let b = 0; b < tiles.length; b += batchSize) {
    const group = tiles.slice(b, b + batchSize);
    const batch = tf.tidy(() => {
      const crops = group.map(([y0, x0]) => {
        const crop = new Uint8Array(th * tw * 3);
        for (let y = 0; y < th; y++) crop.set(rgb.subarray(((y0 + y) * W + x0) * 3, ((y0 + y) * W + x0 + tw) * 3), y * tw * 3);
        return toInput(crop, tw, th, tw, th);
      });
      return tf.concat(crops, 0) as tf.Tensor4D;
    });
    const out = await forward(batch, th, tw);
    const d = (await out.data()) as Float32Array;
    out.dispose();
    group.forEach(([y0, x0], k) => {
      const off = k * th * tw;
      // one scale with the whole-image prediction: median of global / tile over the tile's valid pixels
      const ratios: number[] = [];
      for (let i = 0; i < th * tw; i += 7) {
        const g = global[(y0 + Math.floor(i / tw)) * W + x0 + (i % tw)];
        const t = d[off + i];
        if (g > 0 && t > 0 && Number.isFinite(g) && Number.isFinite(t)) ratios.push(g / t);
      }
      const s = median(ratios);
      const scale = Number.isFinite(s) && s > 0 ? s : 1;
      for (let y = 0; y < th; y++) {
        const row = (y0 + y) * W + x0;
        for (let x = 0; x < tw; x++) {
          const w = wy[y] * wx[x];
          acc[row + x] += w * scale * d[off + y * tw + x];
          wsum[row + x] += w;
        }
      }
    });
  }
  for (let i = 0; i < acc.length; i++) acc[i] /= wsum[i];
  return { depth: acc, width: W, height: H, workingSize: [th, tw], tiles: tiles.length };
}
