/**
 * Keras .h5 weight files on the local file system (Node): the portable byte functions of ./keras-h5 with a
 * path in front of them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DepthblocksError } from '../errors';
import { HDF5_SIGNATURE, superblockOffsets } from './hdf5-signature';
import { encodeKerasH5, parseKerasH5, type EncodeKerasH5Options, type KerasH5File, type KerasLayerWeights } from './keras-h5';

/** True when the file has the HDF5 signature at offset 0 or at a user-block offset, as MATLAB v7.3 files do. */
export function isHdf5File(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = new Uint8Array(8);
    for (const off of superblockOffsets()) {
      if (fs.readSync(fd, buf, 0, 8, off) < 8) return false;
      if (HDF5_SIGNATURE.every((b, i) => buf[i] === b)) return true;
    }
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads every layer's weights from a Keras .h5 file (a path, or the file's bytes). See {@link parseKerasH5}.
 *
 * @example
 * const { layers } = await readKerasH5('densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5');
 * layers[0].weights[0].name; // 'conv1/conv/kernel:0'
 */
export async function readKerasH5(source: string | Uint8Array): Promise<KerasH5File> {
  if (typeof source !== 'string') return parseKerasH5(source);
  if (!fs.existsSync(source)) throw new DepthblocksError('FILE_NOT_FOUND', `Weight file not found: ${source}`);
  return parseKerasH5(new Uint8Array(fs.readFileSync(source)), source);
}

/** Options of {@link writeKerasH5}. */
export interface WriteKerasH5Options extends EncodeKerasH5Options {
  /** Put the layers under a `model_weights` group, as a full-model save does (same as layout: 'model'). */
  modelWeights?: boolean;
}

/**
 * Writes layers to `file` in the Keras 2 layout (see {@link encodeKerasH5}), atomically (temporary file + rename).
 *
 * @example
 * await writeKerasH5('w.h5', [{ name: 'conv1/conv', weights: [{ name: 'conv1/conv/kernel:0', shape: [7, 7, 3, 4], data }] }]);
 */
export async function writeKerasH5(file: string, layers: KerasLayerWeights[], options: WriteKerasH5Options = {}): Promise<void> {
  const bytes = await encodeKerasH5(layers, { ...options, layout: options.layout ?? (options.modelWeights ? 'model' : 'weights') });
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}
