import type { tf, FeatureMap, WeightMatchReport, z } from '@depthblocks/core';
import type { EncoderOptions, Preprocessing } from './options';

/**
 * Registered encoder names and their option types, for editors' completion of `getEncoder('...')` and
 * `createDepthModel({ encoder: '...' })`. Each encoder's module adds its names; a package that registers its
 * own encoder can add it the same way:
 *
 * @example
 * declare module '@depthblocks/encoders' {
 *   interface EncoderOptionsByName { tiny_cnn: TinyCnnOptions }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EncoderOptionsByName {}

/** A registered encoder name (the built-in ones; any registered string is accepted too). */
export type EncoderName = keyof EncoderOptionsByName;

/** What {@link registerEncoder} records besides the factory. */
export interface EncoderRegistration {
  /** One line: the architecture and where it comes from. */
  description: string;
  /** The options' zod schema (use `z.strictObject`, so that a typo is an error); default: any plain JSON object. */
  options?: z.ZodType;
  /**
   * Parameter counts of the default build: total includes batch-norm moving statistics. Optional; the
   * built-in encoders state theirs and a test rebuilds each encoder and compares.
   */
  params?: { total: number; trainable: number };
  /** Known published weight files (Keras file name, timm tag, torchvision weight name). */
  weights?: { keras?: string; timm?: string; torchvision?: string };
}

/** A registry entry, as {@link listEncoders} returns it. */
export interface EncoderSpec extends Omit<EncoderRegistration, 'options'> {
  name: string;
  /** Channels of the feature maps at `strides`, from an encoder made with default options (DenseNet: smp taps). */
  channels: number[];
  strides: number[];
  preprocessing: Preprocessing;
  weights: { keras?: string; timm?: string; torchvision?: string };
}

/**
 * What loadWeights did (see @depthblocks/core's WeightMatchReport): `loaded`, `missing` (encoder weights by Keras
 * name, e.g. `conv1/conv/kernel`), `unexpected`, `misShaped`, `adapted` (stem kernels adapted to inChannels != 3)
 * and `ignored` (BN `num_batches_tracked`, classifier heads `fc.*`, `classifier.*`, Keras `predictions`/`fc1000`/`Logits`).
 * Missing/unexpected/misShaped are empty after a strict load.
 */
export interface LoadReport extends WeightMatchReport {
  format: 'keras-h5' | 'safetensors';
  /** DenseNet: the batch-norm epsilon set from the weights' style (1.001e-5 Keras, 1e-5 torch/timm). */
  bnEpsilon?: number;
}

/**
 * The options of a built-in encoder with defaults filled in (`taps`, `bnEpsilon`: DenseNet only, `style`: ResNet
 * only; `bnEpsilon` stays unset unless given, so that it follows the weights' style).
 */
export type ResolvedEncoderOptions = Required<Omit<EncoderOptions, 'taps' | 'style' | 'bnEpsilon'>> &
  Pick<EncoderOptions, 'taps' | 'style' | 'bnEpsilon'>;

/**
 * An encoder: adds its layers to a symbolic input and returns its feature maps (see the
 * encoder contract in the package README). `Options` is the type of its resolved options (an encoder of
 * another package has its own; `inChannels`, when present, sets a model's input channels).
 */
export interface Encoder<Options extends object = ResolvedEncoderOptions> {
  readonly name: string;
  /** Channels per feature map, shallow -> deep. */
  readonly channels: number[];
  /** Strides per feature map (2, 4, 8, 16, 32; dilated encoders repeat their output stride). */
  readonly strides: number[];
  readonly preprocessing: Preprocessing;
  /**
   * The options it was created with, every default filled in (plain JSON: model configs store them, and the
   * registered factory given them makes the same encoder). Encoders of other packages may have other keys.
   */
  readonly options: Readonly<Options>;
  /**
   * Adds the layers on `input` ([N, H, W, C] symbolic, values in [0, 1]) and returns the feature maps
   * at strides 2, 4, 8, 16, 32, shallow -> deep. Call it once per Encoder object.
   */
  build(input: tf.SymbolicTensor): FeatureMap[];
  /** The layers `build` added (empty before). */
  readonly layers: tf.layers.Layer[];
  /** Makes every layer non-trainable; batch norm then runs in inference mode even when training. */
  freeze(): void;
  /** Undoes {@link Encoder.freeze}. */
  unfreeze(): void;
}
