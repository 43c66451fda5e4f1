/**
 * A DepthModel's weights as a file's bytes: Keras .h5 in the layout Keras itself writes (so Keras'
 * `model.load_weights(file, by_name=True)` reads it) or safetensors. Portable (browsers: offer the bytes as a
 * download); the Node entry point's saveModelWeights writes them to a file.
 */
import { encodeKerasH5, writeSafetensors, DepthblocksError, type KerasLayerWeights, type WeightTensor } from '@depthblocks/core';
import type { DepthModel } from '../create-model';
import { modelWeights } from './model-weight-keys';

/** Options of {@link encodeModelWeights}. */
export interface EncodeModelWeightsOptions {
  /** 'h5': Keras 2 `save_weights()` layout; 'safetensors': tensors keyed `<layer>/<weight>` (e.g. `conv1/conv/kernel`). */
  format: 'h5' | 'safetensors';
}

/** Metadata key (safetensors) / root attribute (h5) holding the model's depthblocks config as JSON. */
export const WEIGHTS_CONFIG_KEY = 'depthblocks_config';

/**
 * Encodes every weight of `dm` (batch-norm statistics included) in a weight file. The values are the float32
 * values of the variables, so loading the file back with loadModelWeights restores them bit for bit.
 *
 * @example
 * const bytes = await encodeModelWeights(dm, { format: 'h5' });
 * // in a browser: URL.createObjectURL(new Blob([bytes])) as a download link
 */
export async function encodeModelWeights(dm: DepthModel, options: EncodeModelWeightsOptions): Promise<Uint8Array> {
  const format = options?.format;
  if (format !== 'h5' && format !== 'safetensors') {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `encodeModelWeights: format must be 'h5' or 'safetensors', got ${JSON.stringify(format)}`,
    );
  }
  const weights = modelWeights(dm.model);
  const values = new Map<string, WeightTensor>();
  for (const w of weights) {
    values.set(w.key, { shape: [...(w.variable.shape as number[])], data: (await w.variable.read().data()) as Float32Array });
  }
  if (format === 'safetensors') {
    return writeSafetensors(values, { format: 'depthblocks-weights', [WEIGHTS_CONFIG_KEY]: JSON.stringify(dm.config) });
  }
  // every layer, weightless ones included with an empty weight list, as Keras' save_weights() does
  const byLayer = new Map<string, KerasLayerWeights>(dm.model.layers.map((l) => [l.name, { name: l.name, weights: [] }]));
  for (const w of weights) byLayer.get(w.layer)!.weights.push({ name: `${w.key}:0`, ...values.get(w.key)! });
  return encodeKerasH5([...byLayer.values()], { layout: 'weights', extraAttributes: { [WEIGHTS_CONFIG_KEY]: JSON.stringify(dm.config) } });
}
