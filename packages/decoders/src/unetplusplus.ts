import { tf, DepthblocksError } from '@depthblocks/core';
import { makeDecoder, orderFeatures } from './blocks';
import { doubleConv, unetFamilyOptions } from './unet';
import { unetDecoderOptionsSchema, type UnetPlusPlusDecoderOptions } from './options';
import { registerDecoder } from './registry';
import type { Decoder } from './types';

/**
 * U-Net++ decoder (Zhou et al. 2018) with segmentation_models.pytorch's UnetPlusPlusDecoder
 * semantics: nodes x_{d}_{l} on nested dense skip paths. Node x_{d}_{l} resizes x_{d}_{l-1} (or the
 * encoder map for l = d) to the size of skip l+1, concatenates every x_{d'}_{l} with d' > d and that
 * skip, and applies two conv3x3-BN-ReLU; nodes with d = 0 have `channels[l]` filters, the others as
 * many as skip l+1 has channels. The final node has no skip and resizes to the input's size; a
 * conv3x3 head maps to `outChannels`.
 *
 * @example
 * const input = tf.input({ shape: [200, 200, 3] });
 * const feats = getEncoder('resnext50_32x4d').build(input);
 * const out = unetPlusPlusDecoder().build(feats, input); // [null, 200, 200, 1]
 */
export function unetPlusPlusDecoder(options: UnetPlusPlusDecoderOptions = {}): Decoder {
  const { channels, outChannels, spec, upsample, prefix } = unetFamilyOptions(options, 'U-Net++ decoder', 'unetpp_', false);
  return makeDecoder({
    name: 'unetplusplus',
    label: 'U-Net++ decoder',
    outputStride: 1,
    seed: options.seed,
    upsample,
    options: {
      channels: [...channels],
      ...spec,
      outChannels,
      namePrefix: prefix,
    },
    build: (b, features, input) => {
      const f = [...orderFeatures(features, 'U-Net++', 2)].reverse(); // deep -> shallow
      const depth = f.length - 1; // number of skips
      if (channels.length !== depth + 1) {
        throw new DepthblocksError(
          'INVALID_ARGUMENT',
          `U-Net++ decoder: channels must have one entry per skip plus one (${depth + 1} for ${f.length} feature maps), got ${channels.length} ([${channels.join(', ')}])`,
        );
      }
      const skipChannels = f.slice(1).map((m) => m.channels);
      const dense = new Map<string, tf.SymbolicTensor>();
      const node = (d: number, l: number, x: tf.SymbolicTensor, cat: tf.SymbolicTensor[]) => {
        const name = `${prefix}x_${d}_${l}`;
        const skip = f[l + 1].tensor;
        const up = b.resize(`${name}_up`, x, skip);
        const joined = b.concat(`${name}_concat`).apply([up, ...cat, skip]) as tf.SymbolicTensor;
        const filters = d === 0 ? channels[l] : skipChannels[l];
        dense.set(`${d}_${l}`, doubleConv(b, joined, name, filters, spec));
      };
      for (let layer = 0; layer < depth; layer++) {
        for (let d = 0; d < depth - layer; d++) {
          if (layer === 0) {
            node(d, d, f[d].tensor, []);
          } else {
            const l = d + layer;
            const cat: tf.SymbolicTensor[] = [];
            for (let k = d + 1; k <= l; k++) cat.push(dense.get(`${k}_${l}`) as tf.SymbolicTensor);
            node(d, l, dense.get(`${d}_${l - 1}`) as tf.SymbolicTensor, cat);
          }
        }
      }
      const name = `${prefix}x_0_${depth}`;
      const prev = dense.get(`0_${depth - 1}`) as tf.SymbolicTensor;
      const up = input ? b.resize(`${name}_up`, prev, input) : b.resize(`${name}_up`, prev, null, 2);
      const x = doubleConv(b, up, name, channels[depth], spec);
      const out = b.conv(`${prefix}head_conv`, outChannels, 3).apply(x) as tf.SymbolicTensor;
      return { tensor: out, channels: outChannels, stride: input ? 1 : f[depth].stride / 2 };
    },
  });
}

declare module './types' {
  interface DecoderOptionsByName {
    unetplusplus: UnetPlusPlusDecoderOptions;
  }
}

registerDecoder('unetplusplus', unetPlusPlusDecoder, {
  description: 'U-Net++ decoder (smp UnetPlusPlusDecoder): nested dense skip paths',
  outputStride: 1,
  tinyOptions: { channels: [16, 8, 8, 4, 4] },
  options: unetDecoderOptionsSchema,
});
