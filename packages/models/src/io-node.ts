/** Saving and loading models in folders on disk (Node), on top of the portable io.ts. */
import * as fs from 'fs';
import * as path from 'path';
import { tf, DepthblocksError } from '@depthblocks/core';
import type { DepthModel } from './create-model';
import { loadDepthModel as loadAnywhere, saveDepthModel as saveAnywhere, withConfig, type ModelLocation } from './io';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

function stripScheme(target: string): string {
  return target.startsWith('file://') ? target.slice('file://'.length) : target;
}

function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/**
 * A tfjs IOHandler that saves to and loads from a directory on the local file system in the
 * standard tfjs layers format (`model.json` + `weights.bin`), for Node without tfjs-node. Accepts a
 * plain path or a `file://` URL. Files are written atomically (temporary file + rename).
 *
 * @example
 * await model.save(fileIO('out/my-model'));
 * const again = await tf.loadLayersModel(fileIO('out/my-model'));
 */
export function fileIO(directory: string): tf.io.IOHandler {
  const dir = stripScheme(directory);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new DepthblocksError('UNSUPPORTED', 'fileIO: binary (graph-model) topologies are not supported; save a tf.LayersModel');
      }
      fs.mkdirSync(dir, { recursive: true });
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const manifest: tf.io.WeightsManifestConfig = [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }];
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: manifest,
      };
      if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) json.userDefinedMetadata = artifacts.userDefinedMetadata;
      writeAtomic(path.join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      writeAtomic(path.join(dir, MODEL_JSON), JSON.stringify(json));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weightData.byteLength,
        },
      };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = path.join(dir, MODEL_JSON);
      if (!fs.existsSync(jsonPath)) {
        throw new DepthblocksError(
          'FILE_NOT_FOUND',
          `fileIO: no ${MODEL_JSON} in ${dir}; save a model there first (saveDepthModel or model.save(fileIO(dir)))`,
        );
      }
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as tf.io.ModelJSON;
      } catch (e) {
        throw new DepthblocksError('CORRUPT_FILE', `fileIO: ${jsonPath} is not valid JSON (${(e as Error).message})`);
      }
      if (typeof json !== 'object' || json === null || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
        throw new DepthblocksError(
          'CORRUPT_FILE',
          `fileIO: ${jsonPath} lacks modelTopology or weightsManifest; is it a tfjs layers model.json?`,
        );
      }
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = tf.io.getWeightSpecs(manifest);
        const buffers: Uint8Array[] = [];
        for (const group of manifest) {
          for (const p of group.paths) {
            const file = path.join(dir, p);
            if (!fs.existsSync(file))
              throw new DepthblocksError('FILE_NOT_FOUND', `fileIO: weight file ${file} listed in ${jsonPath} is missing`);
            buffers.push(new Uint8Array(fs.readFileSync(file)));
          }
        }
        const total = buffers.reduce((s, b) => s + b.byteLength, 0);
        const expected = specs.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * bytesPerElement(w), 0);
        if (total !== expected) {
          throw new DepthblocksError(
            'CORRUPT_FILE',
            `fileIO: weights in ${dir} have ${total} bytes but ${jsonPath} describes ${expected}; the files are truncated or mismatched`,
          );
        }
        const joined = new Uint8Array(total);
        let offset = 0;
        for (const b of buffers) {
          joined.set(b, offset);
          offset += b.byteLength;
        }
        return [specs, joined.buffer];
      });
    },
  };
}

function bytesPerElement(w: tf.io.WeightsManifestEntry): number {
  if (w.quantization) {
    const q = w.quantization.dtype;
    return q === 'uint8' ? 1 : q === 'uint16' || q === 'float16' ? 2 : 4;
  }
  return w.dtype === 'bool' ? 1 : 4;
}

/** True for a tfjs URL other than file:// ('indexeddb://x', 'https://...'): not a folder on disk. */
function isUrl(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(target) && !target.startsWith('file://');
}

/**
 * Saves a depth model (topology, weights, and its config in `userDefinedMetadata.depthblocks`) to a folder in
 * the tfjs layers format (`model.json` + `weights.bin`); a tfjs URL or IOHandler goes to the portable save.
 *
 * @example
 * await saveDepthModel(createDepthModel(unetResnet34()), 'checkpoints/unet-r34');
 */
export async function saveDepthModel(depthModel: DepthModel, directory: ModelLocation): Promise<tf.io.SaveResult> {
  return saveAnywhere(depthModel, typeof directory === 'string' && !isUrl(directory) ? fileIO(directory) : directory);
}

/**
 * Loads a model saved by {@link saveDepthModel} (or `depthblocks train`) from a folder, a file:// or http(s) URL,
 * or any IOHandler, with its config. The result has no `encoder`/`decoder` objects; rebuild with
 * `buildFromConfig(config)` and copy weights if you need to freeze the encoder.
 *
 * @example
 * const { model, config } = await loadDepthModel('checkpoints/unet-r34');
 */
export async function loadDepthModel(directory: ModelLocation): Promise<DepthModel> {
  if (typeof directory !== 'string' || isUrl(directory)) return loadAnywhere(directory);
  return withConfig(await tf.loadLayersModel(fileIO(directory)), `${stripScheme(directory)}/${MODEL_JSON}`);
}
