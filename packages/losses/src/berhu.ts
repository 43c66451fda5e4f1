import { DepthblocksError, tf } from '@depthblocks/core';
import { abs0, checkPair, cleanTarget, maskedMean, resolveMask, stopGradient } from './mask';
import { registerLoss } from './registry';

/** Options of the berHu loss. */
export interface BerhuOptions {
  /** c = threshold * max |y - y^| over the valid pixels of the batch. Default 0.2 (Laina et al. 2016). */
  threshold?: number;
}

/**
 * Reverse Huber (berHu) loss (Laina et al. 2016): with x = y - y^ and c = 0.2 max|x| over the valid
 * pixels of the batch (not differentiated through), `|x|` where |x| <= c and `(x^2 + c^2) / (2c)`
 * elsewhere; mean over valid pixels. An all-invalid mask gives 0.
 *
 * @example
 * const loss = berhu(yTrue, yPred, mask);
 */
export function berhu(yTrue: tf.Tensor4D, yPred: tf.Tensor4D, mask?: tf.Tensor4D, options: BerhuOptions = {}): tf.Scalar {
  checkPair(yTrue, yPred, 'berhu');
  const threshold = options.threshold ?? 0.2;
  if (!(threshold > 0) || !Number.isFinite(threshold)) {
    throw new DepthblocksError('INVALID_ARGUMENT', `berhu: threshold must be a finite number > 0, got ${threshold}`);
  }
  return tf.tidy(() => {
    const m = resolveMask(yTrue, mask, 'berhu');
    const x = tf.mul(abs0(tf.sub(cleanTarget(yTrue, m), yPred)), m) as tf.Tensor4D;
    const c = stopGradient(tf.mul(tf.max(x), threshold));
    const cSafe = tf.maximum(c, 1e-12);
    const quadratic = tf.div(tf.add(tf.square(x), tf.square(c)), tf.mul(cSafe, 2));
    // 1 where |x| <= c (tf.step has a zero gradient; comparison ops have none in tfjs)
    const linear = tf.sub(1, tf.step(tf.sub(x, c)));
    const values = tf.add(tf.mul(linear, x), tf.mul(tf.sub(1, linear), quadratic)) as tf.Tensor4D;
    return maskedMean(values, m);
  });
}

declare module './registry' {
  interface LossTermOptionsByName {
    berhu: BerhuOptions;
  }
}

registerLoss('berhu', (o?: BerhuOptions) => (t, p, m) => berhu(t, p, m, o), {
  description: 'Reverse Huber (berHu) loss (Laina et al. 2016)',
});
