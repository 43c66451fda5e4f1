/**
 * How depth in metres maps to a model's training target and back: one definition of each mapping, one
 * vocabulary, and the same result on tensors and on typed arrays.
 *
 * - `densedepth`: y = maxDepth / clip(d, minDepth, maxDepth): DenseDepth's 1000 / clip(depth_cm, 10, 1000)
 *   with minDepth 0.1 m and maxDepth 10 m (y in [1, 100]); back: d = clip(maxDepth / y, minDepth, maxDepth).
 * - `unit`: y = min(d / maxDepth, 1) in [0, 1]; back: d = y * maxDepth.
 * - `log`: y = ln(d); back: d = exp(y).
 * - `none`: y = d (metres).
 *
 * Invalid depth (<= 0, NaN, +-Infinity) becomes target 0 under every kind, on both paths: the validity mask
 * (1 where 0 < d < Infinity, as the batcher and `validMask` make it) excludes those pixels from losses.
 */
import { z } from 'zod';
import { tf } from './tf';
import { parseWithSchema } from './schema';

const metres = z.number().positive();

/** The schema of a {@link DepthNormalization} (strict: unknown keys are errors). */
export const depthNormalizationSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('densedepth'), minDepth: metres, maxDepth: metres }),
    z.strictObject({ kind: z.literal('unit'), maxDepth: metres }),
    z.strictObject({ kind: z.literal('log') }),
    z.strictObject({ kind: z.literal('none') }),
  ])
  .refine((n) => n.kind !== 'densedepth' || n.minDepth < n.maxDepth, { message: 'minDepth must be below maxDepth', path: ['minDepth'] });

/** How a model's output relates to metres; see the module comment for each kind's formula. */
export type DepthNormalization = z.infer<typeof depthNormalizationSchema>;

/**
 * Checks a normalisation and returns it, or throws `DepthblocksError('INVALID_CONFIG')`.
 *
 * @example
 * checkDepthNormalization({ kind: 'unit', maxDepth: 10 }); // ok
 * checkDepthNormalization({ kind: 'unit' });               // throws: maxDepth: is required (expected number)
 */
export function checkDepthNormalization(n: unknown): DepthNormalization {
  return parseWithSchema(depthNormalizationSchema, n, 'Depth normalisation');
}

/**
 * Metres -> training target; invalid depth -> 0. Takes a tensor (returns a new one) or a Float32Array
 * (returns a new one); both give the same numbers.
 *
 * @example
 * depthToTarget(Float32Array.of(1, 0.05, 20, 0), { kind: 'densedepth', minDepth: 0.1, maxDepth: 10 }); // [10, 100, 1, 0]
 * const y = depthToTarget(depthTensor, { kind: 'unit', maxDepth: 10 });
 */
export function depthToTarget(depth: tf.Tensor, n: DepthNormalization): tf.Tensor;
export function depthToTarget(depth: Float32Array, n: DepthNormalization): Float32Array;
export function depthToTarget(depth: tf.Tensor | Float32Array, n: DepthNormalization): tf.Tensor | Float32Array {
  const norm = checkDepthNormalization(n);
  if (depth instanceof Float32Array) {
    const out = new Float32Array(depth.length);
    const f = targetOfValid(norm);
    for (let i = 0; i < out.length; i++) {
      const d = depth[i];
      if (d > 0 && d < Infinity) out[i] = f(d);
    }
    return out;
  }
  return tf.tidy(() => {
    const d = depth.dtype === 'float32' ? depth : depth.toFloat();
    // invalid pixels may give NaN or Infinity below; `where` replaces them by 0 (targets need no gradient)
    const valid = tf.logicalAnd(tf.greater(d, 0), tf.less(d, Infinity));
    let y: tf.Tensor;
    switch (norm.kind) {
      case 'densedepth':
        y = tf.div(norm.maxDepth, tf.clipByValue(d, norm.minDepth, norm.maxDepth));
        break;
      case 'unit':
        y = tf.minimum(tf.div(d, norm.maxDepth), 1);
        break;
      case 'log':
        y = tf.log(d);
        break;
      case 'none':
        y = d;
        break;
    }
    return tf.where(valid, y, tf.zerosLike(y));
  });
}

/** The per-pixel forward mapping of valid depth, in float32 arithmetic as the tensor path does it. */
function targetOfValid(n: DepthNormalization): (d: number) => number {
  const f = Math.fround;
  switch (n.kind) {
    case 'densedepth': {
      const lo = f(n.minDepth);
      const hi = f(n.maxDepth);
      return (d) => f(hi / Math.min(Math.max(d, lo), hi));
    }
    case 'unit': {
      const hi = f(n.maxDepth);
      return (d) => Math.min(f(d / hi), 1);
    }
    case 'log':
      return (d) => f(Math.log(d));
    case 'none':
      return (d) => d;
  }
}

/**
 * Training target (a model's output) -> metres; `densedepth` clips to [minDepth, maxDepth] as its
 * evaluation does. Tensor or Float32Array in, the same kind out.
 *
 * @example
 * targetToDepth(Float32Array.of(1, 100), { kind: 'densedepth', minDepth: 0.1, maxDepth: 10 }); // [10, 0.1]
 * const metres = targetToDepth(model.predict(x) as tf.Tensor, config.depth);
 */
export function targetToDepth(y: tf.Tensor, n: DepthNormalization): tf.Tensor;
export function targetToDepth(y: Float32Array, n: DepthNormalization): Float32Array;
export function targetToDepth(y: tf.Tensor | Float32Array, n: DepthNormalization): tf.Tensor | Float32Array {
  const norm = checkDepthNormalization(n);
  const f = Math.fround;
  if (y instanceof Float32Array) {
    const out = new Float32Array(y.length);
    switch (norm.kind) {
      case 'densedepth': {
        const lo = f(norm.minDepth);
        const hi = f(norm.maxDepth);
        for (let i = 0; i < out.length; i++) out[i] = Math.min(Math.max(f(hi / y[i]), lo), hi);
        break;
      }
      case 'unit': {
        const hi = f(norm.maxDepth);
        for (let i = 0; i < out.length; i++) out[i] = y[i] * hi;
        break;
      }
      case 'log':
        for (let i = 0; i < out.length; i++) out[i] = Math.exp(y[i]);
        break;
      case 'none':
        out.set(y);
        break;
    }
    return out;
  }
  switch (norm.kind) {
    case 'densedepth':
      return tf.tidy(() => tf.clipByValue(tf.div(norm.maxDepth, y), norm.minDepth, norm.maxDepth));
    case 'unit':
      return tf.mul(y, norm.maxDepth);
    case 'log':
      return tf.exp(y);
    case 'none':
      return y.clone();
  }
}

/**
 * [min, max] of the training target under a normalisation (SSIM's dynamic range, the perceptual loss'
 * input scaling): densedepth [1, maxDepth / minDepth], unit [0, 1], log [ln 0.1, ln 80] (0.1 to 80 m),
 * none [0, 10] (metres, NYU's range).
 *
 * @example
 * targetRange({ kind: 'densedepth', minDepth: 0.1, maxDepth: 10 }); // [1, 100]
 */
export function targetRange(n: DepthNormalization): [number, number] {
  const norm = checkDepthNormalization(n);
  switch (norm.kind) {
    case 'densedepth':
      return [1, norm.maxDepth / norm.minDepth];
    case 'unit':
      return [0, 1];
    case 'log':
      return [Math.log(0.1), Math.log(80)];
    case 'none':
      return [0, 10];
  }
}
