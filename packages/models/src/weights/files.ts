/**
 * Whole-model weight files on the local file system (Node): loadModelWeights from a path as well as bytes or a
 * URL, and saveModelWeights to a file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DepthblocksError, readWeightBytes, type WeightLocation } from '@depthblocks/core';
import type { DepthModel } from '../create-model';
import { loadModelWeightsFromBytes, type LoadModelWeightsOptions, type ModelLoadReport } from './load-model-weights';
import { encodeModelWeights } from './save-model-weights';

/**
 * Loads a weight file (a path, an http(s)/file: URL, or the file's bytes) into a whole DepthModel. See the
 * portable loadModelWeights for the formats; this one also reads paths.
 *
 * @example
 * const dm = buildPreset(denseDepth169());
 * await loadModelWeights(dm, 'nyu.h5'); // DenseDepth's published weights
 * const metres = predict(dm, rgb, { outputSize: 'input' });
 */
export async function loadModelWeights(
  dm: DepthModel,
  source: WeightLocation,
  options: LoadModelWeightsOptions = {},
): Promise<ModelLoadReport> {
  const { bytes, where } = await readWeightBytes(source);
  return loadModelWeightsFromBytes(dm, bytes, where, options);
}

/** Options of {@link saveModelWeights}. */
export interface SaveModelWeightsOptions {
  /** Default: from the file's extension (.h5 / .hdf5 / .keras.h5 -> 'h5', .safetensors -> 'safetensors'). */
  format?: 'h5' | 'safetensors';
}

/**
 * Writes every weight of `dm` to `file` (atomically: temporary file, then rename): Keras .h5 in Keras' own
 * `save_weights()` layout, or safetensors. loadModelWeights reads either back bit for bit.
 *
 * @example
 * await saveModelWeights(dm, 'runs/mine/weights.h5'); // Keras: model.load_weights('weights.h5', by_name=True)
 */
export async function saveModelWeights(dm: DepthModel, file: string, options: SaveModelWeightsOptions = {}): Promise<void> {
  const ext = path.extname(file).toLowerCase();
  const format = options.format ?? (ext === '.h5' || ext === '.hdf5' ? 'h5' : ext === '.safetensors' ? 'safetensors' : undefined);
  if (!format) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `saveModelWeights: cannot tell the format from '${file}'; name it .h5 or .safetensors, or pass { format: 'h5' | 'safetensors' }`,
    );
  }
  const bytes = await encodeModelWeights(dm, { format });
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}
