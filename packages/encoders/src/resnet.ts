import { tf, DepthblocksError, type FeatureMap } from '@depthblocks/core';
import { EncoderBase, resolveEncoderOptions, type ResolvedOptions } from './base';
import { kerasLegacyResnetName, resnetTorchPath } from './keymaps/resnet';
import { resNetOptionsSchema, type ResNetOptions } from './options';
import { registerEncoder } from './registry';
import type { Encoder } from './types';

/** Block type, blocks per stage, and grouped-conv settings of each ResNet-family encoder. */
export const RESNET_CONFIGS = {
  resnet18: { block: 'basic', stages: [2, 2, 2, 2], groups: 1, widthPerGroup: 64 },
  resnet34: { block: 'basic', stages: [3, 4, 6, 3], groups: 1, widthPerGroup: 64 },
  resnet50: { block: 'bottleneck', stages: [3, 4, 6, 3], groups: 1, widthPerGroup: 64 },
  resnet101: { block: 'bottleneck', stages: [3, 4, 23, 3], groups: 1, widthPerGroup: 64 },
  resnext50_32x4d: { block: 'bottleneck', stages: [3, 4, 6, 3], groups: 32, widthPerGroup: 4 },
} as const;

export type ResNetName = keyof typeof RESNET_CONFIGS;

/**
 * Dilation of stages 2..5 (Keras `conv2`..`conv5`, torch `layer1`..`layer4`) for an output stride,
 * as segmentation_models.pytorch does it: the stage's strides become 1 and every k > 1 conv in it
 * gets the dilation.
 */
export function stageDilations(outputStride: number): number[] {
  if (outputStride === 16) return [1, 1, 1, 2];
  if (outputStride === 8) return [1, 1, 2, 4];
  return [1, 1, 1, 1];
}

/**
 * ResNet-18/34/50/101 (He et al. 2016) and ResNeXt-50 32x4d (Xie et al. 2017), named the Keras way
 * (`conv1_conv`, `conv{2..5}_block{k}_{0..3}_{conv,bn}`, `_add`, `_out`).
 *
 * - `style: 'keras'` (ResNet-50/101 default): Keras applications' layout, conv biases, stride on the
 *   first 1x1 conv, BN epsilon 1.001e-5 (loads `resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5`).
 * - `style: 'torch'` (ResNet-18/34, ResNeXt, optional for 50/101): torchvision's layout, no conv biases,
 *   stride on the 3x3 conv (ResNet v1.5), BN epsilon 1e-5 (loads torchvision/timm safetensors).
 */
export class ResNetEncoder extends EncoderBase {
  protected readonly bnEpsilon: number;
  protected readonly bnMomentum: number;
  readonly stemConv = 'conv1_conv';
  readonly config: (typeof RESNET_CONFIGS)[ResNetName];
  readonly style: 'keras' | 'torch';

  constructor(name: ResNetName, options: ResolvedOptions) {
    super(name, options);
    this.config = RESNET_CONFIGS[name];
    this.style = options.style ?? 'torch';
    this.bnEpsilon = this.style === 'keras' ? 1.001e-5 : 1e-5;
    this.bnMomentum = this.style === 'keras' ? 0.99 : 0.9;
  }

  override torchPath(kerasLayer: string): string | null {
    return resnetTorchPath(kerasLayer);
  }

  override kerasAlias(name: string): string {
    return kerasLegacyResnetName(name) ?? name;
  }

  get channels(): number[] {
    const e = this.config.block === 'basic' ? 1 : 4;
    return [64, 64 * e, 128 * e, 256 * e, 512 * e];
  }

  get strides(): number[] {
    const os = this.options.outputStride;
    return [2, 4, 8, 16, 32].map((s) => Math.min(s, os));
  }

  protected body(input: tf.SymbolicTensor): FeatureMap[] {
    const bias = this.style === 'keras';
    let x = this.conv(input, 'conv1_conv', { filters: 64, kernel: 7, stride: 2, bias, padName: 'conv1_pad' });
    x = this.bn(x, 'conv1_bn');
    x = this.act(x, 'conv1_relu');
    const features = [this.feature('conv1_relu', x, 2)];
    x = this.pad(x, 'pool1_pad', 1);
    x = this.apply(tf.layers.maxPooling2d({ name: this.n('pool1_pool'), poolSize: 3, strides: 2 }), x);
    const dilations = stageDilations(this.options.outputStride);
    this.config.stages.forEach((blocks, i) => {
      const planes = 64 * 2 ** i;
      const stride = i === 0 || dilations[i] > 1 ? 1 : 2;
      for (let k = 1; k <= blocks; k++) {
        const name = `conv${i + 2}_block${k}`;
        const s = k === 1 ? stride : 1;
        const shortcut = k === 1;
        x =
          this.config.block === 'basic'
            ? this.basicBlock(x, name, planes, s, dilations[i], shortcut && (s !== 1 || i > 0))
            : this.bottleneck(x, name, planes, s, dilations[i], shortcut);
      }
      features.push(this.feature(`conv${i + 2}_block${blocks}_out`, x, this.strides[i + 1]));
    });
    return features;
  }

  /** torchvision BasicBlock: 3x3 (stride) -> BN -> ReLU -> 3x3 -> BN, + shortcut, ReLU. */
  private basicBlock(
    x: tf.SymbolicTensor,
    name: string,
    planes: number,
    stride: number,
    dilation: number,
    downsample: boolean,
  ): tf.SymbolicTensor {
    let shortcut = x;
    if (downsample) {
      shortcut = this.conv(x, `${name}_0_conv`, { filters: planes, kernel: 1, stride });
      shortcut = this.bn(shortcut, `${name}_0_bn`);
    }
    let y = this.conv(x, `${name}_1_conv`, { filters: planes, kernel: 3, stride, dilation });
    y = this.bn(y, `${name}_1_bn`);
    y = this.act(y, `${name}_1_relu`);
    y = this.conv(y, `${name}_2_conv`, { filters: planes, kernel: 3, dilation });
    y = this.bn(y, `${name}_2_bn`);
    y = this.apply(tf.layers.add({ name: this.n(`${name}_add`) }), [shortcut, y]);
    return this.act(y, `${name}_out`);
  }

  /** Bottleneck 1x1 -> 3x3 (grouped for ResNeXt) -> 1x1 (x4), + shortcut, ReLU. */
  private bottleneck(
    x: tf.SymbolicTensor,
    name: string,
    planes: number,
    stride: number,
    dilation: number,
    downsample: boolean,
  ): tf.SymbolicTensor {
    const keras = this.style === 'keras';
    const { groups, widthPerGroup } = this.config;
    const width = Math.floor(planes * (widthPerGroup / 64)) * groups;
    const out = planes * 4;
    let shortcut = x;
    if (downsample) {
      shortcut = this.conv(x, `${name}_0_conv`, { filters: out, kernel: 1, stride, bias: keras });
      shortcut = this.bn(shortcut, `${name}_0_bn`);
    }
    let y = this.conv(x, `${name}_1_conv`, { filters: width, kernel: 1, stride: keras ? stride : 1, bias: keras });
    y = this.bn(y, `${name}_1_bn`);
    y = this.act(y, `${name}_1_relu`);
    y = this.conv(y, `${name}_2_conv`, { filters: width, kernel: 3, stride: keras ? 1 : stride, dilation, groups, bias: keras });
    y = this.bn(y, `${name}_2_bn`);
    y = this.act(y, `${name}_2_relu`);
    y = this.conv(y, `${name}_3_conv`, { filters: out, kernel: 1, bias: keras });
    y = this.bn(y, `${name}_3_bn`);
    y = this.apply(tf.layers.add({ name: this.n(`${name}_add`) }), [shortcut, y]);
    return this.act(y, `${name}_out`);
  }
}

function make(name: ResNetName, options: ResNetOptions = {}): Encoder {
  const kerasCapable = name === 'resnet50' || name === 'resnet101';
  const style = options.style ?? (kerasCapable ? 'keras' : 'torch');
  const o = resolveEncoderOptions(name, resNetOptionsSchema, options, {
    preprocessing: style === 'keras' ? 'caffe' : 'imagenet',
    outputStrides: [32, 16, 8],
  });
  if (style === 'keras' && !kerasCapable) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `${name}: style 'keras' exists for resnet50/resnet101 only (Keras has no ${name}); use style 'torch' (the default)`,
    );
  }
  return new ResNetEncoder(name, { ...o, taps: undefined, style });
}

/**
 * ResNet-18 encoder (torchvision layout, basic blocks; 11,176,512 trainable parameters as torchvision without fc).
 *
 * @example
 * const enc = resnet18();
 * const features = enc.build(tf.input({ shape: [64, 64, 3] })); // channels 64, 64, 128, 256, 512
 */
export function resnet18(options: ResNetOptions = {}): Encoder {
  return make('resnet18', options);
}

/**
 * ResNet-34 encoder (torchvision layout, basic blocks), the CS231N transfer model's.
 *
 * @example
 * const enc = resnet34({ outputStride: 16 });
 * const features = enc.build(tf.input({ shape: [240, 320, 3] }));
 */
export function resnet34(options: ResNetOptions = {}): Encoder {
  return make('resnet34', options);
}

/**
 * ResNet-50 encoder; Keras layout by default (23,587,712 parameters incl. BN statistics), torchvision with `style: 'torch'`.
 *
 * @example
 * const enc = resnet50(); // caffe preprocessing, as the Keras weights expect
 * const features = enc.build(tf.input({ shape: [224, 224, 3] }));
 */
export function resnet50(options: ResNetOptions = {}): Encoder {
  return make('resnet50', options);
}

/**
 * ResNet-101 encoder; Keras layout by default, torchvision with `style: 'torch'`.
 *
 * @example
 * const enc = resnet101({ style: 'torch' });
 * const features = enc.build(tf.input({ shape: [224, 224, 3] }));
 */
export function resnet101(options: ResNetOptions = {}): Encoder {
  return make('resnet101', options);
}

/**
 * ResNeXt-50 32x4d encoder (torchvision layout; grouped 3x3 convs with 32 groups).
 *
 * @example
 * const enc = resnext50_32x4d();
 * const features = enc.build(tf.input({ shape: [200, 200, 3] }));
 */
export function resnext50_32x4d(options: ResNetOptions = {}): Encoder {
  return make('resnext50_32x4d', options);
}

declare module './types' {
  interface EncoderOptionsByName {
    resnet18: ResNetOptions;
    resnet34: ResNetOptions;
    resnet50: ResNetOptions;
    resnet101: ResNetOptions;
    resnext50_32x4d: ResNetOptions;
  }
}

const tv = (n: string, w: string) => ({ timm: `${n}.tv_in1k`, torchvision: `${w}_Weights.IMAGENET1K_V1` });
registerEncoder('resnet18', resnet18, {
  description: 'ResNet-18 (He et al. 2016), torchvision layout (basic blocks, no conv biases), Keras-style names',
  params: { total: 11186112, trainable: 11176512 },
  weights: tv('resnet18', 'ResNet18'),
  options: resNetOptionsSchema,
});
registerEncoder('resnet34', resnet34, {
  description: 'ResNet-34 (He et al. 2016), torchvision layout (basic blocks, no conv biases), Keras-style names',
  params: { total: 21301696, trainable: 21284672 },
  weights: tv('resnet34', 'ResNet34'),
  options: resNetOptionsSchema,
});
registerEncoder('resnet50', resnet50, {
  description: "ResNet-50 (He et al. 2016), Keras applications layout (style 'torch': torchvision's)",
  params: { total: 23587712, trainable: 23534592 },
  weights: { keras: 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5', ...tv('resnet50', 'ResNet50') },
  options: resNetOptionsSchema,
});
registerEncoder('resnet101', resnet101, {
  description: "ResNet-101 (He et al. 2016), Keras applications layout (style 'torch': torchvision's)",
  params: { total: 42658176, trainable: 42552832 },
  weights: { keras: 'resnet101_weights_tf_dim_ordering_tf_kernels_notop.h5', ...tv('resnet101', 'ResNet101') },
  options: resNetOptionsSchema,
});
registerEncoder('resnext50_32x4d', resnext50_32x4d, {
  description: 'ResNeXt-50 32x4d (Xie et al. 2017), torchvision layout, grouped 3x3 convs (32 groups)',
  params: { total: 23048128, trainable: 22979904 },
  weights: tv('resnext50_32x4d', 'ResNeXt50_32X4D'),
  options: resNetOptionsSchema,
});
