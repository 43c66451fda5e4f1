import { tf, DepthblocksError, targetToDepth, type DepthNormalization } from '@depthblocks/core';
import type { DepthModel } from './create-model';
import { checkForwardMemory } from './memory';
import { skimageResizeTensor } from './scale-up';
import type { ExportOnnxOptions } from './onnx/export';
import { OnnxModel, type LoadOnnxOptions } from './onnx/runtime';
import { predictOnnx } from './onnx/predict-onnx';
import { checkPredictOptions } from './predict-options';

/** Options of {@link predict}. */
export interface PredictOptions {
  /** Average with the flipped image's flipped prediction: 0.5 * (f(x) + flip(f(flip(x)))). Default false. */
  flipTTA?: boolean;
  /** Output -> metres; default: the DepthModel's config.depth ({ kind: 'none' } for a bare LayersModel). */
  depth?: DepthNormalization;
  /**
   * 'model' (default): the model's output size; 'input': resized to the RGB's size as DenseDepth's `scale_up`
   * does its half-resolution output (skimage's resize: bilinear, edges mirrored, anti-aliased when shrinking;
   * see skimageResizeTensor), each prediction before the flip-TTA average, as DenseDepth's evaluation.
   */
  outputSize?: 'model' | 'input';
  /** Images per forward pass (default 4). */
  batchSize?: number;
  /** 'tfjs' (default) or 'onnx': the forward pass in ONNX Runtime (predict then returns a Promise). */
  runtime?: 'tfjs' | 'onnx';
  /** ONNX Runtime settings of runtime 'onnx': threads, the ORT module, export options. */
  onnx?: LoadOnnxOptions & { export?: ExportOnnxOptions };
}

/**
 * Predicts depth in metres: f(x) = depth normalisation⁻¹(model(x)), and with `flipTTA`
 * 0.5 * (f(x) + flip(f(flip(x)))) where flip mirrors the width axis. `rgb` is [H, W, C] or
 * [N, H, W, C] with values in [0, 1]. Returns [N, H', W', 1] metres (the caller disposes it).
 *
 * With `runtime: 'onnx'` (or an {@link OnnxModel}) the forward pass runs in ONNX Runtime and the result is a
 * Promise (see predictOnnx).
 *
 * @example
 * const dm = createDepthModel(denseDepth169());
 * const metres = predict(dm, rgb, { flipTTA: true, outputSize: 'input' });
 * const same = await predict(await loadOnnxModel(await exportOnnx(dm)), rgb, { flipTTA: true, outputSize: 'input' });
 */
export function predict(
  model: DepthModel | tf.LayersModel,
  rgb: tf.Tensor3D | tf.Tensor4D,
  options?: PredictOptions & { runtime?: 'tfjs' },
): tf.Tensor4D;
export function predict(
  model: OnnxModel | DepthModel | tf.LayersModel,
  rgb: tf.Tensor3D | tf.Tensor4D,
  options: PredictOptions & { runtime: 'onnx' },
): Promise<tf.Tensor4D>;
export function predict(model: OnnxModel, rgb: tf.Tensor3D | tf.Tensor4D, options?: PredictOptions): Promise<tf.Tensor4D>;
export function predict(
  model: OnnxModel | DepthModel | tf.LayersModel,
  rgb: tf.Tensor3D | tf.Tensor4D,
  options: PredictOptions = {},
): tf.Tensor4D | Promise<tf.Tensor4D> {
  if (model instanceof OnnxModel || options.runtime === 'onnx') return predictOnnx(model, rgb, options);
  if (options.runtime !== undefined && options.runtime !== 'tfjs') {
    throw new DepthblocksError('INVALID_ARGUMENT', `predict: runtime must be 'tfjs' or 'onnx', got ${JSON.stringify(options.runtime)}`);
  }
  const layers = model instanceof tf.LayersModel ? model : model.model;
  const depth = options.depth ?? (model instanceof tf.LayersModel ? { kind: 'none' as const } : model.config.depth);
  const batchSize = checkPredictOptions(options, rgb);
  const expectC = layers.inputs[0].shape[3];
  const c = rgb.shape[rgb.rank - 1];
  if (expectC != null && c !== expectC) {
    throw new DepthblocksError(
      'SHAPE_MISMATCH',
      `predict: the model takes ${expectC} channels, got an image with ${c} (shape [${rgb.shape.join(', ')}])`,
    );
  }
  const [eh, ew] = [layers.inputs[0].shape[1], layers.inputs[0].shape[2]];
  const [h, w] = rgb.rank === 4 ? [rgb.shape[1], rgb.shape[2]] : [rgb.shape[0], rgb.shape[1]];
  if ((eh != null && eh !== h) || (ew != null && ew !== w)) {
    throw new DepthblocksError(
      'SHAPE_MISMATCH',
      `predict: the model takes ${eh}x${ew} images, got ${h}x${w}; resize the RGB first (or build the model with inputSize null)`,
    );
  }
  // refuse a pass that cannot fit (wasm: 4 GB) before it starts, instead of thrashing or aborting inside wasm
  const n = rgb.rank === 4 ? rgb.shape[0] : 1;
  checkForwardMemory(layers, [Math.min(n, batchSize), h, w, c], { passes: options.flipTTA ? 2 : 1, what: 'predict' });
  return tf.tidy(() => {
    const x = (rgb.rank === 3 ? tf.expandDims(rgb, 0) : rgb) as tf.Tensor4D;
    const f = (batch: tf.Tensor4D): tf.Tensor4D => {
      const parts: tf.Tensor[] = [];
      for (let i = 0; i < batch.shape[0]; i += batchSize) {
        const slice = tf.slice(batch, [i, 0, 0, 0], [Math.min(batchSize, batch.shape[0] - i), -1, -1, -1]);
        parts.push(targetToDepth(layers.predict(slice) as tf.Tensor, depth));
      }
      let y = (parts.length === 1 ? parts[0] : tf.concat(parts, 0)) as tf.Tensor4D;
      if (options.outputSize === 'input') y = skimageResizeTensor(y, [h, w]);
      return y;
    };
    const y = f(x);
    if (!options.flipTTA) return y;
    const yFlip = tf.reverse(f(tf.reverse(x, 2) as tf.Tensor4D), 2);
    return tf.mul(0.5, tf.add(y, yFlip)) as tf.Tensor4D;
  });
}
