import { tf } from '@depthblocks/core';
import { abs0, checkPair, cleanTarget, maskedMean, resolveMask } from './mask';
import { registerLoss } from './registry';

/**
 * Mean absolute error over the valid pixels: `sum(|y - y^| * m) / sum(m)`.
 * With no mask every pixel counts (Keras `mean(abs(y - y^))`, DenseDepth's depth term).
 * An all-invalid mask gives 0 with a zero gradient.
 *
 * @example
 * const loss = l1(yTrue, yPred, mask); // tf.Scalar
 */
export function l1(yTrue: tf.Tensor4D, yPred: tf.Tensor4D, mask?: tf.Tensor4D): tf.Scalar {
  checkPair(yTrue, yPred, 'l1');
  return tf.tidy(() => {
    const m = resolveMask(yTrue, mask, 'l1');
    return maskedMean(abs0(tf.sub(cleanTarget(yTrue, m), yPred)), m);
  });
}

declare module './registry' {
  interface LossTermOptionsByName {
    l1: undefined;
  }
}

registerLoss('l1', () => (t, p, m) => l1(t, p, m), { description: 'Mean absolute error over valid pixels' });
