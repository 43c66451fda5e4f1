/**
 * `depthblocks convert`: a weight file into a model, saved as a tfjs model folder (model.json + weights.bin, what
 * `--model DIR`, loadDepthModel, browsers and the ONNX export read), or as a weight file (.h5 / .safetensors).
 */
import * as path from 'path';
import { setupBackend } from '@depthblocks/backend';
import { saveDepthModel, saveModelWeights } from '@depthblocks/models';
import { loadModelFrom, type ModelSource } from '../model-source';

export interface ConvertRunOptions extends ModelSource {
  /** A folder (tfjs model) or a file ending in .h5 / .safetensors (weights only). */
  output: string;
  backend?: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  threads?: number;
  log?: (line: string) => void;
}

/**
 * Loads the model (preset + weights, or a saved model) and writes it to `output`. Returns what was written.
 *
 * @example
 * await runConvert({ preset: 'densedepth169', weights: 'nyu.h5', output: 'models/densedepth-nyu' });
 */
export async function runConvert(o: ConvertRunOptions): Promise<string> {
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  await setupBackend({ backend: o.backend, threads: o.threads });
  const dm = await loadModelFrom(o, log);
  try {
    const ext = path.extname(o.output).toLowerCase();
    if (ext === '.h5' || ext === '.safetensors') {
      await saveModelWeights(dm, o.output);
      log(`wrote ${o.output} (${ext === '.h5' ? 'Keras .h5' : 'safetensors'}, ${dm.model.weights.length} tensors)`);
    } else {
      await saveDepthModel(dm, o.output);
      log(`wrote ${path.join(o.output, 'model.json')} and weights.bin (tfjs layers model; use --model ${o.output})`);
    }
    return o.output;
  } finally {
    dm.model.dispose();
  }
}
