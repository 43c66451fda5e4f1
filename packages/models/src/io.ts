/**
 * Saving and loading depth models in any runtime, through tfjs IOHandlers: the browser's downloads, IndexedDB,
 * files a user picked (`tf.io.browserFiles`), http(s), or any handler of your own. Node's entry adds folders on
 * disk (io-node.ts).
 */
import { tf, DepthblocksError } from '@depthblocks/core';
// Importing the encoders and decoders registers their custom layers for tf.loadLayersModel.
import '@depthblocks/encoders';
import '@depthblocks/decoders';
import { parseConfig } from './config';
import { CONFIG_METADATA_KEY, type DepthModel } from './create-model';

/** Where a model goes or comes from: a tfjs IOHandler, or a tfjs URL ('downloads://name', 'indexeddb://name', 'https://...'). */
export type ModelLocation = tf.io.IOHandler | string;

/**
 * Saves a depth model (topology, weights, and its config in `userDefinedMetadata.depthblocks`) in the tfjs
 * layers format (`model.json` + weights), which the Node CLI and `loadDepthModel` read.
 *
 * @example
 * await saveDepthModel(dm, 'downloads://my-model'); // browser: model.json + my-model.weights.bin
 * await saveDepthModel(dm, 'indexeddb://my-model');
 */
export async function saveDepthModel(depthModel: DepthModel, destination: ModelLocation): Promise<tf.io.SaveResult> {
  depthModel.model.setUserDefinedMetadata({ [CONFIG_METADATA_KEY]: depthModel.config });
  return depthModel.model.save(destination);
}

/**
 * Loads a model saved by {@link saveDepthModel} (or `depthblocks train`) and its config. The result has no
 * `encoder`/`decoder` objects; rebuild with `buildFromConfig(config)` and copy weights if you need to freeze the
 * encoder.
 *
 * @example
 * const dm = await loadDepthModel(tf.io.browserFiles([jsonFile, weightsFile])); // files from an <input type=file>
 * const dm2 = await loadDepthModel('https://example.org/models/unet/model.json');
 */
export async function loadDepthModel(source: ModelLocation): Promise<DepthModel> {
  return withConfig(await tf.loadLayersModel(source), typeof source === 'string' ? source : 'the model');
}

/** A loaded model with the config from its metadata; `where` names it in the error when it has none. */
export function withConfig(model: tf.LayersModel, where: string): DepthModel {
  const meta = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
  if (!meta || !(CONFIG_METADATA_KEY in meta)) {
    model.dispose();
    throw new DepthblocksError(
      'INVALID_DATA',
      `loadDepthModel: ${where} has no depthblocks config in userDefinedMetadata; load it with tf.loadLayersModel instead`,
    );
  }
  return { model, config: parseConfig(meta[CONFIG_METADATA_KEY]) };
}
