import { tf } from '@depthblocks/core';
import type { Encoder } from '@depthblocks/encoders';
import { Resize2D } from '@depthblocks/decoders';
import type { Decoder } from '@depthblocks/decoders';
import { resolveParts, parseConfig, DepthModelConfig, DepthModelSpec } from './config';

/** A built model together with the config that rebuilds it and the parts it was built from. */
export interface DepthModel {
  model: tf.LayersModel;
  config: DepthModelConfig;
  /** The encoder object (freeze()/unfreeze(), layers); absent on a model loaded from disk. */
  encoder?: Encoder<object>;
  decoder?: Decoder;
}

/** Key under which the config is stored in the model's user-defined metadata (and model.json). */
export const CONFIG_METADATA_KEY = 'depthblocks';

/**
 * Composes an encoder, a decoder and a head into a `tf.LayersModel`. Parts are given by registry name,
 * as `{ name, options }`, or as objects made by their factories (composition by import: swapping
 * `resnet34()` for `densenet169()` is the ablation; the object's options are kept). Everything is checked
 * first (`DepthblocksError('INVALID_CONFIG')` with "did you mean" for a typo'd key or name). Returns the
 * model, the complete plain-JSON config (each part's registry name and resolved options) that
 * {@link buildFromConfig} turns back into the same architecture, and the parts.
 *
 * The head resizes to the input size when `head.outputSize` is 'input' (bilinear, half-pixel
 * centres) and applies `head.activation`; its layers are named `head_resize`, `head_activation`.
 *
 * @example
 * const { model, config } = createDepthModel({
 *   encoder: resnet34({ outputStride: 16 }), // or 'resnet34', or { name: 'resnet34', options: { outputStride: 16 } }
 *   decoder: { name: 'unet', options: { channels: [128, 64, 32, 16, 8] } },
 *   head: { activation: 'sigmoid', outputSize: 'input' },
 *   inputSize: [200, 200],
 *   depth: { kind: 'unit', maxDepth: 10 },
 * });
 * model.predict(tf.zeros([1, 200, 200, 3])); // [1, 200, 200, 1]
 */
export function createDepthModel(spec: DepthModelSpec | DepthModelConfig): DepthModel {
  const { config, encoder, decoder } = resolveParts(spec);
  const { height, width, channels } = config.input;
  const input = tf.input({ shape: [height, width, channels], name: 'input' });
  const features = encoder.build(input);
  const out = decoder.build(features, input);
  let y = out.tensor;
  if (config.head.outputSize === 'input' && out.stride !== 1) {
    y = new Resize2D({ name: 'head_resize', halfPixelCenters: true }).apply([y, input]) as tf.SymbolicTensor;
  }
  y = tf.layers.activation({ name: 'head_activation', activation: config.head.activation }).apply(y) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: y, name: config.name });
  model.setUserDefinedMetadata({ [CONFIG_METADATA_KEY]: config });
  return { model, config, encoder, decoder };
}

/**
 * Rebuilds a model from a config (plain JSON, e.g. read from a file): the same architecture with
 * freshly initialised weights. Validates the JSON first.
 *
 * @example
 * const json = JSON.parse(fs.readFileSync('model-config.json', 'utf8'));
 * const { model } = buildFromConfig(json);
 */
export function buildFromConfig(config: unknown): DepthModel {
  return createDepthModel(parseConfig(config));
}

/**
 * Trainable parameter count (what PyTorch's `parameters()` counts: batch-norm moving statistics
 * excluded). `model.countParams()` gives the total including them.
 *
 * @example
 * countTrainableParams(buildPreset(denseDepth169()).model); // 42657689
 */
export function countTrainableParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}
