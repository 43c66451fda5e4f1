/**
 * One call that loads a weight file into a whole DepthModel, whatever file a user has: a Keras .h5 of the whole
 * model (`model.save()` or `save_weights()`, e.g. DenseDepth's published nyu.h5), our own safetensors and
 * training checkpoints, or an encoder-only file (torchvision/timm safetensors, Keras applications .h5), which
 * goes to the encoder loader. Portable: takes bytes or a URL (the Node entry point adds paths).
 */
import {
  DepthblocksError,
  hasHdf5Signature,
  kerasWeightSources,
  loadIntoVariables,
  parseKerasH5,
  readSafetensors,
  weightBytes,
  type WeightLocation,
  type WeightMatchReport,
  type WeightSource,
} from '@depthblocks/core';
import { EncoderBase, loadWeights } from '@depthblocks/encoders';
import type { DepthModel } from '../create-model';
import { kerasArchitectureMismatches } from './keras-architecture';
import { modelWeights, type ModelWeight } from './model-weight-keys';

/** Options of {@link loadModelWeights}. */
export interface LoadModelWeightsOptions {
  /** Default true: any missing, unexpected or mis-shaped tensor throws WEIGHTS_MISMATCH and nothing is loaded. */
  strict?: boolean;
  /** Default: detected from the bytes (HDF5 signature: 'keras-h5', else 'safetensors'). */
  format?: 'keras-h5' | 'safetensors';
}

/** What {@link loadModelWeights} did. */
export interface ModelLoadReport extends WeightMatchReport {
  /** 'checkpoint': a depthblocks training checkpoint (a safetensors file whose optimizer state is ignored). */
  format: 'keras-h5' | 'safetensors' | 'checkpoint';
  /** 'model': the file holds the whole model; 'encoder': only the encoder's weights (pretrained backbones). */
  scope: 'model' | 'encoder';
  /** The file, as named in messages. */
  where: string;
}

const STRICT_ADVICE =
  'Check that the file was saved from this architecture (preset, widths, encoder), or pass { strict: false } to load what matches.';

/** A whole-model Keras file's tensors, checked against what its model_config says about the architecture. */
async function kerasModelSources(
  dm: DepthModel,
  targets: ModelWeight[],
  file: Awaited<ReturnType<typeof parseKerasH5>>,
  where: string,
  strict: boolean,
): Promise<{ sources: Map<string, WeightSource>; ignored: string[] }> {
  const problems = file.modelConfig === undefined ? [] : kerasArchitectureMismatches(file.modelConfig, dm.config);
  if (problems.length && strict) {
    throw new DepthblocksError('WEIGHTS_MISMATCH', `${where} fits this model's weights but not its architecture: ${problems.join('; ')}.`, {
      architecture: problems,
    });
  }
  // an encoder built with a name prefix: its layers are the file's names with the prefix
  const names = new Set(dm.model.layers.map((l) => l.name));
  const prefix = dm.encoder instanceof EncoderBase ? dm.encoder.options.namePrefix : '';
  const alias = (n: string): string => (names.has(n) || !prefix || !names.has(prefix + n) ? n : prefix + n);
  return kerasWeightSources(file, targets, { alias });
}

/** Whether a file's layer names reach beyond the encoder (then it is a whole-model file). */
function coversMoreThanEncoder(dm: DepthModel, fileKeys: Iterable<string>, targets: ModelWeight[]): boolean {
  const encoderLayers = new Set(dm.encoder instanceof EncoderBase ? dm.encoder.layers.map((l) => l.name) : []);
  const byKey = new Map(targets.map((t) => [t.key, t]));
  for (const k of fileKeys) {
    const t = byKey.get(k);
    if (t && !encoderLayers.has(t.layer)) return true;
  }
  return false;
}

/** Hands an encoder-only file to the encoder loader (which maps torch/timm and Keras applications names). */
async function loadEncoderOnly(
  dm: DepthModel,
  bytes: Uint8Array,
  where: string,
  format: 'keras-h5' | 'safetensors',
  strict: boolean,
): Promise<ModelLoadReport> {
  if (!dm.encoder) {
    throw new DepthblocksError(
      'WEIGHTS_MISMATCH',
      `${where} holds no weights of this model's decoder, so it is taken for an encoder-only file, but this DepthModel has no encoder object ` +
        '(it was loaded from disk). Build the model with createDepthModel/buildPreset, then load the file.',
    );
  }
  const report = await loadWeights(dm.encoder as Parameters<typeof loadWeights>[0], bytes, { strict, format }); // it checks the encoder is one of ours
  return { ...report, scope: 'encoder', where };
}

/**
 * Loads a weight file's bytes into `dm` (see {@link loadModelWeights}).
 *
 * @example
 * const report = await loadModelWeightsFromBytes(dm, bytes, 'nyu.h5');
 */
export async function loadModelWeightsFromBytes(
  dm: DepthModel,
  bytes: Uint8Array,
  where = 'buffer',
  options: LoadModelWeightsOptions = {},
): Promise<ModelLoadReport> {
  const strict = options.strict ?? true;
  const format = options.format ?? (hasHdf5Signature(bytes) ? 'keras-h5' : 'safetensors');
  if (format !== 'keras-h5' && format !== 'safetensors') {
    throw new DepthblocksError('INVALID_ARGUMENT', `loadModelWeights: format must be 'keras-h5' or 'safetensors', got '${String(format)}'`);
  }
  const targets = modelWeights(dm.model);
  const fileShapes = new Map<string, number[]>();
  if (format === 'keras-h5') {
    const file = await parseKerasH5(bytes, where);
    for (const l of file.layers) for (const w of l.weights) fileShapes.set(w.name, w.shape);
    const { sources, ignored } = await kerasModelSources(dm, targets, file, where, strict);
    if (!coversMoreThanEncoder(dm, sources.keys(), targets)) return loadEncoderOnly(dm, bytes, where, format, strict);
    const report = loadIntoVariables(targets, sources, {
      strict,
      where,
      what: `the model ${dm.config.name}`,
      advice: STRICT_ADVICE,
      ignored,
      fileShapes,
    });
    return { ...report, format, scope: 'model', where };
  }
  const { tensors, metadata } = readSafetensors(bytes, where);
  const sources = new Map<string, WeightSource>();
  const ignored: string[] = [];
  let kind: ModelLoadReport['format'] = 'safetensors';
  if (metadata.format === 'depthblocks-checkpoint') {
    // a training checkpoint: model weights `model/<i>` named in the metadata, optimizer state (ignored here)
    kind = 'checkpoint';
    let names: unknown;
    try {
      names = JSON.parse(metadata.names ?? '');
    } catch {
      names = null;
    }
    if (!Array.isArray(names)) throw new DepthblocksError('WEIGHTS_FORMAT', `Checkpoint ${where} has no weight names in its metadata`);
    for (const [k, t] of tensors) {
      const m = /^model\/(\d+)$/.exec(k);
      const name = m ? names[Number(m[1])] : undefined;
      if (typeof name === 'string') sources.set(name, { source: name, shape: t.shape, fileShape: t.shape, data: t.data });
      else ignored.push(k);
    }
  } else {
    for (const [k, t] of tensors) sources.set(k, { source: k, shape: t.shape, fileShape: t.shape, data: t.data });
    if (!coversMoreThanEncoder(dm, sources.keys(), targets)) return loadEncoderOnly(dm, bytes, where, format, strict);
  }
  for (const [k, t] of sources) fileShapes.set(k, t.shape);
  const report = loadIntoVariables(targets, sources, {
    strict,
    where,
    what: `the model ${dm.config.name}`,
    advice: STRICT_ADVICE,
    ignored,
    fileShapes,
  });
  return { ...report, format: kind, scope: 'model', where };
}

/**
 * Loads a weight file into a whole DepthModel, by weight name, strictly by default (any missing, unexpected or
 * mis-shaped tensor: `DepthblocksError('WEIGHTS_MISMATCH')` listing them, and nothing is loaded). `source` is
 * the file's bytes or a URL (fetched). Files:
 * - Keras .h5, `model.save()` (weights in `model_weights`; its `model_config` is checked where it tells more,
 *   see kerasArchitectureMismatches) or `save_weights()`: layer and weight names as Keras writes them;
 * - safetensors written by saveModelWeights (keys `conv1/conv/kernel`), and training checkpoints
 *   (`checkpoint.safetensors`; the optimizer state is ignored);
 * - encoder-only files (torchvision/timm safetensors, Keras applications `*_notop.h5`): loaded into
 *   `dm.encoder` by @depthblocks/encoders' loadWeights (report `scope: 'encoder'`).
 *
 * @example
 * const dm = buildPreset(denseDepth169());
 * await loadModelWeights(dm, new Uint8Array(await file.arrayBuffer())); // e.g. a File from an <input type="file">
 * const metres = predict(dm, rgb, { outputSize: 'input' });
 */
export async function loadModelWeights(
  dm: DepthModel,
  source: WeightLocation,
  options: LoadModelWeightsOptions = {},
): Promise<ModelLoadReport> {
  const { bytes, where } = await weightBytes(source);
  return loadModelWeightsFromBytes(dm, bytes, where, options);
}
