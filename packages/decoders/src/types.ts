import type { tf, FeatureMap, z } from '@depthblocks/core';

/** What a decoder returns: one map and the stride it is at (1 = the input's size). */
export interface DecoderOutput {
  tensor: tf.SymbolicTensor;
  channels: number;
  /** Output stride relative to the input (1, 2, 8 ...). */
  stride: number;
}

/**
 * A decoder: a factory's product that, given an encoder's feature maps (strides 2..32, any channel
 * counts), adds its layers and returns one output map. Build it once.
 *
 * `input` (the model's input tensor) is needed only by decoders whose last block resizes to the
 * input's size (U-Net, U-Net++, bridge); without it they up-sample the stride-2 map by 2.
 */
export interface Decoder {
  readonly name: string;
  /** The stride of the map `build` returns (1 = input size). */
  readonly outputStride: number;
  /** The options it was made with, complete with defaults: plain JSON (goes into model configs). */
  readonly options: Record<string, unknown>;
  build(features: FeatureMap[], input?: tf.SymbolicTensor): DecoderOutput;
  /** The layers it added (after build). */
  readonly layers: tf.layers.Layer[];
}

/**
 * Registered decoder names and their option types, for editors' completion of `getDecoder('...')` and
 * `createDepthModel({ decoder: '...' })`. Each decoder's module adds its name; a package that registers its
 * own decoder can add it the same way (`declare module '@depthblocks/decoders' { interface DecoderOptionsByName { ... } }`).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DecoderOptionsByName {}

/** A registered decoder name (the built-in ones; any registered string is accepted too). */
export type DecoderName = keyof DecoderOptionsByName;

/** What {@link registerDecoder} records besides the factory. */
export interface DecoderRegistration {
  description: string;
  /** Output stride of its map with default options (1 = input size). */
  outputStride: number;
  /** Options that keep it small (for smoke tests and ablation dry-runs). */
  tinyOptions: Record<string, unknown>;
  /** The options' zod schema (use `z.strictObject`); default: any plain JSON object. */
  options?: z.ZodType;
}

/** A registry entry, as {@link listDecoders} returns it. */
export interface DecoderSpec extends Omit<DecoderRegistration, 'options'> {
  name: string;
}
