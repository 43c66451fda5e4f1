import { tf, DepthblocksError, parseWithSchema } from '@depthblocks/core';
import { makeDecoder, chain, orderFeatures, upsampleDefaults } from './blocks';
import { lrasppDecoderOptionsSchema, type LrasppDecoderOptions } from './options';
import { registerDecoder } from './registry';
import type { Decoder } from './types';

/**
 * LR-ASPP head (Howard et al. 2019) with torchvision's `LRASPPHead` semantics: on the deepest
 * ('high') features, `1x1 conv(inter) + BN + ReLU` times `sigmoid(1x1 conv(inter)(global avg pool))`,
 * bilinearly resized (align_corners=False) to the stride-8 ('low') features' size; then
 * `low_classifier(low) + high_classifier(x)` (1x1 convs with bias). Output at the low stride (8).
 * Use an encoder with `outputStride: 16` for torchvision's layout (it works at 32 too).
 *
 * @example
 * const input = tf.input({ shape: [200, 200, 3] });
 * const feats = getEncoder('mobilenetv3_large', { outputStride: 16 }).build(input);
 * const out = lrasppDecoder({ classes: 21 }).build(feats); // [null, 25, 25, 1]
 */
export function lrasppDecoder(options: LrasppDecoderOptions = {}): Decoder {
  options = parseWithSchema(lrasppDecoderOptionsSchema, options, 'LR-ASPP decoder options');
  const interChannels = options.interChannels ?? 128;
  const outChannels = options.outChannels ?? 1;
  const classes = options.classes ?? outChannels;
  const lowStride = options.lowStride ?? 8;
  const upsample = upsampleDefaults(options, { interpolation: 'bilinear', alignCorners: false, halfPixelCenters: true });
  const prefix = options.namePrefix ?? 'lraspp_';
  return makeDecoder({
    name: 'lraspp',
    label: 'LR-ASPP decoder',
    outputStride: lowStride,
    seed: options.seed,
    upsample,
    options: {
      interChannels,
      classes,
      outChannels,
      lowStride,
      namePrefix: prefix,
    },
    build: (b, features) => {
      const sorted = orderFeatures(features, 'LR-ASPP', 2);
      const high = sorted[sorted.length - 1];
      const low = sorted.find((m) => m.stride === lowStride);
      if (!low || low === high) {
        throw new DepthblocksError(
          'INVALID_ARGUMENT',
          `LR-ASPP decoder: needs a feature map at stride ${lowStride} shallower than the deepest (stride ${high.stride}); got strides [${sorted.map((m) => m.stride).join(', ')}]`,
        );
      }
      const n = (s: string) => prefix + s;
      const cbr = chain(high.tensor, b.conv(n('cbr_conv'), interChannels, 1, false), b.bn(n('cbr_bn')), b.act(n('cbr_relu'), 'relu'));
      const scale = chain(
        high.tensor,
        b.add(tf.layers.globalAveragePooling2d({ name: n('scale_pool') })),
        b.add(tf.layers.reshape({ name: n('scale_reshape'), targetShape: [1, 1, high.channels] })),
        b.conv(n('scale_conv'), interChannels, 1, false),
        b.act(n('scale_sigmoid'), 'sigmoid'),
      );
      const gated = b.add(tf.layers.multiply({ name: n('gate') })).apply([cbr, scale]) as tf.SymbolicTensor;
      const up = b.resize(n('up'), gated, low.tensor);
      const lowLogits = b.conv(n('low_classifier'), classes, 1).apply(low.tensor) as tf.SymbolicTensor;
      const highLogits = b.conv(n('high_classifier'), classes, 1).apply(up) as tf.SymbolicTensor;
      let out = b.add(tf.layers.add({ name: n('sum') })).apply([lowLogits, highLogits]) as tf.SymbolicTensor;
      if (classes !== outChannels) out = b.conv(n('project'), outChannels, 1).apply(out) as tf.SymbolicTensor;
      return { tensor: out, channels: outChannels, stride: low.stride };
    },
  });
}

declare module './types' {
  interface DecoderOptionsByName {
    lraspp: LrasppDecoderOptions;
  }
}

registerDecoder('lraspp', lrasppDecoder, {
  description: 'LR-ASPP head (torchvision): attention-gated high features + low features',
  outputStride: 8,
  tinyOptions: { interChannels: 8 },
  options: lrasppDecoderOptionsSchema,
});
