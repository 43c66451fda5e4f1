/**
 * Patch `fusedBatchNormGradient`: FusedBatchNorm's gradient (tf.batchNorm, used by tfjs-layers' BatchNormalization
 * in inference mode and by frozen layers) with per-channel factors broadcast, instead of tfjs' tiling of mean,
 * variance and scale to the activation's shape (which made batch-norm backward cost more than the convolutions).
 */
import { tf } from '@depthblocks/core';
import type { Patch } from '../patch';

/** Axes that reduce x's shape to mean's (all but the channels for per-channel statistics). */
function reductionAxes(meanShape: number[], xShape: number[]): number[] {
  return tf.backend_util.getReductionAxes(meanShape, xShape);
}

const fusedBatchNormGrad: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: any) => {
    const [x, mean, variance, scale] = saved;
    const d = dy as tf.Tensor;
    const eps: number = attrs.varianceEpsilon;
    const axes = reductionAxes(mean.shape, x.shape);
    const reduce = (t: tf.Tensor): tf.Tensor => (axes.length ? tf.sum(t, axes) : t);
    const inv = (): tf.Tensor => tf.rsqrt(tf.add(variance, eps)); // per channel
    const scaled = (): tf.Tensor => (scale == null ? inv() : tf.mul(inv(), scale));
    // sum over the reduction axes of dy * (x - mean): per channel
    const dyXm = (): tf.Tensor => reduce(tf.mul(d, tf.sub(x, mean)));
    return {
      x: () => tf.mul(d, scaled()),
      mean: () => tf.reshape(tf.neg(tf.mul(reduce(d), scaled())), mean.shape),
      variance: () => {
        const i = inv();
        const k = tf.mul(tf.mul(tf.mul(i, i), i), -0.5);
        return tf.reshape(tf.mul(tf.mul(dyXm(), k), scale == null ? 1 : scale), mean.shape);
      },
      scale: () => tf.reshape(tf.mul(dyXm(), inv()), mean.shape),
      offset: () => tf.reshape(reduce(d), mean.shape),
    };
  },
};

/** The patch: the gradient, on every backend. */
export const fusedBatchNormGradient: Patch = {
  name: 'fusedBatchNormGradient',
  tfjs: ['tfjs-core'],
  apply(c) {
    c.gradient(fusedBatchNormGrad);
  },
};
