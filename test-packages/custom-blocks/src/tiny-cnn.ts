/**
 * An encoder written outside depthblocks: three strided conv stages (stride 2, 4, 8), implementing the
 * `Encoder` contract directly (no EncoderBase), with its own options schema, registered as 'tiny_cnn'.
 */
import { parseWithSchema, tf, z, type FeatureMap } from '@depthblocks/core';
import { registerEncoder, type Encoder } from '@depthblocks/encoders';

export const tinyCnnOptionsSchema = z.strictObject({
  /** Channels of the first stage; later stages double it (default 8). */
  width: z.number().int().positive().optional(),
  inChannels: z.number().int().positive().optional(),
  seed: z.number().int().optional(),
});
export type TinyCnnOptions = z.input<typeof tinyCnnOptionsSchema>;

/**
 * A tiny encoder: feature maps at strides 2, 4, 8 with width, 2 width, 4 width channels.
 *
 * @example
 * const { model } = createDepthModel({ encoder: tinyCnn({ width: 4 }), decoder: tinyFuse() });
 */
export function tinyCnn(options: TinyCnnOptions = {}): Encoder<Required<TinyCnnOptions>> {
  const o = parseWithSchema(tinyCnnOptionsSchema, options, 'tiny_cnn options');
  const resolved = { width: o.width ?? 8, inChannels: o.inChannels ?? 3, seed: o.seed ?? 0 };
  const channels = [resolved.width, resolved.width * 2, resolved.width * 4];
  const layers: tf.layers.Layer[] = [];
  let built = false;
  return {
    name: 'tiny_cnn',
    channels,
    strides: [2, 4, 8],
    preprocessing: 'none',
    options: resolved,
    layers,
    build(input: tf.SymbolicTensor): FeatureMap[] {
      if (built) throw new Error('tiny_cnn: build() once');
      built = true;
      let x = input;
      return channels.map((filters, i) => {
        const conv = tf.layers.conv2d({
          name: `tiny_conv${i + 1}`,
          filters,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: resolved.seed + i }),
        });
        layers.push(conv);
        x = conv.apply(x) as tf.SymbolicTensor;
        return { name: conv.name, tensor: x, channels: filters, stride: 2 ** (i + 1) };
      });
    },
    freeze: () => layers.forEach((l) => (l.trainable = false)),
    unfreeze: () => layers.forEach((l) => (l.trainable = true)),
  };
}

declare module '@depthblocks/encoders' {
  interface EncoderOptionsByName {
    tiny_cnn: TinyCnnOptions;
  }
}

registerEncoder('tiny_cnn', tinyCnn, { description: 'Three strided 3x3 conv stages (a test encoder)', options: tinyCnnOptionsSchema });
