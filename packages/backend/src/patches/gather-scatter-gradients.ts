/** Patch `gatherScatterGradients`: tfjs has no gradients for GatherNd and ScatterNd; each is the other's adjoint. */
import { tf } from '@depthblocks/core';
import type { Patch } from '../patch';

const gatherNdGrad: tf.GradConfig = {
  kernelName: 'GatherNd',
  inputsToSave: ['params', 'indices'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [params, indices] = saved;
    return { params: () => tf.scatterND(indices, dy as tf.Tensor, params.shape), indices: () => tf.zerosLike(indices) };
  },
};

const scatterNdGrad: tf.GradConfig = {
  kernelName: 'ScatterNd',
  inputsToSave: ['indices'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [indices] = saved;
    return { updates: () => tf.gatherND(dy as tf.Tensor, indices), indices: () => tf.zerosLike(indices) };
  },
};

/** The patch: both gradients (added: tfjs has none). */
export const gatherScatterGradients: Patch = {
  name: 'gatherScatterGradients',
  tfjs: ['tfjs-core'],
  apply(c) {
    c.gradient(gatherNdGrad);
    c.gradient(scatterNdGrad);
  },
};
