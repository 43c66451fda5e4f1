/** The checks predict() makes of its options and input, the same on both runtimes (tfjs and ONNX Runtime). */
import { tf, DepthblocksError, checkRank } from '@depthblocks/core';
import type { PredictOptions } from './predict';

/** Checks `outputSize`, `batchSize` and the input's rank; returns the batch size (default 4). */
export function checkPredictOptions(options: PredictOptions, rgb: tf.Tensor): number {
  const batchSize = options.batchSize ?? 4;
  if (options.outputSize !== undefined && options.outputSize !== 'model' && options.outputSize !== 'input') {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `predict: outputSize must be 'model' or 'input', got ${JSON.stringify(options.outputSize)}`,
    );
  }
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new DepthblocksError('INVALID_ARGUMENT', `predict: batchSize must be a positive integer, got ${batchSize}`);
  }
  checkRank(rgb.shape, [3, 4], 'predict: rgb');
  return batchSize;
}
