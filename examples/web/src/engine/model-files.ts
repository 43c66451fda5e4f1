/**
 * Depth models as the files `depthblocks train` writes and `depthblocks predict --model DIR` reads: `model.json`
 * (topology, weight manifest naming `weights.bin`, the depthblocks config in `userDefinedMetadata`) and
 * `weights.bin`. In the page they come from a file picker or a drop, and go out as downloads.
 */
import { DepthblocksError, tf } from '@depthblocks/core';
import { loadDepthModel, saveDepthModel, type DepthModel } from '@depthblocks/models';
import type { FileBytes } from './protocol';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/**
 * Loads a model from the files a user picked: a `model.json` and the weight file(s) its manifest names.
 *
 * @example
 * const dm = await loadModelFiles([...input.files]);
 */
export async function loadModelFiles(files: File[]): Promise<DepthModel> {
  const json = files.find((f) => f.name.endsWith('.json'));
  if (!json) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `Pick the model's ${MODEL_JSON} together with its ${WEIGHTS_BIN} (got ${files.map((f) => f.name).join(', ') || 'no file'})`,
    );
  }
  const weights = files.filter((f) => f !== json);
  if (weights.length === 0) {
    throw new DepthblocksError('INVALID_ARGUMENT', `${json.name} needs its weights: pick ${WEIGHTS_BIN} too (both files at once)`);
  }
  return loadDepthModel(tf.io.browserFiles([json, ...weights]));
}

/**
 * The model as `model.json` + `weights.bin` bytes, in the layout the Node CLI's folders have.
 *
 * @example
 * const [json, weights] = await modelFiles(dm);
 */
export async function modelFiles(dm: DepthModel): Promise<FileBytes[]> {
  let files: FileBytes[] = [];
  const handler = tf.io.withSaveHandler(async (artifacts) => {
    const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
    const json: tf.io.ModelJSON = {
      modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
      format: artifacts.format ?? 'layers-model',
      generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
      convertedBy: artifacts.convertedBy ?? null,
      weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
    };
    if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
    if (artifacts.userDefinedMetadata) json.userDefinedMetadata = artifacts.userDefinedMetadata;
    files = [
      { name: MODEL_JSON, bytes: new TextEncoder().encode(JSON.stringify(json)) },
      { name: WEIGHTS_BIN, bytes: new Uint8Array(weightData) },
    ];
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  });
  await saveDepthModel(dm, handler);
  return files;
}
