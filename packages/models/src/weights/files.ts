/**
 * Whole-model weight files on the local file system (Node): loadModelWeights from a path as well as bytes or a
 * URL, and saveModelWeights to a file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { DepthblocksError } from '@depthblocks/core';
import type { DepthModel } from '../create-model';
import { fetchWeightBytes, loadModelWeightsFromBytes, type LoadModelWeightsOptions, type ModelLoadReport } from './load-model-weights';
import { encodeModelWeights } from './save-model-weights';

/** A path, an http(s) or file: URL, or bytes -> the bytes and how to name them. */
async function readWeightSource(source: string | Uint8Array | URL): Promise<{ bytes: Uint8Array; where: string }> {
  if (source instanceof Uint8Array) return { bytes: source, where: 'buffer' };
  const url = source instanceof URL ? source : /^(https?|file):\/\//i.test(source) ? new URL(source) : null;
  if (url?.protocol === 'file:') return readWeightSource(fileURLToPath(url));
  if (url) return fetchWeightBytes(url);
  if (typeof source !== 'string') {
    throw new DepthblocksError('INVALID_ARGUMENT', `loadModelWeights: source must be a path, URL or Uint8Array, got ${typeof source}`);
  }
  if (!fs.existsSync(source)) throw new DepthblocksError('FILE_NOT_FOUND', `Weight file not found: ${source}`);
  if (fs.statSync(source).isDirectory()) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `${source} is a folder; a saved model folder (model.json) loads with loadDepthModel, weight files are .h5 or .safetensors files`,
    );
  }
  return { bytes: new Uint8Array(fs.readFileSync(source)), where: source };
}

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
  source: string | Uint8Array | URL,
  options: LoadModelWeightsOptions = {},
): Promise<ModelLoadReport> {
  const { bytes, where } = await readWeightSource(source);
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
