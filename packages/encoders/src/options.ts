/**
 * The options schemas of the built-in encoders (zod, strict: an unknown key is an error with a "did you
 * mean"). The TypeScript option types are derived from them. Each encoder registers its schema with its name.
 */
import { z } from '@depthblocks/core';

/** How an encoder maps its [0, 1] input to what its weights expect (see {@link Preprocessing}). */
export const preprocessingSchema = z.enum(['imagenet', 'caffe', 'none']);

/** Options every built-in encoder accepts. */
export const encoderOptionsSchema = z.strictObject({
  /** Input channels (default 3). Pretrained RGB weights are adapted when loaded (see loadWeights). */
  inChannels: z.number().int().positive().optional(),
  /** 32 (default), 16 or 8: later stages dilate instead of striding. DenseNet supports 32 only. */
  outputStride: z.literal([32, 16, 8]).optional(),
  /** Default: the encoder's own (what its default weights expect); 'none' = raw [0, 1] input. */
  preprocessing: preprocessingSchema.optional(),
  /** Prefix for every layer name (default '' = the exact Keras names). */
  namePrefix: z.string().optional(),
  /** Seed of the initial (Glorot-uniform) convolution weights; the same seed gives the same weights. Default 0. */
  seed: z.number().int().optional(),
});

/** DenseNet options: the common ones plus which skip connections it returns. */
export const denseNetOptionsSchema = encoderOptionsSchema.extend({
  /** 'smp' (default) or 'densedepth' skip taps (see the README's table). */
  taps: z.enum(['smp', 'densedepth']).optional(),
  /**
   * Batch-norm epsilon. Default: set from the weights' style when weights load (Keras .h5: 1.001e-5, as Keras'
   * DenseNet; torchvision/timm safetensors: 1e-5, as torch's BatchNorm2d), 1.001e-5 before any weights load.
   * Given here, it is kept whatever the weights.
   */
  bnEpsilon: z.number().positive().optional(),
});

/** ResNet / ResNeXt options: the common ones plus the layout of the weights it will load. */
export const resNetOptionsSchema = encoderOptionsSchema.extend({
  /**
   * ResNet-50/101: 'keras' (default; Keras applications layout: conv biases, stride on the first 1x1 conv,
   * BN epsilon 1.001e-5) or 'torch' (torchvision layout: no conv biases, stride on the 3x3 conv, BN epsilon
   * 1e-5), to match the weight file you will load. ResNet-18/34 and ResNeXt: 'torch' only.
   */
  style: z.enum(['keras', 'torch']).optional(),
});

/**
 * How an encoder maps its [0, 1] RGB input to what its weights expect.
 * - `imagenet`: (x - mean) / std with ImageNet mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]
 *   (Keras DenseNet, every torchvision/timm weight file);
 * - `caffe`: RGB -> BGR, x * 255 - [103.939, 116.779, 123.68] (Keras ResNet-50/101);
 * - `none`: the raw [0, 1] input.
 */
export type Preprocessing = z.infer<typeof preprocessingSchema>;
/** Options of MobileNetV3 (and of any encoder: the common ones). */
export type CommonEncoderOptions = z.input<typeof encoderOptionsSchema>;
export type DenseNetOptions = z.input<typeof denseNetOptionsSchema>;
export type ResNetOptions = z.input<typeof resNetOptionsSchema>;
/** Which skip connections a DenseNet returns (see the README's table). */
export type DenseNetTaps = NonNullable<DenseNetOptions['taps']>;
/** Every option of the built-in encoders (each accepts its own subset; see the schemas). */
export type EncoderOptions = DenseNetOptions & ResNetOptions;
