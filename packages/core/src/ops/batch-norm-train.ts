/**
 * Training-mode batch normalisation over the last axis, as one op: `[y, batch mean, biased batch variance]`.
 * With `@depthblocks/backend` installed this is one kernel on wasm and cpu (it keeps only x for backprop);
 * elsewhere, and without the backend, `tf.moments` + `tf.batchNorm`, which tfjs differentiates itself.
 */
import { BackendKernels, hasKernel } from '../backend-kernels';
import { tf } from '../tf';

/**
 * Training batch norm over the last axis: [y, batch mean, biased batch variance]. Gradients flow to x, gamma and
 * beta through the statistics.
 *
 * @example
 * const [y, mean, variance] = batchNormTrain(x, gamma, beta, 1e-3);
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): [tf.Tensor, tf.Tensor, tf.Tensor] {
  if (x.dtype === 'float32' && x.rank >= 1 && hasKernel(BackendKernels.batchNormTrain)) {
    const attrs = { varianceEpsilon: epsilon } as unknown as tf.NamedAttrMap;
    return tf.engine().runKernel(BackendKernels.batchNormTrain, { x, scale: gamma, offset: beta }, attrs) as [
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
    ];
  }
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, x.shape.map((_, i) => i).slice(0, -1));
    return [tf.batchNorm(x, mean, variance, beta, gamma, epsilon), mean, variance];
  }) as [tf.Tensor, tf.Tensor, tf.Tensor];
}
