import { batchNormTrain, tf } from '@depthblocks/core';

/** Options of {@link FreezableBatchNormalization}. */
export interface FreezableBatchNormalizationArgs {
  name?: string;
  trainable?: boolean;
  /** Moving-average momentum, Keras convention (torch momentum m is Keras 1 - m). Default 0.99. */
  momentum?: number;
  /** Added to the variance. Default 1e-3 (Keras). */
  epsilon?: number;
}

/**
 * Batch normalization over the last axis that honours freezing: when the layer is not trainable it
 * always normalises with its moving statistics (inference mode), also inside a training step, and
 * leaves them untouched. (tfjs-layers' BatchNormalization uses batch statistics whenever
 * `training` is true, which silently corrupts a frozen, pretrained encoder.)
 *
 * Training mode normalises with the biased batch variance and updates the moving variance with the
 * unbiased one, as TensorFlow and PyTorch do. Weights: `gamma`, `beta`, `moving_mean`,
 * `moving_variance` (Keras names and order).
 *
 * @example
 * const bn = new FreezableBatchNormalization({ name: 'conv1/bn', epsilon: 1.001e-5 });
 * const y = bn.apply(tf.input({ shape: [8, 8, 16] }));
 * bn.trainable = false; // now inference mode even with training=true
 */
export class FreezableBatchNormalization extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'FreezableBatchNormalization';
  readonly momentum: number;
  /** Set when weights load (DenseNet: Keras 1.001e-5, torch/timm 1e-5). */
  epsilon: number;
  private gamma?: tf.LayerVariable;
  private beta?: tf.LayerVariable;
  private movingMean?: tf.LayerVariable;
  private movingVariance?: tf.LayerVariable;

  constructor(args: FreezableBatchNormalizationArgs = {}) {
    super({ name: args.name, trainable: args.trainable });
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const dim = shape[shape.length - 1];
    if (dim == null) throw new Error(`${this.name}: the channel dimension must be known, got shape [${shape.join(', ')}]`);
    this.gamma = this.addWeight('gamma', [dim], 'float32', tf.initializers.ones(), undefined, true);
    this.beta = this.addWeight('beta', [dim], 'float32', tf.initializers.zeros(), undefined, true);
    this.movingMean = this.addWeight('moving_mean', [dim], 'float32', tf.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [dim], 'float32', tf.initializers.ones(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, any>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const gamma = this.gamma!.read();
    const beta = this.beta!.read();
    const training = kwargs['training'] === true && this.trainable;
    if (!training) {
      return tf.tidy(() => tf.batchNorm(x, this.movingMean!.read(), this.movingVariance!.read(), beta, gamma, this.epsilon));
    }
    return tf.tidy(() => {
      // one kernel on wasm and cpu with @depthblocks/backend (see @depthblocks/core batchNormTrain); the biased variance normalises
      const [y, mean, variance] = batchNormTrain(x, gamma, beta, this.epsilon);
      const n = x.size / x.shape[x.shape.length - 1];
      const unbiased = n > 1 ? tf.mul(variance, n / (n - 1)) : variance;
      const decay = 1 - this.momentum;
      const mm = this.movingMean!.read();
      const mv = this.movingVariance!.read();
      this.movingMean!.write(tf.sub(mm, tf.mul(tf.sub(mm, mean), decay)));
      this.movingVariance!.write(tf.sub(mv, tf.mul(tf.sub(mv, unbiased), decay)));
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(FreezableBatchNormalization);
