/**
 * predict() on ONNX Runtime: the same contract as the tfjs path (metres, flip TTA, outputSize, batching), with
 * the model's forward pass in an ONNX Runtime session. Pre- and post-processing (flips, resize, averaging) are
 * the same tfjs ops as predict's, so the two runtimes differ only in the network's own arithmetic.
 */
import { tf, DepthblocksError, targetToDepth } from '@depthblocks/core';
import type { DepthModel } from '../create-model';

import type { PredictOptions } from '../predict';
import { skimageResizeTensor } from '../scale-up';
import { exportOnnx } from './export';
import { loadOnnxModel, OnnxModel } from './runtime';
import { checkPredictOptions } from '../predict-options';

/**
 * Predicts depth in metres with ONNX Runtime. `model` is an {@link OnnxModel}, or a DepthModel /
 * tf.LayersModel, which is exported and opened for this call only (for repeated calls, open it once with
 * loadOnnxModel(await exportOnnx(dm))). Same options and result as `predict`; `options.onnx` sets threads and
 * the ORT module.
 *
 * @example
 * const onnx = await loadOnnxModel(await exportOnnx(dm));
 * const metres = await predictOnnx(onnx, rgb, { flipTTA: true }); // [1, H', W', 1]
 */
export async function predictOnnx(
  model: OnnxModel | DepthModel | tf.LayersModel,
  rgb: tf.Tensor3D | tf.Tensor4D,
  options: PredictOptions = {},
): Promise<tf.Tensor4D> {
  if (!(model instanceof OnnxModel)) {
    const session = await loadOnnxModel(await exportOnnx(model, options.onnx?.export), options.onnx);
    try {
      return await predictOnnx(session, rgb, options);
    } finally {
      await session.release();
    }
  }
  const batchSize = checkPredictOptions(options, rgb);
  const x = (rgb.rank === 3 ? tf.expandDims(rgb, 0) : rgb) as tf.Tensor4D;
  const [h, w] = [x.shape[1], x.shape[2]];
  const raw = model.metadata.output.units === 'raw';
  if (options.depth && !raw) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      "predict: options.depth cannot apply to an ONNX model whose output is metres (its normalisation is inside the graph); export it with { output: 'raw' } to choose the normalisation",
    );
  }
  const depth = options.depth ?? model.depth;

  const f = async (batch: tf.Tensor4D): Promise<tf.Tensor4D> => {
    const parts: tf.Tensor4D[] = [];
    try {
      for (let i = 0; i < batch.shape[0]; i += batchSize) {
        const slice = tf.slice(batch, [i, 0, 0, 0], [Math.min(batchSize, batch.shape[0] - i), -1, -1, -1]);
        const y = await model.run(slice);
        slice.dispose();
        if (raw) {
          parts.push(targetToDepth(y, depth) as tf.Tensor4D);
          y.dispose();
        } else parts.push(y);
      }
      return tf.tidy(() => {
        let y = (parts.length === 1 ? parts[0].clone() : tf.concat(parts, 0)) as tf.Tensor4D;
        if (options.outputSize === 'input') y = skimageResizeTensor(y, [h, w]);
        return y;
      });
    } finally {
      tf.dispose(parts);
    }
  };
  try {
    const y = await f(x);
    if (!options.flipTTA) return y;
    const flipped = tf.reverse(x, 2) as tf.Tensor4D;
    let yf: tf.Tensor4D;
    try {
      yf = await f(flipped);
    } finally {
      flipped.dispose();
    }
    const average = tf.tidy(() => tf.mul(0.5, tf.add(y, tf.reverse(yf, 2))) as tf.Tensor4D);
    tf.dispose([y, yf]);
    return average;
  } finally {
    if (x !== rgb) x.dispose();
  }
}
