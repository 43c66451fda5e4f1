import { tf, DepthblocksError } from '@depthblocks/core';
import type { Preprocessing } from '../options';

/** ImageNet channel mean and standard deviation (RGB, on [0, 1] inputs). */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406];
export const IMAGENET_STD = [0.229, 0.224, 0.225];
/** Caffe (Keras ResNet) BGR means on [0, 255] inputs. */
export const CAFFE_BGR_MEAN = [103.939, 116.779, 123.68];

/** Options of {@link Preprocess}. */
export interface PreprocessArgs {
  name?: string;
  mode: Preprocessing;
  /** Input channels (default 3); per-channel constants are adapted for other counts. */
  channels?: number;
}

/** Per-channel constants of a mode for `channels` inputs (see {@link Preprocess}). */
export function preprocessConstants(
  mode: Preprocessing,
  channels: number,
): { scale: number; mean: number[]; std: number[]; reverse: boolean } {
  const adapt = (v: number[]): number[] =>
    channels === 1 ? [v.reduce((a, b) => a + b, 0) / v.length] : Array.from({ length: channels }, (_, i) => v[i % 3]);
  switch (mode) {
    case 'imagenet':
      return { scale: 1, mean: adapt(IMAGENET_MEAN), std: adapt(IMAGENET_STD), reverse: false };
    case 'caffe':
      return { scale: 255, mean: adapt(CAFFE_BGR_MEAN), std: adapt([1, 1, 1]), reverse: channels === 3 };
    case 'none':
      return { scale: 1, mean: new Array(channels).fill(0), std: new Array(channels).fill(1), reverse: false };
    default:
      throw new DepthblocksError('INVALID_ARGUMENT', `Unknown preprocessing '${String(mode)}': use 'imagenet', 'caffe' or 'none'`);
  }
}

/**
 * The input normalisation pretrained weights expect, as a layer applied on [0, 1] inputs:
 * `imagenet`: (x - mean) / std; `caffe`: RGB -> BGR, x * 255 - mean; `none`: identity.
 * For inputs with channels != 3 the RGB constants repeat cyclically (1 channel: their average),
 * matching how loadWeights adapts the first convolution.
 *
 * @example
 * const x = new Preprocess({ mode: 'imagenet' }).apply(tf.input({ shape: [32, 32, 3] }));
 */
export class Preprocess extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'DepthblocksPreprocess';
  readonly mode: Preprocessing;
  readonly channels: number;

  constructor(args: PreprocessArgs) {
    super({ name: args.name, trainable: false });
    this.mode = args.mode;
    this.channels = args.channels ?? 3;
    preprocessConstants(this.mode, this.channels); // validates
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const { scale, mean, std, reverse } = preprocessConstants(this.mode, this.channels);
    if (this.mode === 'none') return tf.clone(x);
    return tf.tidy(() => {
      let y = reverse ? tf.reverse(x, -1) : x;
      if (scale !== 1) y = tf.mul(y, scale);
      y = tf.sub(y, tf.tensor1d(mean));
      if (std.some((s) => s !== 1)) y = tf.div(y, tf.tensor1d(std));
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode, channels: this.channels };
  }
}
tf.serialization.registerClass(Preprocess);
