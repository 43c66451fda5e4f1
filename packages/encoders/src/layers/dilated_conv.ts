import { tf, DepthblocksError } from '@depthblocks/core';
import { SeededGlorotUniform } from './initializer';

/**
 * A stride-1 dilated ("atrous") convolution with symmetric zero padding `rate * (k - 1) / 2`
 * (PyTorch's `padding = (k // 2) * dilation`; for odd k this is exactly TensorFlow's 'same'). It is a plain
 * `tf.conv2d` / `tf.depthwiseConv2d` with `dilations`: @depthblocks/backend's setupBackend registers the
 * gradient for dilated convolutions (space-to-batch, as TensorFlow does) that tfjs lacks.
 *
 * `kernel` is HWIO [k, k, Cin, Cout] (or [k, k, C, multiplier] when `depthwise`). The output has the
 * input's spatial size.
 *
 * @example
 * const y = dilatedConv2d(tf.ones([1, 9, 9, 2]), tf.ones([3, 3, 2, 4]), 2); // [1, 9, 9, 4]
 */
export function dilatedConv2d(x: tf.Tensor4D, kernel: tf.Tensor4D, rate: number, depthwise = false): tf.Tensor4D {
  const [kh, kw] = kernel.shape;
  if (kh % 2 !== 1 || kw % 2 !== 1) {
    throw new DepthblocksError('INVALID_ARGUMENT', `dilatedConv2d needs an odd kernel size, got ${kh}x${kw}`);
  }
  if (!Number.isInteger(rate) || rate < 1) {
    throw new DepthblocksError('INVALID_ARGUMENT', `dilation rate must be a positive integer, got ${rate}`);
  }
  return depthwise ? tf.depthwiseConv2d(x, kernel, 1, 'same', 'NHWC', rate) : tf.conv2d(x, kernel, 1, 'same', 'NHWC', rate);
}

/** Options of {@link DilatedConv2D}. */
export interface DilatedConv2DArgs {
  name?: string;
  trainable?: boolean;
  /** Output channels (conv) — ignored when `depthwise`. */
  filters?: number;
  kernelSize: number;
  dilationRate: number;
  useBias?: boolean;
  /** Depthwise convolution (multiplier 1); weight `depthwise_kernel` instead of `kernel`. */
  depthwise?: boolean;
  /** Seed of the kernel's Glorot-uniform initial values (default 0). */
  seed?: number;
}

/**
 * Conv2D / DepthwiseConv2D layer with stride 1, dilation `dilationRate` and 'same' symmetric padding,
 * trainable on every backend (see {@link dilatedConv2d}). Its weights carry the Keras names
 * (`kernel`/`depthwise_kernel`, `bias`), so a dilated encoder loads the same weight files as the
 * undilated one.
 *
 * @example
 * const y = new DilatedConv2D({ name: 'conv5_block1_2_conv', filters: 512, kernelSize: 3, dilationRate: 2 })
 *   .apply(tf.input({ shape: [16, 16, 512] }));
 */
export class DilatedConv2D extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'DilatedConv2D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly dilationRate: number;
  readonly useBias: boolean;
  readonly depthwise: boolean;
  readonly seed: number;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: DilatedConv2DArgs) {
    super({ name: args.name, trainable: args.trainable });
    this.filters = args.filters ?? 0;
    this.kernelSize = args.kernelSize;
    this.dilationRate = args.dilationRate;
    this.useBias = args.useBias ?? false;
    this.depthwise = args.depthwise ?? false;
    this.seed = args.seed ?? 0;
    if (!this.depthwise && !(this.filters > 0)) {
      throw new DepthblocksError('INVALID_ARGUMENT', `DilatedConv2D '${args.name}': filters must be > 0, got ${args.filters}`);
    }
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const cin = shape[3] as number;
    const k = this.kernelSize;
    if (this.depthwise) {
      this.kernel = this.addWeight('depthwise_kernel', [k, k, cin, 1], 'float32', new SeededGlorotUniform({ seed: this.seed }));
    } else {
      this.kernel = this.addWeight('kernel', [k, k, cin, this.filters], 'float32', new SeededGlorotUniform({ seed: this.seed }));
    }
    if (this.useBias) {
      this.bias = this.addWeight('bias', [this.depthwise ? cin : this.filters], 'float32', tf.initializers.zeros());
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0], s[1], s[2], this.depthwise ? s[3] : this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    return tf.tidy(() => {
      const y = dilatedConv2d(x, this.kernel!.read() as tf.Tensor4D, this.dilationRate, this.depthwise);
      return this.bias ? tf.add(y, this.bias.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      dilationRate: this.dilationRate,
      useBias: this.useBias,
      depthwise: this.depthwise,
      seed: this.seed,
    };
  }
}
tf.serialization.registerClass(DilatedConv2D);
