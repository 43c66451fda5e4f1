/** Weight loading from the file system (Node): paths and file: URLs, on top of the portable loader. */
import { readWeightBytes, type WeightLocation } from '@depthblocks/core';
import type { Encoder, LoadReport } from './types';
import { loadWeightBytes, type LoadWeightsOptions } from './weights';

/**
 * Loads pretrained weights into a built encoder, by Keras layer name, from a path, a file: or http(s) URL, or
 * the file's bytes. Formats, strictness and the report are those of the portable {@link loadWeightBytes}.
 *
 * @example
 * const enc = getEncoder('resnet34');
 * enc.build(tf.input({ shape: [224, 224, 3] }));
 * const report = await loadWeights(enc, 'resnet34.safetensors'); // timm / torchvision keys
 */
export async function loadWeights(encoder: Encoder, source: WeightLocation, options: LoadWeightsOptions = {}): Promise<LoadReport> {
  return loadWeightBytes(encoder, await readWeightBytes(source), options);
}
