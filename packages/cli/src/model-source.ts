/**
 * Where the predict, eval and convert commands get their model: a saved model folder (`--model DIR`) or a preset
 * (`--preset NAME`, built at `--size` or the preset's size), with a weight file on top (`--weights FILE`: Keras
 * .h5 such as DenseDepth's nyu.h5, safetensors, a training checkpoint; see loadModelWeights).
 */
import { DepthblocksError } from '@depthblocks/core';
import { buildPreset, getPreset, loadDepthModel, loadModelWeights, type DepthModel, type PresetOptions } from '@depthblocks/models';

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
