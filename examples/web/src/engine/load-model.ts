/**
 * The model sources the app offers: the files `depthblocks train` writes; a preset with weights from a file:
 * ImageNet encoder weights (Keras applications .h5, timm / torchvision safetensors) or a whole-model Keras .h5
 * such as DenseDepth's published nyu.h5 (into the densedepth169 preset). (The fourth source, training in the page, is
 * training.ts.)
 */
import { buildPreset, countTrainableParams, listPresets, loadModelWeightsFromBytes, type DepthModel } from '@depthblocks/models';
import { loadModelFiles } from './model-files';
import type { ModelSummary, PresetInfo } from './protocol';

/** A model's fixed input size [height, width], or null when it takes any size. */
export function fixedInputSize(dm: DepthModel): [number, number] | null {
  const { height, width } = dm.config.input;
  return height != null && width != null ? [height, width] : null;
}

/** What the page shows about a model. */
export function summarize(dm: DepthModel, source: string, notes: string[] = []): ModelSummary {
  const { config } = dm;
  return {
    name: config.name ?? 'model',
    source,
    params: countTrainableParams(dm.model),
    encoder: config.encoder.name,
    decoder: config.decoder.name,
    inputSize: fixedInputSize(dm),
    notes,
  };
}

/** The registered presets, for the preset picker. */
export function presets(): PresetInfo[] {
  return listPresets().map((p) => ({ name: p.name, description: p.description ?? '' }));
}

/**
 * A model from `model.json` + `weights.bin` (picked or dropped together).
 *
 * @example
 * const { dm, summary } = await fromModelFiles(files);
 */
export async function fromModelFiles(files: File[]): Promise<{ dm: DepthModel; summary: ModelSummary }> {
  const dm = await loadModelFiles(files);
  return { dm, summary: summarize(dm, files.map((f) => f.name).join(' + ')) };
}

/**
 * A preset at any input size (the photo sets it: models' workingSize) or at `inputSize` [height, width], with weights from a file when one is
 * given: a whole-model file (Keras `.h5` such as DenseDepth's published nyu.h5, our safetensors, a training
 * checkpoint) or an encoder-only file (Keras applications `.h5`, timm / torchvision `.safetensors`: ImageNet
 * weights). The loader is @depthblocks/models' loadModelWeights, the one `depthblocks predict --weights` uses; it
 * is strict: a file that does not fit the preset loads nothing and says what differs.
 *
 * @example
 * const { dm } = await fromPreset('densedepth169', nyuH5File);
 * const { dm: unet } = await fromPreset('unet_resnet34', resnet34File); // ImageNet encoder weights
 */
export async function fromPreset(
  preset: string,
  weights?: File,
  inputSize: [number, number] | null = null,
): Promise<{ dm: DepthModel; summary: ModelSummary }> {
  const dm = buildPreset(preset, { inputSize });
  const notes: string[] = [];
  try {
    if (weights) {
      const report = await loadModelWeightsFromBytes(dm, new Uint8Array(await weights.arrayBuffer()), weights.name);
      const what = report.scope === 'encoder' ? 'encoder weights' : 'weights of the whole model';
      notes.push(`${what} from ${weights.name} (${report.format}): ${report.loaded} tensors loaded`);
      if (report.scope === 'encoder') notes.push('the decoder has random initial weights: train it before trusting the depth');
    } else {
      notes.push('random initial weights (no weight file given): the depth is meaningless until trained');
    }
  } catch (e) {
    dm.model.dispose();
    throw e;
  }
  return { dm, summary: summarize(dm, weights ? `preset ${preset} + ${weights.name}` : `preset ${preset}`, notes) };
}
