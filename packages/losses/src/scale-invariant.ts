import { DepthblocksError, tf } from '@depthblocks/core';
import { checkPair, resolveMask } from './mask';
import { registerLoss } from './registry';

/** Options of the scale-invariant loss. */
export interface ScaleInvariantOptions {
  /**
   * Weight of the squared mean: 0 gives plain log-MSE, 1 a fully scale-invariant error.
   * Default 0.5, as trained in Eigen et al. 2014 (BTS / AdaBins use 0.85 with `sqrt` and `scale: 10`).
   */
  lambda?: number;
  /** Take the square root (the "SILog" form of BTS). Default false. */
  sqrt?: boolean;
  /** Multiply the result by this factor (BTS: 10). Default 1. */
  scale?: number;
  /** Predictions are log-depth already (the network outputs log d). Default false: depth, clamped at `eps`. */
  logInputs?: boolean;
  /** Smallest depth taken before the log. Default 1e-6. */
  eps?: number;
}

/**
 * Scale-invariant log loss (Eigen et al. 2014): with `d = log y^ - log y` over the n valid pixels,
 * `L = mean(d^2) - lambda * mean(d)^2` (default lambda 0.5); optional `sqrt` and `scale` give BTS'
 * SILog `10 * sqrt(mean(d^2) - 0.85 mean(d)^2)`. The mean is pooled over the batch.
 * Ground truth must be > 0 where the mask is 1. An all-invalid mask gives 0.
 *
 * @example
 * const loss = scaleInvariant(yTrue, yPred, mask);                              // Eigen, lambda 0.5
 * const silog = scaleInvariant(yTrue, yPred, mask, { lambda: 0.85, sqrt: true, scale: 10 }); // BTS
 */
export function scaleInvariant(yTrue: tf.Tensor4D, yPred: tf.Tensor4D, mask?: tf.Tensor4D, options: ScaleInvariantOptions = {}): tf.Scalar {
  checkPair(yTrue, yPred, 'scaleInvariant');
  const lambda = options.lambda ?? 0.5;
  const eps = options.eps ?? 1e-6;
  const scale = options.scale ?? 1;
  if (!Number.isFinite(lambda) || lambda < 0 || lambda > 1) {
    throw new DepthblocksError('INVALID_ARGUMENT', `scaleInvariant: lambda must be in [0, 1], got ${lambda}`);
  }
  return tf.tidy(() => {
    const m = resolveMask(yTrue, mask, 'scaleInvariant');
    const valid = tf.greater(tf.broadcastTo(m, yTrue.shape), 0);
    const one = tf.onesLike(yTrue);
    const logTrue = tf.log(tf.maximum(tf.where(valid, yTrue, one), eps));
    const logPred = options.logInputs ? tf.where(valid, yPred, tf.zerosLike(yPred)) : tf.log(tf.maximum(tf.where(valid, yPred, one), eps));
    const d = tf.mul(tf.sub(logPred, tf.where(valid, logTrue, tf.zerosLike(logTrue))), m);
    const n = tf.maximum(tf.mul(tf.sum(m), yTrue.shape[3]), 1);
    const meanSq = tf.div(tf.sum(tf.square(d)), n);
    const mean = tf.div(tf.sum(d), n);
    let loss: tf.Tensor = tf.sub(meanSq, tf.mul(lambda, tf.square(mean)));
    // sqrt with a finite gradient, and exactly 0 where the variance is 0 (e.g. an all-invalid mask)
    if (options.sqrt) loss = tf.mul(tf.sqrt(tf.maximum(loss, 1e-12)), tf.step(loss));
    return tf.mul(loss, scale) as tf.Scalar;
  });
}

declare module './registry' {
  interface LossTermOptionsByName {
    scaleInvariant: ScaleInvariantOptions;
  }
}

registerLoss('scaleInvariant', (o?: ScaleInvariantOptions) => (t, p, m) => scaleInvariant(t, p, m, o), {
  description: 'Scale-invariant log loss (Eigen et al. 2014)',
});
