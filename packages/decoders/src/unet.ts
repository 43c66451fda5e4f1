import { tf, DepthblocksError, parseWithSchema } from '@depthblocks/core';
import { makeDecoder, LayerBuilder, chain, orderFeatures, upsampleDefaults } from './blocks';
import { unetDecoderOptionsSchema, type BlockActivation, type BlockNorm, type UnetDecoderOptions } from './options';
import { registerDecoder } from './registry';
import type { Decoder } from './types';

/** Resolved options shared by U-Net and U-Net++. */
export interface ConvBlockSpec {
  norm: BlockNorm;
  activation: BlockActivation;
  order: 'conv-norm-act' | 'conv-act-norm';
}

/** Two (conv3x3 -> norm -> act) layers, as smp's DecoderBlock after its concat. */
export function doubleConv(b: LayerBuilder, x: tf.SymbolicTensor, name: string, filters: number, spec: ConvBlockSpec): tf.SymbolicTensor {
  let t = x;
  for (const k of [1, 2]) {
    const conv = b.conv(`${name}_conv${k}`, filters, 3, spec.norm === 'none');
    const act = spec.activation === 'relu' ? b.act(`${name}_relu${k}`, 'relu') : b.leaky(`${name}_leakyrelu${k}`);
    const layers = [conv];
    const norm = spec.norm === 'batchnorm' ? [b.bn(`${name}_bn${k}`)] : [];
    if (spec.order === 'conv-norm-act') layers.push(...norm, act);
    else layers.push(act, ...norm);
    t = chain(t, ...layers);
  }
  return t;
}

/** Fills in the block options (checked by the schema). */
export function blockSpec(o: { norm?: BlockNorm; activation?: BlockActivation; order?: ConvBlockSpec['order'] }): ConvBlockSpec {
  return { norm: o.norm ?? 'batchnorm', activation: o.activation ?? 'relu', order: o.order ?? 'conv-norm-act' };
}

/**
 * The U-Net and U-Net++ decoders' options, checked and filled: block channels (smp's defaults), output channels,
 * block spec, up-sampling (PyTorch's legacy nearest) and the layer-name prefix.
 */
export function unetFamilyOptions(options: UnetDecoderOptions, label: string, defaultPrefix: string, nonEmpty: boolean) {
  options = parseWithSchema(unetDecoderOptionsSchema, options, `${label} options`);
  const channels = options.channels ?? [256, 128, 64, 32, 16];
  if (nonEmpty && channels.length === 0) throw new DepthblocksError('INVALID_ARGUMENT', `${label}: channels must not be empty`);
  const outChannels = options.outChannels ?? 1;
  return {
    channels,
    outChannels,
    spec: blockSpec(options),
    upsample: upsampleDefaults(options, { interpolation: 'nearest', alignCorners: false, halfPixelCenters: false }),
    prefix: options.namePrefix ?? defaultPrefix,
  };
}

/**
 * U-Net decoder with segmentation_models.pytorch semantics: the deepest map is the head; block i
 * resizes its input to the next shallower skip's exact size (so any input size works), concatenates
 * the skip and applies two conv3x3-BN-ReLU; blocks beyond the skips have no skip, and the last one
 * resizes to the model input's size (or x2 without `input`). A final conv3x3 (smp's segmentation
 * head) maps to `outChannels`. Default interpolation is PyTorch's 'nearest'.
 *
 * @example
 * const input = tf.input({ shape: [200, 200, 3] });
 * const out = unetDecoder({ channels: [256, 128, 64, 32, 16] }).build(getEncoder('resnet34').build(input), input);
 * // out.tensor.shape = [null, 200, 200, 1]
 */
export function unetDecoder(options: UnetDecoderOptions = {}): Decoder {
  const { channels, outChannels, spec, upsample, prefix } = unetFamilyOptions(options, 'U-Net decoder', 'unet_', true);
  return makeDecoder({
    name: 'unet',
    label: 'U-Net decoder',
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
      const sorted = orderFeatures(features, 'U-Net', 1);
      const deep = [...sorted].reverse();
      const skips = deep.slice(1);
      let x = deep[0].tensor;
      let stride = deep[0].stride;
      channels.forEach((filters, i) => {
        const name = `${prefix}block${i + 1}`;
        const skip = skips[i];
        const last = i === channels.length - 1;
        if (skip) {
          const up = b.resize(`${name}_up`, x, skip.tensor);
          x = b.concat(`${name}_concat`).apply([up, skip.tensor]) as tf.SymbolicTensor;
          stride = skip.stride;
        } else if (last && input) {
          x = b.resize(`${name}_up`, x, input);
          stride = 1;
        } else {
          x = b.resize(`${name}_up`, x, null, 2);
          stride = stride / 2;
        }
        x = doubleConv(b, x, name, filters, spec);
      });
      const out = b.conv(`${prefix}head_conv`, outChannels, 3).apply(x) as tf.SymbolicTensor;
      return { tensor: out, channels: outChannels, stride };
    },
  });
}

declare module './types' {
  interface DecoderOptionsByName {
    unet: UnetDecoderOptions;
  }
}

registerDecoder('unet', unetDecoder, {
  description: 'U-Net decoder (segmentation_models.pytorch): resize to skip, concat, 2x conv-BN-ReLU',
  outputStride: 1,
  tinyOptions: { channels: [16, 8, 8, 4, 4] },
  options: unetDecoderOptionsSchema,
});
