/**
 * The options schemas of the built-in decoders (zod, strict: an unknown key is an error with a "did you
 * mean"). The TypeScript option types are derived from them; each decoder registers its schema with its name.
 */
import { z } from '@depthblocks/core';

const positiveInt = z.number().int().positive();

/** Sampling options shared by decoders that resize (see `Resize2D`). */
export const upsampleOptionsSchema = z.strictObject({
  interpolation: z.enum(['bilinear', 'nearest']).optional(),
  alignCorners: z.boolean().optional(),
  halfPixelCenters: z.boolean().optional(),
});

/** Layer names and initial weights, shared by every decoder. */
const naming = {
  /** Prefix for layer names (each decoder has its default). */
  namePrefix: z.string().optional(),
  /** Seed of the kernels' initialisers (default: unseeded). */
  seed: z.number().int().optional(),
};

/** {@link denseDepthDecoder}'s options. */
export const denseDepthDecoderOptionsSchema = upsampleOptionsSchema.extend({
  /**
   * Filters F of the 1x1 `conv2` on the deepest features: 'full' = that map's channels (1664 for
   * DenseNet-169, the paper's table), 'half' = half of it (DenseDepth's Keras default), or a number
   * = F itself (e.g. 32 for a tiny test decoder). Up-blocks use F/2, F/4, F/8, F/16 (floored).
   */
  width: z.union([z.enum(['full', 'half']), z.number().int().min(16)]).optional(),
  /** Channels of the final `conv3` (default 1). */
  outChannels: positiveInt.optional(),
  /**
   * LeakyReLU(0.2) after each up-block's first convolution `upN_convA` (default true: the paper's text and
   * DenseDepth's code since March 2019). false: LeakyReLU after `upN_convB` only, as in the January 2019 code
   * that trained the published nyu.h5 / kitti.h5. No weights differ, only the output.
   */
  leakyAfterConvA: z.boolean().optional(),
  ...naming,
});

/** Normalisation and activation inside U-Net style blocks. */
export const blockNormSchema = z.enum(['batchnorm', 'none']);
export const blockActivationSchema = z.enum(['relu', 'leaky_relu']);

/** {@link unetDecoder}'s (and {@link unetPlusPlusDecoder}'s) options. */
export const unetDecoderOptionsSchema = upsampleOptionsSchema.extend({
  /** Output channels of the decoder blocks, deep -> shallow (default smp's [256, 128, 64, 32, 16]). */
  channels: z.array(positiveInt).optional(),
  /** 'batchnorm' (default; convs then have no bias) or 'none'. */
  norm: blockNormSchema.optional(),
  /** 'relu' (default, smp) or 'leaky_relu' (slope 0.2). */
  activation: blockActivationSchema.optional(),
  /** 'conv-norm-act' (default, smp) or 'conv-act-norm' (the CS231N scratch U-Net). */
  order: z.enum(['conv-norm-act', 'conv-act-norm']).optional(),
  /** Channels of the final 3x3 conv (smp's segmentation head; default 1). */
  outChannels: positiveInt.optional(),
  ...naming,
});

/** {@link lrasppDecoder}'s options. */
export const lrasppDecoderOptionsSchema = upsampleOptionsSchema.extend({
  /** Channels of the attention branch (torchvision: 128). */
  interChannels: positiveInt.optional(),
  /** Classifier outputs (torchvision's 21 for VOC); default = outChannels. */
  classes: positiveInt.optional(),
  /** Output channels (default 1); when `classes` differs, a 1x1 conv maps classes -> outChannels. */
  outChannels: positiveInt.optional(),
  /** Stride of the 'low' features (default 8); 'high' is the deepest map (stride 16 with a dilated encoder). */
  lowStride: positiveInt.optional(),
  ...naming,
});

/** {@link bridgeDecoder}'s options. */
export const bridgeDecoderOptionsSchema = upsampleOptionsSchema.extend({
  /**
   * Filters F of the 1x1 conv on the deepest features: 'full' = its channels, 'half' = half (the
   * public code's delta 0.5), or a number = F. Bridge blocks use F/2, F/4, ... (floored).
   */
  width: z.union([z.enum(['full', 'half']), z.number().int().min(2)]).optional(),
  /** Channels of the final 1x1 conv (default 1). */
  outChannels: positiveInt.optional(),
  /** LeakyReLU slope (default 0.2). */
  alpha: z.number().nonnegative().optional(),
  ...naming,
});

export type UpsampleOptions = z.input<typeof upsampleOptionsSchema>;
export type DenseDepthDecoderOptions = z.input<typeof denseDepthDecoderOptionsSchema>;
export type BlockNorm = z.infer<typeof blockNormSchema>;
export type BlockActivation = z.infer<typeof blockActivationSchema>;
export type UnetDecoderOptions = z.input<typeof unetDecoderOptionsSchema>;
/** Options of {@link unetPlusPlusDecoder} (as U-Net's; channels must number the skips + 1). */
export type UnetPlusPlusDecoderOptions = UnetDecoderOptions;
export type LrasppDecoderOptions = z.input<typeof lrasppDecoderOptionsSchema>;
export type BridgeDecoderOptions = z.input<typeof bridgeDecoderOptionsSchema>;
