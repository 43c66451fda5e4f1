/**
 * The working resolution: the size at which a model sees a photo. A model with a fixed input size sees that
 * size; a model trained at a known size sees the photo scaled to that size's long side; any other model sees
 * the photo scaled down to at most {@link DEFAULT_MAX_SIZE} pixels on its long side. Sizes are rounded to
 * multiples of 32 (the encoders' output stride), so that no decoder has to crop or pad.
 */
import { DepthblocksError } from '@depthblocks/core';
import type { DepthModelConfig } from './config';

/** Long side of the working resolution for models without a fixed or recorded size. */
export const DEFAULT_MAX_SIZE = 640;

/** Options of {@link workingSize}. */
export interface WorkingSizeOptions {
  /** Exactly this [height, width]. */
  size?: [number, number];
  /** At most this many pixels on the long side (default: the training size's long side, else 640). */
  maxSize?: number;
}

/** [height, width] the model was trained at, when the config records it (fixed input, or metadata). */
export function trainingSize(config: DepthModelConfig): [number, number] | undefined {
  const { height, width } = config.input;
  if (height && width) return [height, width];
  const t = config.metadata?.trainingInputSize;
  if (Array.isArray(t) && t.length === 2 && t.every((v) => Number.isInteger(v) && v > 0)) return t as [number, number];
  return undefined;
}

const round32 = (v: number): number => Math.max(32, Math.round(v / 32) * 32);

/**
 * The [height, width] at which `config`'s model predicts an image of `image`'s size.
 *
 * @example
 * workingSize(dm.config, { width: 4000, height: 3000 });                 // e.g. [480, 640] (long side 640)
 * workingSize(dm.config, { width: 4000, height: 3000 }, { maxSize: 320 }); // [256, 320]
 */
export function workingSize(
  config: DepthModelConfig,
  image: { width: number; height: number },
  options: WorkingSizeOptions = {},
): [number, number] {
  const fixed = config.input.height && config.input.width ? ([config.input.height, config.input.width] as [number, number]) : undefined;
  if (options.size) {
    const [h, w] = options.size;
    if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0))
      throw new DepthblocksError('INVALID_ARGUMENT', `size must be [height, width] in pixels, got ${JSON.stringify(options.size)}`);
    if (fixed && (fixed[0] !== h || fixed[1] !== w)) {
      throw new DepthblocksError(
        'SHAPE_MISMATCH',
        `The model takes ${fixed[1]}x${fixed[0]} images (width x height) only; a working size of ${w}x${h} cannot be used. ` +
          'Leave the size out, or rebuild the model with another inputSize.',
      );
    }
    return [h, w];
  }
  if (fixed) return fixed;
  if (options.maxSize !== undefined && !(Number.isInteger(options.maxSize) && options.maxSize >= 32))
    throw new DepthblocksError('INVALID_ARGUMENT', `maxSize must be an integer >= 32, got ${options.maxSize}`);
  const trained = trainingSize(config);
  const maxSize = options.maxSize ?? (trained ? Math.max(...trained) : DEFAULT_MAX_SIZE);
  const scale = Math.min(1, maxSize / Math.max(image.width, image.height));
  return [round32(image.height * scale), round32(image.width * scale)];
}

/**
 * Resizes 8-bit RGB (H*W*3) by area averaging when shrinking (every source pixel counts, so a 4000 px photo
 * brought down to 64 px does not alias) and bilinear interpolation (half-pixel centres) when enlarging.
 * Returns float32 values in [0, 1], ready for a model.
 *
 * @example
 * const x = resizeRgbToUnit(img.data, 4000, 3000, 640, 480); // Float32Array of 480*640*3
 */
export function resizeRgbToUnit(rgb: Uint8Array, w: number, h: number, ow: number, oh: number): Float32Array {
  if (rgb.length !== w * h * 3) throw new DepthblocksError('SHAPE_MISMATCH', `rgb has ${rgb.length} bytes, expected ${w}x${h}x3`);
  // straight from the bytes (no float copy of a 12-megapixel photo; Float32Array.from with a map function
  // alone takes seconds); 1/255 folds into the second pass
  const rows = resample1d(rgb, h, w, ow, 3); // [h, ow, 3], 0..255
  return resample1dRows(rows, h, oh, ow * 3, 1 / 255); // [oh, ow, 3], 0..1
}

/**
 * Weights of each output sample over the input samples of one axis (area when shrinking, bilinear when not),
 * flattened: output o uses inputs idx[off[o]..off[o+1]) with weights wt[...].
 */
function axisWeights(n: number, on: number): { off: Int32Array; idx: Int32Array; wt: Float32Array } {
  const scale = n / on;
  const idx: number[] = [];
  const wt: number[] = [];
  const off = new Int32Array(on + 1);
  for (let o = 0; o < on; o++) {
    if (scale > 1) {
      const a = o * scale;
      const b = (o + 1) * scale;
      for (let i = Math.floor(a); i < Math.min(n, Math.ceil(b)); i++) {
        idx.push(i);
        wt.push((Math.min(b, i + 1) - Math.max(a, i)) / scale);
      }
    } else {
      const c = Math.min(n - 1, Math.max(0, (o + 0.5) * scale - 0.5));
      const i0 = Math.floor(c);
      const f = c - i0;
      idx.push(i0);
      wt.push(i0 + 1 < n ? 1 - f : 1);
      if (i0 + 1 < n) {
        idx.push(i0 + 1);
        wt.push(f);
      }
    }
    off[o + 1] = idx.length;
  }
  return { off, idx: Int32Array.from(idx), wt: Float32Array.from(wt) };
}

/** Resamples the width axis of [h, w, c] to [h, ow, c]. */
function resample1d(src: Uint8Array, h: number, w: number, ow: number, c: number): Float32Array {
  const { off, idx, wt } = axisWeights(w, ow);
  const out = new Float32Array(h * ow * c);
  for (let y = 0; y < h; y++) {
    const row = y * w * c;
    for (let x = 0; x < ow; x++) {
      const o = (y * ow + x) * c;
      for (let j = off[x]; j < off[x + 1]; j++) {
        const k = wt[j];
        const p = row + idx[j] * c;
        for (let ch = 0; ch < c; ch++) out[o + ch] += k * src[p + ch];
      }
    }
  }
  return out;
}

/** Resamples the row axis of [h, rowLength] to [oh, rowLength]. */
function resample1dRows(src: Float32Array, h: number, oh: number, rowLength: number, gain = 1): Float32Array {
  const { off, idx, wt } = axisWeights(h, oh);
  const out = new Float32Array(oh * rowLength);
  for (let y = 0; y < oh; y++) {
    const o = y * rowLength;
    for (let j = off[y]; j < off[y + 1]; j++) {
      const k = wt[j] * gain;
      const r = idx[j] * rowLength;
      for (let i = 0; i < rowLength; i++) out[o + i] += k * src[r + i];
    }
  }
  return out;
}
