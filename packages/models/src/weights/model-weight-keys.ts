/**
 * The key of each of a model's weights in whole-model weight files: `<layer name>/<weight name>`, e.g.
 * `conv1/conv/kernel` or `up1_convA/bias` (Keras stores them as `conv1/conv/kernel:0`).
 */
import { tf, DepthblocksError, type WeightTarget } from '@depthblocks/core';

/** One weight of a model with its layer. */
export interface ModelWeight extends WeightTarget {
  /** The layer's name. */
  layer: string;
  /** The weight's own name: kernel, bias, gamma, beta, moving_mean, moving_variance, ... */
  short: string;
}

/**
 * Every weight of `model` (trainable or not, batch-norm statistics included), in `model.layers` order.
 *
 * @example
 * modelWeights(buildPreset('densedepth169').model)[0].key; // 'conv1/conv/kernel'
 */
export function modelWeights(model: tf.LayersModel): ModelWeight[] {
  const out: ModelWeight[] = [];
  const seen = new Set<string>();
  for (const layer of model.layers) {
    for (const v of layer.weights) {
      const short = v.originalName.split('/').pop()!;
      const key = `${layer.name}/${short}`;
      if (seen.has(key)) {
        throw new DepthblocksError(
          'INVALID_ARGUMENT',
          `Model ${model.name} has two weights named ${key}; weight files key weights by name`,
        );
      }
      seen.add(key);
      out.push({ key, layer: layer.name, short, variable: v });
    }
  }
  return out;
}
