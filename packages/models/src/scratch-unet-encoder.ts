import { tf, DepthblocksError, parseWithSchema, z, type FeatureMap } from '@depthblocks/core';
import { encoderOptionsSchema, registerEncoder, type Encoder } from '@depthblocks/encoders';

/** Options of {@link unetScratchEncoder}: the common encoder options it uses plus the first block's filters. */
export const unetScratchEncoderOptionsSchema = encoderOptionsSchema.pick({ inChannels: true, namePrefix: true, seed: true }).extend({
  /** Filters of the first down block (default 64); blocks double it, the bottleneck has 16x. */
  baseFilters: z.number().int().positive().optional(),
  /** LeakyReLU slope (default 0.2). */
  alpha: z.number().nonnegative().optional(),
});
export type UnetScratchEncoderOptions = z.input<typeof unetScratchEncoderOptionsSchema>;

/**
 * The contracting half of the CS231N brief's U-Net trained from scratch, as an encoder: four down
 * blocks (conv3x3 -> LeakyReLU -> BN, twice, then 2x2 max-pool) and a bottleneck (conv3x3 ->
 * LeakyReLU). Its feature maps are the blocks' pre-pool outputs at strides 1, 2, 4, 8 and the
 * bottleneck at stride 16, which a U-Net decoder with four blocks turns back into full resolution.
 * Registered by @depthblocks/models as encoder 'unet_scratch' (not an ImageNet encoder: no weights).
 *
 * @example
 * const model = createDepthModel({ encoder: { name: 'unet_scratch', options: { baseFilters: 32 } }, decoder: { name: 'unet', options: { channels: [256, 128, 64, 32] } } });
 */
export function unetScratchEncoder(options: UnetScratchEncoderOptions = {}): Encoder<Required<UnetScratchEncoderOptions>> {
  options = parseWithSchema(unetScratchEncoderOptionsSchema, options, 'unet_scratch options');
  const base = options.baseFilters ?? 64;
  const alpha = options.alpha ?? 0.2;
  const inChannels = options.inChannels ?? 3;
  const prefix = options.namePrefix ?? '';
  const seed = options.seed ?? 0;
  const channels = [base, base * 2, base * 4, base * 8, base * 16];
  const strides = [1, 2, 4, 8, 16];
  const layers: tf.layers.Layer[] = [];
  const add = <L extends tf.layers.Layer>(l: L): L => {
    layers.push(l);
    return l;
  };
  const n = (s: string) => prefix + s;
  let built = false;
  let frozen = false;
  const setTrainable = (t: boolean) => layers.forEach((l) => (l.trainable = t));

  return {
    name: 'unet_scratch',
    channels,
    strides,
    preprocessing: 'none',
    options: { inChannels, namePrefix: prefix, seed, baseFilters: base, alpha },
    layers,
    build(input: tf.SymbolicTensor): FeatureMap[] {
      if (built) throw new DepthblocksError('INVALID_ARGUMENT', 'unet_scratch encoder: build() may be called once; make a new encoder');
      built = true;
      let convCount = 0;
      const conv = (name: string, filters: number) =>
        add(
          tf.layers.conv2d({
            name,
            filters,
            kernelSize: 3,
            padding: 'same',
            kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 7919 * convCount++ }),
          }),
        );
      const leaky = (name: string) => add(tf.layers.leakyReLU({ name, alpha }));
      const apply = (x: tf.SymbolicTensor, l: tf.layers.Layer) => l.apply(x) as tf.SymbolicTensor;
      const maps: FeatureMap[] = [];
      let x = input;
      for (let i = 0; i < 4; i++) {
        const b = n(`down${i + 1}`);
        for (const k of [1, 2]) {
          x = apply(x, conv(`${b}_conv${k}`, channels[i]));
          x = apply(x, leaky(`${b}_leakyrelu${k}`));
          x = apply(x, add(tf.layers.batchNormalization({ name: `${b}_bn${k}` })));
        }
        maps.push({ name: `${b}_bn2`, tensor: x, channels: channels[i], stride: strides[i] });
        x = apply(x, add(tf.layers.maxPooling2d({ name: `${b}_pool`, poolSize: 2, strides: 2, padding: 'same' })));
      }
      x = apply(x, conv(n('bottleneck_conv'), channels[4]));
      x = apply(x, leaky(n('bottleneck_leakyrelu')));
      maps.push({ name: n('bottleneck_leakyrelu'), tensor: x, channels: channels[4], stride: 16 });
      if (frozen) setTrainable(false);
      return maps;
    },
    freeze() {
      frozen = true;
      setTrainable(false);
    },
    unfreeze() {
      frozen = false;
      setTrainable(true);
    },
  };
}

declare module '@depthblocks/encoders' {
  interface EncoderOptionsByName {
    unet_scratch: UnetScratchEncoderOptions;
  }
}

registerEncoder('unet_scratch', unetScratchEncoder, {
  description: "The CS231N brief's U-Net contracting path trained from scratch (conv-LeakyReLU-BN blocks, max-pool), strides 1..16",
  options: unetScratchEncoderOptionsSchema,
});
