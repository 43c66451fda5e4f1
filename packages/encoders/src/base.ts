import { tf, DepthblocksError, parseWithSchema, type FeatureMap } from '@depthblocks/core';
import { SeededGlorotUniform } from './layers/initializer';
import { FreezableBatchNormalization } from './layers/batch_norm';
import { DilatedConv2D } from './layers/dilated_conv';
import { GroupedConv2D } from './layers/grouped_conv';
import { HardSwish } from './layers/activations';
import { Preprocess } from './layers/preprocess';
import type { encoderOptionsSchema, EncoderOptions, Preprocessing } from './options';
import type { Encoder, ResolvedEncoderOptions } from './types';

/** Options with defaults filled in, as every encoder stores them. */
export type ResolvedOptions = ResolvedEncoderOptions;

/**
 * Checks options against an encoder's schema (INVALID_CONFIG naming each wrong key, with a "did you mean"),
 * checks the output stride, and fills in the defaults common to all encoders.
 */
export function resolveEncoderOptions<S extends typeof encoderOptionsSchema>(
  name: string,
  schema: S,
  options: unknown,
  defaults: { preprocessing: Preprocessing; outputStrides: number[] },
): ResolvedOptions {
  const o = parseWithSchema(schema, options ?? {}, `${name} options`) as EncoderOptions;
  const outputStride = o.outputStride ?? 32;
  if (!defaults.outputStrides.includes(outputStride)) {
    throw new DepthblocksError(
      'UNSUPPORTED',
      `${name}: outputStride ${outputStride} is not supported; use ${defaults.outputStrides.join(' or ')}` +
        (defaults.outputStrides.length === 1
          ? ' (its dense blocks have no strided convolution to dilate; choose a ResNet, ResNeXt or MobileNetV3 encoder for 16 or 8)'
          : ''),
    );
  }
  return {
    inChannels: o.inChannels ?? 3,
    outputStride,
    preprocessing: o.preprocessing ?? defaults.preprocessing,
    namePrefix: o.namePrefix ?? '',
    seed: o.seed ?? 0,
    taps: o.taps,
    style: o.style,
    bnEpsilon: o.bnEpsilon,
  };
}

/** Description of one convolution for {@link EncoderBase.conv}. */
export interface ConvSpec {
  filters: number;
  kernel: number;
  stride?: number;
  dilation?: number;
  bias?: boolean;
  groups?: number;
  /** Depthwise convolution (multiplier 1); `filters` is ignored. */
  depthwise?: boolean;
  /** Name of the ZeroPadding2D a strided k > 1 conv gets (default `<name>_pad`). */
  padName?: string;
}

/**
 * Shared machinery of every encoder: option handling, layer naming with the prefix, layer
 * bookkeeping, freezing, and convolution/BN/activation helpers that pad like Keras and PyTorch
 * (explicit symmetric ZeroPadding2D + 'valid' for strided convs, so that any input size works).
 */
export abstract class EncoderBase implements Encoder {
  readonly layers: tf.layers.Layer[] = [];
  readonly options: ResolvedOptions;
  readonly preprocessing: Preprocessing;
  /** Batch-norm epsilon and (Keras-convention) momentum of this architecture. */
  protected abstract readonly bnEpsilon: number;
  protected abstract readonly bnMomentum: number;
  /** Keras name of the first convolution (the one loadWeights adapts to inChannels != 3). */
  abstract readonly stemConv: string;
  private built = false;
  /** freeze() before build() applies to the layers build() creates. */
  private frozen = false;
  /** Counter that gives each convolution its own initializer seed, in construction order. */
  private convIndex = 0;

  protected constructor(
    readonly name: string,
    options: ResolvedOptions,
  ) {
    this.options = options;
    this.preprocessing = options.preprocessing;
  }

  abstract get channels(): number[];
  abstract get strides(): number[];

  /** Adds the architecture's layers on the preprocessed input; returns the feature maps. */
  protected abstract body(x: tf.SymbolicTensor): FeatureMap[];

  build(input: tf.SymbolicTensor): FeatureMap[] {
    if (this.built) {
      throw new DepthblocksError(
        'INVALID_ARGUMENT',
        `${this.name}: build() was already called; create a new encoder (getEncoder('${this.name}')) for a second graph`,
      );
    }
    if (input == null || input.shape == null || input.shape.length !== 4) {
      throw new DepthblocksError(
        'INVALID_RANK',
        `${this.name}: build() needs a rank-4 symbolic input [N, H, W, C], got shape [${input?.shape?.join(', ')}]`,
      );
    }
    const c = input.shape[3];
    if (c !== this.options.inChannels) {
      throw new DepthblocksError(
        'SHAPE_MISMATCH',
        `${this.name}: input has ${c} channels but the encoder was created with inChannels ${this.options.inChannels}; ` +
          `pass { inChannels: ${c} } to getEncoder`,
      );
    }
    this.built = true;
    let x = input;
    if (this.preprocessing !== 'none') {
      x = this.apply(new Preprocess({ name: this.n('preprocess'), mode: this.preprocessing, channels: c }), x);
    }
    const features = this.body(x);
    if (this.frozen) this.freeze();
    return features;
  }

  freeze(): void {
    this.frozen = true;
    for (const l of this.layers) l.trainable = false;
  }

  unfreeze(): void {
    this.frozen = false;
    for (const l of this.layers) l.trainable = true;
  }

  /**
   * The torchvision/timm module path of one of this encoder's Keras layer names (`conv1_conv` -> `conv1`), or
   * null when torch files have no weights for it: the key map loadWeights uses for .safetensors files (see
   * keymaps/). Default: no torch names.
   */
  torchPath(_kerasLayer: string): string | null {
    return null;
  }

  /**
   * The batch-norm epsilon weights of this style were trained with, when this encoder's epsilon follows the
   * weights it loads (DenseNet: Keras 1.001e-5, torch/timm 1e-5); loadWeights sets it on every batch norm.
   * Default: undefined, the epsilon is fixed at build.
   */
  bnEpsilonFor(_style: 'keras' | 'torch'): number | undefined {
    return undefined;
  }

  /** The layer name this encoder uses for a layer name found in a Keras .h5 file (other Keras versions' spellings). */
  kerasAlias(name: string): string {
    return name;
  }

  /** The Keras name of one of this encoder's layers (its name without the prefix). */
  kerasName(layer: tf.layers.Layer): string {
    const p = this.options.namePrefix;
    return p && layer.name.startsWith(p) ? layer.name.slice(p.length) : layer.name;
  }

  /** Prefixed layer name. */
  protected n(name: string): string {
    return this.options.namePrefix + name;
  }

  /** Records `layer` and applies it. */
  protected apply(layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor {
    this.layers.push(layer);
    return layer.apply(x) as tf.SymbolicTensor;
  }

  protected feature(name: string, tensor: tf.SymbolicTensor, stride: number): FeatureMap {
    return { name: this.n(name), tensor, channels: tensor.shape[3] as number, stride };
  }

  /** Convolution with PyTorch/Keras-style symmetric padding ((k-1)/2 * dilation), see {@link ConvSpec}. */
  protected conv(x: tf.SymbolicTensor, name: string, s: ConvSpec): tf.SymbolicTensor {
    const stride = s.stride ?? 1;
    const dilation = s.dilation ?? 1;
    const groups = s.groups ?? 1;
    const useBias = s.bias ?? false;
    const k = s.kernel;
    const seed = (this.options.seed * 1000003 + ++this.convIndex * 7919) >>> 0;
    const init = new SeededGlorotUniform({ seed });
    if (dilation > 1 && k > 1) {
      if (stride !== 1) throw new Error(`internal: ${name} dilation ${dilation} with stride ${stride}`);
      if (groups > 1) {
        return this.apply(
          new GroupedConv2D({
            name: this.n(name),
            filters: s.filters,
            kernelSize: k,
            groups,
            padding: 'same',
            dilationRate: dilation,
            useBias,
            seed,
          }),
          x,
        );
      }
      return this.apply(
        new DilatedConv2D({
          name: this.n(name),
          filters: s.filters,
          kernelSize: k,
          dilationRate: dilation,
          useBias,
          depthwise: s.depthwise,
          seed,
        }),
        x,
      );
    }
    let padding: 'same' | 'valid' = 'valid';
    if (k > 1 && stride === 1) padding = 'same';
    if (k > 1 && stride > 1) {
      const p = (k - 1) / 2;
      x = this.apply(
        tf.layers.zeroPadding2d({
          name: this.n(s.padName ?? `${name}_pad`),
          padding: [
            [p, p],
            [p, p],
          ],
        }),
        x,
      );
    }
    if (groups > 1) {
      return this.apply(
        new GroupedConv2D({ name: this.n(name), filters: s.filters, kernelSize: k, groups, strides: stride, padding, useBias, seed }),
        x,
      );
    }
    if (s.depthwise) {
      return this.apply(
        tf.layers.depthwiseConv2d({
          name: this.n(name),
          kernelSize: k,
          strides: stride,
          padding,
          useBias,
          depthMultiplier: 1,
          depthwiseInitializer: init,
        }),
        x,
      );
    }
    return this.apply(
      tf.layers.conv2d({
        name: this.n(name),
        filters: s.filters,
        kernelSize: k,
        strides: stride,
        padding,
        useBias,
        kernelInitializer: init,
      }),
      x,
    );
  }

  protected bn(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
    return this.apply(new FreezableBatchNormalization({ name: this.n(name), epsilon: this.bnEpsilon, momentum: this.bnMomentum }), x);
  }

  protected act(x: tf.SymbolicTensor, name: string, kind: 'relu' | 'hard_swish' = 'relu'): tf.SymbolicTensor {
    if (kind === 'hard_swish') return this.apply(new HardSwish({ name: this.n(name) }), x);
    return this.apply(tf.layers.activation({ name: this.n(name), activation: 'relu' }), x);
  }

  protected pad(x: tf.SymbolicTensor, name: string, p: number): tf.SymbolicTensor {
    return this.apply(
      tf.layers.zeroPadding2d({
        name: this.n(name),
        padding: [
          [p, p],
          [p, p],
        ],
      }),
      x,
    );
  }
}
