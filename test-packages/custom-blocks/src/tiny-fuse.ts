/**
 * A decoder written outside depthblocks: resizes every feature map to the shallowest one's size (depthblocks'
 * Resize2D layer), concatenates them, and maps them to one channel; the result is resized to the input's size.
 * Registered as 'tiny_fuse'.
 */
import { parseWithSchema, tf, z, type FeatureMap } from '@depthblocks/core';
import { registerDecoder, Resize2D, type Decoder } from '@depthblocks/decoders';

export const tinyFuseOptionsSchema = z.strictObject({
  /** Channels of the fused 3x3 conv (default 8). */
  channels: z.number().int().positive().optional(),
  seed: z.number().int().optional(),
});
export type TinyFuseOptions = z.input<typeof tinyFuseOptionsSchema>;

/**
 * A tiny decoder: all maps resized to the shallowest, concatenated, conv3x3 + ReLU, conv1x1 to depth.
 *
 * @example
 * const out = tinyFuse({ channels: 4 }).build(tinyCnn().build(input), input);
 */
export function tinyFuse(options: TinyFuseOptions = {}): Decoder {
  const o = parseWithSchema(tinyFuseOptionsSchema, options, 'tiny_fuse options');
  const resolved = { channels: o.channels ?? 8, seed: o.seed ?? 0 };
  const layers: tf.layers.Layer[] = [];
  const add = <L extends tf.layers.Layer>(l: L): L => {
    layers.push(l);
    return l;
  };
  let built = false;
  return {
    name: 'tiny_fuse',
    outputStride: 1,
    options: resolved,
    layers,
    build(features: FeatureMap[], input?: tf.SymbolicTensor) {
      if (built) throw new Error('tiny_fuse: build() once');
      built = true;
      const sorted = [...features].sort((a, b) => a.stride - b.stride);
      const ref = sorted[0].tensor;
      const resized = sorted.map((f, i) =>
        i === 0 ? f.tensor : (add(new Resize2D({ name: `fuse_up${i}` })).apply([f.tensor, ref]) as tf.SymbolicTensor),
      );
      let x = add(tf.layers.concatenate({ name: 'fuse_concat' })).apply(resized) as tf.SymbolicTensor;
      const init = (k: number) => tf.initializers.glorotUniform({ seed: resolved.seed + k });
      x = add(
        tf.layers.conv2d({
          name: 'fuse_conv',
          filters: resolved.channels,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: init(1),
        }),
      ).apply(x) as tf.SymbolicTensor;
      x = add(tf.layers.conv2d({ name: 'fuse_out', filters: 1, kernelSize: 1, kernelInitializer: init(2) })).apply(x) as tf.SymbolicTensor;
      if (input) x = add(new Resize2D({ name: 'fuse_to_input' })).apply([x, input]) as tf.SymbolicTensor;
      return { tensor: x, channels: 1, stride: input ? 1 : sorted[0].stride };
    },
  };
}

declare module '@depthblocks/decoders' {
  interface DecoderOptionsByName {
    tiny_fuse: TinyFuseOptions;
  }
}

registerDecoder('tiny_fuse', tinyFuse, {
  description: 'Resize all maps to the shallowest, concat, conv (a test decoder)',
  outputStride: 1,
  tinyOptions: { channels: 4 },
  options: tinyFuseOptionsSchema,
});
