import { tf, DepthblocksError, parseWithSchema } from '@depthblocks/core';
import { makeDecoder, chain, orderFeatures, upsampleDefaults } from './blocks';
import { denseDepthDecoderOptionsSchema, type DenseDepthDecoderOptions } from './options';
import { registerDecoder } from './registry';
import type { Decoder } from './types';

/**
 * DenseDepth's decoder (Alhashim & Wonka 2018): a 1x1 conv `conv2` to F filters on the deepest features, one
 * up-block per shallower feature map (bilinear resize to the skip's size, concat, conv3x3 `upN_convA`,
 * LeakyReLU 0.2, conv3x3 `upN_convB`, LeakyReLU 0.2, no batch norm), and a final conv3x3 `conv3` to one channel
 * at the shallowest skip's stride (2). For inputs that are multiples of 32 each resize is exactly x2.
 *
 * How DenseDepth's `BilinearUpSampling2D` samples depends on the code's date and the TensorFlow it ran on, and
 * it changes the output of the same weights:
 * - the January 2019 code that trained the published nyu.h5 / kitti.h5 (Keras 2.2.4, TF 1.13) calls
 *   `tf.image.resize_images(..., align_corners=True)`: pass `{ alignCorners: true }`;
 * - since September 2020 it calls `tf.image.resize`: half-pixel centres under TF2 (this decoder's default,
 *   `halfPixelCenters: true`), the legacy asymmetric mapping under TF 1.14/1.15 (both false).
 * The published weights also need `leakyAfterConvA: false` (see the option). The denseDepth169() preset of
 * @depthblocks/models sets both.
 *
 * With DenseNet-169 (`taps: 'densedepth'` skips pool3_pool, pool2_pool, pool1, conv1/relu) and
 * width 'full' the decoder has 30,173,209 parameters.
 *
 * @example
 * const enc = getEncoder('densenet169', { taps: 'densedepth' });
 * const input = tf.input({ shape: [480, 640, 3] });
 * const out = denseDepthDecoder({ width: 'full' }).build(enc.build(input));
 * // out.tensor.shape = [null, 240, 320, 1], out.stride = 2
 */
export function denseDepthDecoder(options: DenseDepthDecoderOptions = {}): Decoder {
  options = parseWithSchema(denseDepthDecoderOptionsSchema, options, 'DenseDepth decoder options');
  const width = options.width ?? 'full';
  const outChannels = options.outChannels ?? 1;
  const leakyAfterConvA = options.leakyAfterConvA ?? true;
  const upsample = upsampleDefaults(options, { interpolation: 'bilinear', alignCorners: false, halfPixelCenters: true });
  const prefix = options.namePrefix ?? '';
  return makeDecoder({
    name: 'densedepth',
    label: 'DenseDepth decoder',
    outputStride: 2,
    seed: options.seed,
    upsample,
    options: { width, outChannels, namePrefix: prefix, leakyAfterConvA },
    build: (builder, features) => {
      const sorted = orderFeatures(features, 'DenseDepth', 2);
      const deepest = sorted[sorted.length - 1];
      const skips = sorted.slice(0, -1).reverse();
      const f = width === 'full' ? deepest.channels : width === 'half' ? Math.floor(deepest.channels / 2) : width;
      const n = (s: string) => prefix + s;
      let x = builder.conv(n('conv2'), f, 1).apply(deepest.tensor) as tf.SymbolicTensor;
      skips.forEach((skip, i) => {
        const filters = Math.floor(f / 2 ** (i + 1));
        if (filters < 1) {
          throw new DepthblocksError('INVALID_ARGUMENT', `DenseDepth decoder: F = ${f} is too small for ${skips.length} up-blocks`);
        }
        const b = n(`up${i + 1}`);
        const up = builder.resize(`${b}_upsampling2d`, x, skip.tensor);
        const cat = builder.concat(`${b}_concat`).apply([up, skip.tensor]) as tf.SymbolicTensor;
        x = chain(
          cat,
          builder.conv(`${b}_convA`, filters, 3),
          ...(leakyAfterConvA ? [builder.leaky(`${b}_leakyreluA`)] : []),
          builder.conv(`${b}_convB`, filters, 3),
          builder.leaky(`${b}_leakyreluB`),
        );
      });
      const out = builder.conv(n('conv3'), outChannels, 3).apply(x) as tf.SymbolicTensor;
      return { tensor: out, channels: outChannels, stride: sorted[0].stride };
    },
  });
}

declare module './types' {
  interface DecoderOptionsByName {
    densedepth: DenseDepthDecoderOptions;
  }
}

registerDecoder('densedepth', denseDepthDecoder, {
  description: 'DenseDepth (Alhashim & Wonka 2018): 1x1 conv + 4 bilinear up-blocks with LeakyReLU, no BN',
  outputStride: 2,
  tinyOptions: { width: 16 },
  options: denseDepthDecoderOptionsSchema,
});
