import { tf, type FeatureMap } from '@depthblocks/core';
import { EncoderBase, resolveEncoderOptions, type ResolvedOptions } from './base';
import { HardSigmoid } from './layers/activations';
import { mobilenetv3TorchPath } from './keymaps/mobilenetv3';
import { encoderOptionsSchema, type CommonEncoderOptions } from './options';
import { registerEncoder } from './registry';
import type { Encoder } from './types';

/** One inverted-residual block of MobileNetV3-Large (Howard et al. 2019, Table 1). */
export interface BneckConfig {
  kernel: number;
  /** Expanded (depthwise) channels. */
  expanded: number;
  out: number;
  /** Squeeze-excite channels (0 = none). */
  se: number;
  act: 'relu' | 'hard_swish';
  stride: number;
}

/** The 15 blocks of MobileNetV3-Large (torchvision `features[1..15]`, Keras `expanded_conv`..`_14`). */
export const MOBILENETV3_LARGE_BLOCKS: readonly BneckConfig[] = [
  { kernel: 3, expanded: 16, out: 16, se: 0, act: 'relu', stride: 1 },
  { kernel: 3, expanded: 64, out: 24, se: 0, act: 'relu', stride: 2 },
  { kernel: 3, expanded: 72, out: 24, se: 0, act: 'relu', stride: 1 },
  { kernel: 5, expanded: 72, out: 40, se: 24, act: 'relu', stride: 2 },
  { kernel: 5, expanded: 120, out: 40, se: 32, act: 'relu', stride: 1 },
  { kernel: 5, expanded: 120, out: 40, se: 32, act: 'relu', stride: 1 },
  { kernel: 3, expanded: 240, out: 80, se: 0, act: 'hard_swish', stride: 2 },
  { kernel: 3, expanded: 200, out: 80, se: 0, act: 'hard_swish', stride: 1 },
  { kernel: 3, expanded: 184, out: 80, se: 0, act: 'hard_swish', stride: 1 },
  { kernel: 3, expanded: 184, out: 80, se: 0, act: 'hard_swish', stride: 1 },
  { kernel: 3, expanded: 480, out: 112, se: 120, act: 'hard_swish', stride: 1 },
  { kernel: 3, expanded: 672, out: 112, se: 168, act: 'hard_swish', stride: 1 },
  { kernel: 5, expanded: 672, out: 160, se: 168, act: 'hard_swish', stride: 2 },
  { kernel: 5, expanded: 960, out: 160, se: 240, act: 'hard_swish', stride: 1 },
  { kernel: 5, expanded: 960, out: 160, se: 240, act: 'hard_swish', stride: 1 },
];

/** Index of the last block of each output stride 2, 4, 8, 16 (the stride-32 map is `Conv_1`). */
export const MOBILENETV3_TAP_BLOCKS = [0, 2, 5, 11] as const;

/** Keras prefix of block `i`: `expanded_conv/` for 0, else `expanded_conv_<i>/`. */
export function mobilenetBlockPrefix(i: number): string {
  return i === 0 ? 'expanded_conv/' : `expanded_conv_${i}/`;
}

/**
 * MobileNetV3-Large (Howard et al. 2019) features: hard-swish, squeeze-excite (hard-sigmoid gate),
 * BN epsilon 1e-3, Keras applications layer names (`Conv`, `Conv/BatchNorm`,
 * `expanded_conv_3/squeeze_excite/Conv`, ..., `Conv_1`) and torchvision's symmetric padding.
 * `outputStride: 16` dilates the last stage by 2 exactly as torchvision's `dilated=True` (LR-ASPP);
 * `outputStride: 8` also dilates the stride-16 stage.
 */
export class MobileNetV3Encoder extends EncoderBase {
  protected readonly bnEpsilon = 1e-3;
  protected readonly bnMomentum = 0.99;
  readonly stemConv = 'Conv';

  constructor(options: ResolvedOptions) {
    super('mobilenetv3_large', options);
  }

  override torchPath(kerasLayer: string): string | null {
    return mobilenetv3TorchPath(kerasLayer);
  }

  get channels(): number[] {
    return [...MOBILENETV3_TAP_BLOCKS.map((i) => MOBILENETV3_LARGE_BLOCKS[i].out), 960];
  }

  get strides(): number[] {
    const os = this.options.outputStride;
    return [2, 4, 8, 16, 32].map((s) => Math.min(s, os));
  }

  protected body(input: tf.SymbolicTensor): FeatureMap[] {
    let x = this.conv(input, 'Conv', { filters: 16, kernel: 3, stride: 2, padName: 'Conv/pad' });
    x = this.bn(x, 'Conv/BatchNorm');
    x = this.act(x, 'Conv/hard_swish', 'hard_swish');
    const features: FeatureMap[] = [];
    let stride = 2;
    let dilation = 1;
    let cin = 16;
    MOBILENETV3_LARGE_BLOCKS.forEach((b, i) => {
      let s = b.stride;
      if (s === 2 && stride >= this.options.outputStride) {
        dilation *= 2;
        s = 1;
      } else {
        stride *= s;
      }
      x = this.block(x, i, cin, b, s, dilation);
      cin = b.out;
      const tap = MOBILENETV3_TAP_BLOCKS.indexOf(i as (typeof MOBILENETV3_TAP_BLOCKS)[number]);
      if (tap >= 0) features.push(this.feature(x.sourceLayer.name.slice(this.options.namePrefix.length), x, this.strides[tap]));
    });
    x = this.conv(x, 'Conv_1', { filters: 960, kernel: 1 });
    x = this.bn(x, 'Conv_1/BatchNorm');
    x = this.act(x, 'Conv_1/hard_swish', 'hard_swish');
    features.push(this.feature('Conv_1/hard_swish', x, this.strides[4]));
    return features;
  }

  private block(x: tf.SymbolicTensor, i: number, cin: number, b: BneckConfig, stride: number, dilation: number): tf.SymbolicTensor {
    const p = mobilenetBlockPrefix(i);
    const shortcut = x;
    let y = x;
    if (b.expanded !== cin) {
      y = this.conv(y, `${p}expand`, { filters: b.expanded, kernel: 1 });
      y = this.bn(y, `${p}expand/BatchNorm`);
      y = this.act(y, `${p}expand/${b.act}`, b.act);
    }
    y = this.conv(y, `${p}depthwise`, {
      filters: b.expanded,
      kernel: b.kernel,
      stride,
      dilation,
      depthwise: true,
      padName: `${p}depthwise/pad`,
    });
    y = this.bn(y, `${p}depthwise/BatchNorm`);
    y = this.act(y, `${p}depthwise/${b.act}`, b.act);
    if (b.se > 0) y = this.squeezeExcite(y, `${p}squeeze_excite/`, b.expanded, b.se);
    y = this.conv(y, `${p}project`, { filters: b.out, kernel: 1 });
    y = this.bn(y, `${p}project/BatchNorm`);
    if (stride === 1 && cin === b.out) y = this.apply(tf.layers.add({ name: this.n(`${p}Add`) }), [shortcut, y]);
    return y;
  }

  private squeezeExcite(x: tf.SymbolicTensor, p: string, channels: number, squeeze: number): tf.SymbolicTensor {
    let s = this.apply(tf.layers.globalAveragePooling2d({ name: this.n(`${p}AvgPool`) }), x);
    s = this.apply(tf.layers.reshape({ name: this.n(`${p}AvgPool/keepdims`), targetShape: [1, 1, channels] }), s);
    s = this.conv(s, `${p}Conv`, { filters: squeeze, kernel: 1, bias: true });
    s = this.act(s, `${p}Relu`);
    s = this.conv(s, `${p}Conv_1`, { filters: channels, kernel: 1, bias: true });
    s = this.apply(new HardSigmoid({ name: this.n(`${p}hard_sigmoid`) }), s);
    return this.apply(tf.layers.multiply({ name: this.n(`${p}Mul`) }), [x, s]);
  }
}

/**
 * MobileNetV3-Large encoder (feature channels 16, 24, 40, 112, 960; torchvision preprocessing).
 * `outputStride: 16` is torchvision's `dilated=True` backbone of LR-ASPP.
 *
 * @example
 * const enc = mobilenetv3_large({ outputStride: 16 });
 * const features = enc.build(tf.input({ shape: [200, 200, 3] })); // strides 2, 4, 8, 16, 16
 */
export function mobilenetv3_large(options: CommonEncoderOptions = {}): Encoder {
  const o = resolveEncoderOptions('mobilenetv3_large', encoderOptionsSchema, options, {
    preprocessing: 'imagenet',
    outputStrides: [32, 16, 8],
  });
  return new MobileNetV3Encoder({ ...o, taps: undefined, style: undefined });
}

declare module './types' {
  interface EncoderOptionsByName {
    mobilenetv3_large: CommonEncoderOptions;
  }
}

registerEncoder('mobilenetv3_large', mobilenetv3_large, {
  description: 'MobileNetV3-Large (Howard et al. 2019) features, Keras names, torchvision padding; outputStride 16 = dilated (LR-ASPP)',
  params: { total: 2996352, trainable: 2971952 },
  weights: { keras: 'weights_mobilenet_v3_large_224_1.0_float_no_top_v2.h5', torchvision: 'MobileNet_V3_Large_Weights.IMAGENET1K_V1' },
  options: encoderOptionsSchema,
});
