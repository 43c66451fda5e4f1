import { tf } from '@depthblocks/core';
import { checkPair, cleanTarget, maskedMean, resolveMask } from './mask';
import { registerLoss } from './registry';

/**
 * Mean squared error over the valid pixels: `sum((y - y^)^2 * m) / sum(m)` (the U-Net++ / LR-ASPP
 * loss on [0, 1]-normalised depth). An all-invalid mask gives 0 with a zero gradient.
 *
 * @example
 * const loss = mse(yTrue, yPred, mask);
 */
export function mse(yTrue: tf.Tensor4D, yPred: tf.Tensor4D, mask?: tf.Tensor4D): tf.Scalar {
  checkPair(yTrue, yPred, 'mse');
  return tf.tidy(() => {
    const m = resolveMask(yTrue, mask, 'mse');
    return maskedMean(tf.square(tf.sub(cleanTarget(yTrue, m), yPred)), m);
  });
}

declare module './registry' {
  interface LossTermOptionsByName {
    mse: undefined;
  }
}

registerLoss('mse', () => (t, p, m) => mse(t, p, m), { description: 'Mean squared error over valid pixels' });
