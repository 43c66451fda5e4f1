/**
 * DenseDepth's `scale_up` for tensors: skimage's resize (order 1, mode 'reflect', anti-aliased when shrinking,
 * clipped to the input's range) of NHWC maps, for predict's `outputSize: 'input'`. The sampling weights come from
 * @depthblocks/metrics' skimageResizeTaps, which is checked against skimage itself.
 */
import { tf } from '@depthblocks/core';
import { skimageResizeTaps } from '@depthblocks/metrics';

/** Resamples one axis of x (1 = height, 2 = width) from its size to `out` samples. */
function resizeAxis(x: tf.Tensor4D, axis: 1 | 2, out: number): tf.Tensor4D {
  const n = x.shape[axis];
  if (n === out) return x;
  const { index, weight } = skimageResizeTaps(n, out, { antiAliasing: true });
  const shape: [number, number, number, number] = axis === 1 ? [1, out, 1, 1] : [1, 1, out, 1];
  let y: tf.Tensor4D | null = null;
  for (let t = 0; t < index.length; t++) {
    const term = tf.mul(tf.gather(x, tf.tensor1d(index[t], 'int32'), axis), tf.tensor(Float32Array.from(weight[t]), shape)) as tf.Tensor4D;
    y = y ? (tf.add(y, term) as tf.Tensor4D) : term;
  }
  return y!;
}

/**
 * Resizes [N, h, w, C] maps to [N, H, W, C] as `skimage.transform.resize(img, (H, W), order=1,
 * preserve_range=True, mode='reflect', anti_aliasing=True)` does each map (DenseDepth's scale_up when H = 2h,
 * W = 2w): bilinear at pixel centres, edges mirrored, a Gaussian pre-filter when shrinking, clipped to each
 * map's [min, max].
 *
 * @example
 * const full = skimageResizeTensor(halfRes, [480, 640]);
 */
export function skimageResizeTensor(x: tf.Tensor4D, size: [number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    if (x.shape[1] === size[0] && x.shape[2] === size[1]) return x.clone();
    const y = resizeAxis(resizeAxis(x, 1, size[0]), 2, size[1]);
    const lo = tf.min(x, [1, 2], true);
    const hi = tf.max(x, [1, 2], true);
    return tf.minimum(tf.maximum(y, lo), hi) as tf.Tensor4D;
  });
}
