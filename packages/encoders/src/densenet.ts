import { tf, type FeatureMap } from '@depthblocks/core';
import { EncoderBase, resolveEncoderOptions, type ResolvedOptions } from './base';
import { densenetTorchPath, DENSENET_KERAS_ALIASES } from './keymaps/densenet';
import { denseNetOptionsSchema, type DenseNetOptions } from './options';
import { registerEncoder } from './registry';
import type { Encoder } from './types';

/** Dense layers per block (Huang et al. 2017; Keras applications). */
export const DENSENET_BLOCKS = {
  densenet121: [6, 12, 24, 16],
  densenet169: [6, 12, 32, 32],
  densenet201: [6, 12, 48, 32],
} as const;

export type DenseNetName = keyof typeof DENSENET_BLOCKS;

const GROWTH = 32;

/** Keras layer names of each tap set, shallow -> deep (strides 2, 4, 8, 16, 32). */
export const DENSENET_TAPS = {
  /** segmentation_models.pytorch: stem relu, transition norm+relu (before the 1x1 conv), final norm. */
  smp: ['conv1/relu', 'pool2_relu', 'pool3_relu', 'pool4_relu', 'bn'],
  /** DenseDepth (Alhashim & Wonka 2018): stem relu, max-pool, transition pools, final relu. */
  densedepth: ['conv1/relu', 'pool1', 'pool2_pool', 'pool3_pool', 'relu'],
} as const;

/** Channels after each dense block and transition, for a block configuration. */
function denseChannels(blocks: readonly number[]): { block: number[]; transition: number[] } {
  const block: number[] = [];
  const transition: number[] = [];
  let c = 64;
  blocks.forEach((n, i) => {
    c += n * GROWTH;
    block.push(c);
    if (i < blocks.length - 1) {
      c = Math.floor(c * 0.5);
      transition.push(c);
    }
  });
  return { block, transition };
}

/** Batch-norm epsilon of Keras' DenseNet (and of the Keras .h5 weights). */
export const KERAS_DENSENET_EPSILON = 1.001e-5;
/** Batch-norm epsilon of torchvision's/timm's DenseNet (torch.nn.BatchNorm2d's default). */
export const TORCH_DENSENET_EPSILON = 1e-5;

/**
 * DenseNet-121/169/201 (Huang et al. 2017) with the exact Keras applications layer names
 * (`conv1/conv`, `conv2_block1_0_bn`, ..., `pool2_pool`, `bn`, `relu`) and BN epsilon 1.001e-5 (1e-5 once
 * torchvision/timm weights load: the epsilon follows the weights' style), so `densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5` loads by name.
 */
export class DenseNetEncoder extends EncoderBase {
  /** Keras' DenseNet epsilon until weights of another style load (see loadWeights), unless options.bnEpsilon. */
  protected get bnEpsilon(): number {
    return this.options.bnEpsilon ?? KERAS_DENSENET_EPSILON;
  }

  /** Keras' or torch's DenseNet epsilon, unless options.bnEpsilon pins it. */
  override bnEpsilonFor(style: 'keras' | 'torch'): number | undefined {
    if (this.options.bnEpsilon !== undefined) return undefined;
    return style === 'keras' ? KERAS_DENSENET_EPSILON : TORCH_DENSENET_EPSILON;
  }
  protected readonly bnMomentum = 0.99;
  readonly stemConv = 'conv1/conv';
  readonly blocks: readonly number[];
  readonly tapNames: readonly string[];

  constructor(name: DenseNetName, options: ResolvedOptions) {
    super(name, options);
    this.blocks = DENSENET_BLOCKS[name];
    this.tapNames = DENSENET_TAPS[options.taps ?? 'smp'];
  }

  override torchPath(kerasLayer: string): string | null {
    return densenetTorchPath(kerasLayer);
  }

  override kerasAlias(name: string): string {
    return DENSENET_KERAS_ALIASES[name] ?? name;
  }

  get channels(): number[] {
    const { block, transition } = denseChannels(this.blocks);
    if ((this.options.taps ?? 'smp') === 'smp') return [64, block[0], block[1], block[2], block[3]];
    return [64, 64, transition[0], transition[1], block[3]];
  }

  get strides(): number[] {
    return [2, 4, 8, 16, 32];
  }

  protected body(input: tf.SymbolicTensor): FeatureMap[] {
    const taps = new Map<string, tf.SymbolicTensor>();
    const keep = (name: string, t: tf.SymbolicTensor): tf.SymbolicTensor => {
      if (this.tapNames.includes(name)) taps.set(name, t);
      return t;
    };
    let x = this.conv(input, 'conv1/conv', { filters: 64, kernel: 7, stride: 2, padName: 'zero_padding2d' });
    x = this.bn(x, 'conv1/bn');
    x = keep('conv1/relu', this.act(x, 'conv1/relu'));
    x = this.pad(x, 'zero_padding2d_1', 1);
    x = keep('pool1', this.apply(tf.layers.maxPooling2d({ name: this.n('pool1'), poolSize: 3, strides: 2 }), x));
    this.blocks.forEach((n, i) => {
      const stage = i + 2;
      for (let j = 1; j <= n; j++) x = this.denseLayer(x, `conv${stage}_block${j}`);
      if (i < this.blocks.length - 1) {
        const p = `pool${stage}`;
        x = this.bn(x, `${p}_bn`);
        x = keep(`${p}_relu`, this.act(x, `${p}_relu`));
        x = this.conv(x, `${p}_conv`, { filters: Math.floor((x.shape[3] as number) * 0.5), kernel: 1 });
        x = keep(`${p}_pool`, this.apply(tf.layers.averagePooling2d({ name: this.n(`${p}_pool`), poolSize: 2, strides: 2 }), x));
      }
    });
    x = keep('bn', this.bn(x, 'bn'));
    x = keep('relu', this.act(x, 'relu'));
    return this.tapNames.map((name, i) => this.feature(name, taps.get(name)!, this.strides[i]));
  }

  private denseLayer(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
    let y = this.bn(x, `${name}_0_bn`);
    y = this.act(y, `${name}_0_relu`);
    y = this.conv(y, `${name}_1_conv`, { filters: 4 * GROWTH, kernel: 1 });
    y = this.bn(y, `${name}_1_bn`);
    y = this.act(y, `${name}_1_relu`);
    y = this.conv(y, `${name}_2_conv`, { filters: GROWTH, kernel: 3 });
    return this.apply(tf.layers.concatenate({ name: this.n(`${name}_concat`), axis: -1 }), [x, y]);
  }
}

function make(name: DenseNetName, options: DenseNetOptions = {}): Encoder {
  const o = resolveEncoderOptions(name, denseNetOptionsSchema, options, { preprocessing: 'imagenet', outputStrides: [32] });
  return new DenseNetEncoder(name, { ...o, taps: o.taps ?? 'smp', style: undefined });
}

/**
 * DenseNet-121 encoder (Keras names; 7,037,504 parameters incl. BN statistics).
 *
 * @example
 * const enc = densenet121({ taps: 'densedepth' });
 * const features = enc.build(tf.input({ shape: [224, 224, 3] }));
 */
export function densenet121(options: DenseNetOptions = {}): Encoder {
  return make('densenet121', options);
}

/**
 * DenseNet-169 encoder, DenseDepth's (12,642,880 parameters incl. BN statistics).
 *
 * @example
 * const enc = densenet169({ taps: 'densedepth' });
 * const features = enc.build(tf.input({ shape: [480, 640, 3] }));
 */
export function densenet169(options: DenseNetOptions = {}): Encoder {
  return make('densenet169', options);
}

/**
 * DenseNet-201 encoder (18,321,984 parameters incl. BN statistics).
 *
 * @example
 * const enc = densenet201();
 * const features = enc.build(tf.input({ shape: [null, null, 3] }));
 */
export function densenet201(options: DenseNetOptions = {}): Encoder {
  return make('densenet201', options);
}

declare module './types' {
  interface EncoderOptionsByName {
    densenet121: DenseNetOptions;
    densenet169: DenseNetOptions;
    densenet201: DenseNetOptions;
  }
}

const KERAS_WEIGHTS = (n: number) => `densenet${n}_weights_tf_dim_ordering_tf_kernels_notop.h5`;
registerEncoder('densenet121', densenet121, {
  description: 'DenseNet-121 (Huang et al. 2017), Keras applications layer names',
  params: { total: 7037504, trainable: 6953856 },
  weights: { keras: KERAS_WEIGHTS(121), timm: 'densenet121.tv_in1k', torchvision: 'DenseNet121_Weights.IMAGENET1K_V1' },
  options: denseNetOptionsSchema,
});
registerEncoder('densenet169', densenet169, {
  description: "DenseNet-169 (Huang et al. 2017), DenseDepth's encoder; Keras applications layer names",
  params: { total: 12642880, trainable: 12484480 },
  weights: { keras: KERAS_WEIGHTS(169), timm: 'densenet169.tv_in1k', torchvision: 'DenseNet169_Weights.IMAGENET1K_V1' },
  options: denseNetOptionsSchema,
});
registerEncoder('densenet201', densenet201, {
  description: 'DenseNet-201 (Huang et al. 2017), Keras applications layer names',
  params: { total: 18321984, trainable: 18092928 },
  weights: { keras: KERAS_WEIGHTS(201), timm: 'densenet201.tv_in1k', torchvision: 'DenseNet201_Weights.IMAGENET1K_V1' },
  options: denseNetOptionsSchema,
});
