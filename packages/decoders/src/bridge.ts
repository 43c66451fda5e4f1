import { tf, DepthblocksError, parseWithSchema } from '@depthblocks/core';
import { makeDecoder, chain, orderFeatures, upsampleDefaults } from './blocks';
import { bridgeDecoderOptionsSchema, type BridgeDecoderOptions } from './options';
import { registerDecoder } from './registry';
import type { Decoder } from './types';

/**
 * The "bridge" decoder of the perceptual-alignment depth model (Ashok, DenseNet-121): a 1x1 conv to F
 * filters on the deepest features, then one bridge block per skip (bilinear resize to the skip's size,
 * align_corners=True by default as in the public code, concat, two conv3x3 each followed by
 * LeakyReLU 0.2), a last bridge block without skip that resizes to the model input's size (x2 without
 * `input`), and a 1x1 conv to `outChannels`. Output at stride 1.
 *
 * @example
 * const input = tf.input({ shape: [224, 224, 3] });
 * const feats = getEncoder('densenet121', { taps: 'densedepth' }).build(input);
 * const out = bridgeDecoder({ width: 768 }).build(feats, input); // [null, 224, 224, 1]
 */
export function bridgeDecoder(options: BridgeDecoderOptions = {}): Decoder {
  options = parseWithSchema(bridgeDecoderOptionsSchema, options, 'Bridge decoder options');
  const width = options.width ?? 'half';
  const outChannels = options.outChannels ?? 1;
  const alpha = options.alpha ?? 0.2;
  const upsample = upsampleDefaults(options, { interpolation: 'bilinear', alignCorners: true, halfPixelCenters: false });
  const prefix = options.namePrefix ?? 'bridge_';
  return makeDecoder({
    name: 'bridge',
    label: 'Bridge decoder',
    outputStride: 1,
    seed: options.seed,
    upsample,
    options: {
      width,
      outChannels,
      alpha,
      namePrefix: prefix,
    },
    build: (b, features, input) => {
      const sorted = orderFeatures(features, 'Bridge', 1);
      const deepest = sorted[sorted.length - 1];
      const skips = sorted.slice(0, -1).reverse();
      const f = width === 'full' ? deepest.channels : width === 'half' ? Math.floor(deepest.channels / 2) : width;
      const n = (s: string) => prefix + s;
      let x = b.conv(n('conv_in'), f, 1).apply(deepest.tensor) as tf.SymbolicTensor;
      const block = (i: number, t: tf.SymbolicTensor) => {
        const filters = Math.floor(f / 2 ** i);
        if (filters < 1)
          throw new DepthblocksError('INVALID_ARGUMENT', `Bridge decoder: F = ${f} is too small for ${skips.length + 1} blocks`);
        const name = n(`block${i}`);
        return chain(
          t,
          b.conv(`${name}_conv1`, filters, 3),
          b.leaky(`${name}_leakyrelu1`, alpha),
          b.conv(`${name}_conv2`, filters, 3),
          b.leaky(`${name}_leakyrelu2`, alpha),
        );
      };
      skips.forEach((skip, i) => {
        const up = b.resize(n(`block${i + 1}_up`), x, skip.tensor);
        x = block(i + 1, b.concat(n(`block${i + 1}_concat`)).apply([up, skip.tensor]) as tf.SymbolicTensor);
      });
      const last = skips.length + 1;
      const up = input ? b.resize(n(`block${last}_up`), x, input) : b.resize(n(`block${last}_up`), x, null, 2);
      x = block(last, up);
      const out = b.conv(n('conv_out'), outChannels, 1).apply(x) as tf.SymbolicTensor;
      return { tensor: out, channels: outChannels, stride: input ? 1 : sorted[0].stride / 2 };
    },
  });
}

declare module './types' {
  interface DecoderOptionsByName {
    bridge: BridgeDecoderOptions;
  }
}

registerDecoder('bridge', bridgeDecoder, {
  description: 'Bridge decoder (perceptual alignment, Ashok): resize, concat, 2x conv3x3 + LeakyReLU, last block to input size',
  outputStride: 1,
  tinyOptions: { width: 32 },
  options: bridgeDecoderOptionsSchema,
});
