/**
 * Where the predict, eval and convert commands get their model: a saved model folder (`--model DIR`) or a preset
 * (`--preset NAME`, built at `--size` or the preset's size), with a weight file on top (`--weights FILE`: Keras
 * .h5 such as DenseDepth's nyu.h5, safetensors, a training checkpoint; see loadModelWeights); or, for predict and
 * eval, a .onnx file from `depthblocks export` (always run by ONNX Runtime), and the runtime it runs on.
 */
import { DepthblocksError } from '@depthblocks/core';
import {
  buildPreset,
  getPreset,
  loadDepthModel,
  loadModelWeights,
  exportOnnx,
  loadOnnxFile,
  loadOnnxModel,
  type DepthModel,
  type InferenceRuntime,
  type OnnxModel,
  type PresetOptions,
} from '@depthblocks/models';

/** A model as the flags name it. */
export interface ModelSource {
  /** A saved model folder (model.json + weights.bin). */
  modelDir?: string;
  /** A preset name (densedepth169, densedepth169_kitti, ...). */
  preset?: string;
  presetOptions?: PresetOptions;
  /** [height, width] to build the preset at (default: the preset's input size). */
  size?: [number, number];
  /** A weight file loaded into the model (strictly: every tensor must match). */
  weights?: string;
}

/**
 * The model a command runs, weights loaded.
 *
 * @example
 * const dm = await loadModelFrom({ preset: 'densedepth169', weights: 'nyu.h5' });
 */
export async function loadModelFrom(src: ModelSource, log: (line: string) => void = () => {}): Promise<DepthModel> {
  if (src.modelDir && src.preset) {
    throw new DepthblocksError('INVALID_ARGUMENT', 'Give either --model DIR (a saved model) or --preset NAME, not both');
  }
  let dm: DepthModel;
  if (src.modelDir) {
    dm = await loadDepthModel(src.modelDir);
  } else if (src.preset) {
    const options: PresetOptions = { ...src.presetOptions, ...(src.size ? { inputSize: src.size } : {}) };
    dm = buildPreset(getPreset(src.preset, options));
  } else {
    throw new DepthblocksError('INVALID_ARGUMENT', 'Name a model: --model DIR (a saved model folder) or --preset NAME --weights FILE');
  }
  if (src.weights) {
    const r = await loadModelWeights(dm, src.weights);
    log(`loaded ${r.loaded} tensors from ${r.where} (${r.format}, ${r.scope === 'model' ? 'whole model' : 'encoder only'})`);
  }
  return dm;
}

/** True for a path to a .onnx file. */
export function isOnnxFile(p: string | undefined): p is string {
  return !!p && /\.onnx$/i.test(p);
}

/** Checks a --runtime value. */
export function checkRuntime(runtime: string | undefined): InferenceRuntime | undefined {
  if (runtime !== undefined && runtime !== 'tfjs' && runtime !== 'onnx') {
    throw new DepthblocksError('INVALID_ARGUMENT', `--runtime must be tfjs or onnx, got "${runtime}"`);
  }
  return runtime;
}

/** A model opened on a runtime: a tfjs DepthModel, or an OnnxModel (ONNX Runtime session), and how to free it. */
export interface OpenModel {
  model: DepthModel | OnnxModel;
  /** Frees the ONNX Runtime session (a no-op on tfjs). */
  release(): Promise<void>;
}

/**
 * Opens the model `src` names on a runtime: a .onnx file (always ONNX Runtime), or what {@link loadModelFrom}
 * loads, on tfjs or, with `runtime: 'onnx'`, exported in memory and opened in ONNX Runtime (threads: its
 * intra-op threads). predictImage and evaluate take either kind.
 *
 * @example
 * const { model, release } = await openModel({ modelDir: 'runs/a/model/model.onnx' });
 * const { depth } = await predictImage(model, image);
 * await release();
 */
export async function openModel(
  src: ModelSource,
  runtime?: InferenceRuntime,
  threads?: number,
  log?: (line: string) => void,
): Promise<OpenModel> {
  if (isOnnxFile(src.modelDir)) {
    if (runtime === 'tfjs') {
      throw new DepthblocksError(
        'INVALID_ARGUMENT',
        `${src.modelDir} is an ONNX model: it runs on ONNX Runtime (--runtime onnx, the default for .onnx files)`,
      );
    }
    if (src.weights)
      throw new DepthblocksError('INVALID_ARGUMENT', `--weights does not apply to an ONNX model (${src.modelDir}): its weights are inside`);
    const onnx = await loadOnnxFile(src.modelDir, { threads });
    return { model: onnx, release: () => onnx.release() };
  }
  const dm = await loadModelFrom(src, log);
  if (runtime !== 'onnx') return { model: dm, release: async () => {} };
  const onnx = await loadOnnxModel(await exportOnnx(dm), { threads });
  dm.model.dispose();
  return { model: onnx, release: () => onnx.release() };
}
