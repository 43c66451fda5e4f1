/** The bytes of a weight file in Node: a path or a file: URL read from disk, else as the portable weightBytes. */
import * as fs from 'fs';
import { fileURLToPath } from 'url';
import { DepthblocksError } from '../errors';
import { fetchWeightBytes, weightBytes, type WeightBytes, type WeightLocation } from './weight-bytes';

/**
 * A weight file's bytes from a path, a file: or http(s) URL, or the bytes themselves.
 *
 * @example
 * const { bytes, where } = await readWeightBytes('weights/nyu.h5'); // where: 'weights/nyu.h5'
 */
export async function readWeightBytes(source: WeightLocation): Promise<WeightBytes> {
  if (source instanceof Uint8Array) return weightBytes(source);
  const url = source instanceof URL ? source : /^(https?|file):\/\//i.test(source) ? new URL(source) : null;
  if (url && url.protocol !== 'file:') return fetchWeightBytes(url);
  const path = url ? fileURLToPath(url) : source;
  if (typeof path !== 'string') return weightBytes(source);
  if (!fs.existsSync(path)) throw new DepthblocksError('FILE_NOT_FOUND', `Weight file not found: ${path}`);
  if (fs.statSync(path).isDirectory()) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `${path} is a folder; a saved model folder (model.json) loads with loadDepthModel, weight files are .h5 or .safetensors files`,
    );
  }
  return { bytes: new Uint8Array(fs.readFileSync(path)), where: path };
}
