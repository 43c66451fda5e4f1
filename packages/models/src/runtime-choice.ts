/**
 * The inference runtime of evaluate() and the CLI: tfjs (the model's own backend) or ONNX Runtime, behind one
 * async predict. With 'onnx', a DepthModel is exported and opened once, for the whole run.
 */
import { tf, DepthblocksError } from '@depthblocks/core';
import type { DepthModel } from './create-model';
import { predict, type PredictOptions } from './predict';
import { exportOnnx, type ExportOnnxOptions } from './onnx/export';
import { loadOnnxModel, OnnxModel, type LoadOnnxOptions } from './onnx/runtime';
import { predictOnnx } from './onnx/predict-onnx';

/** Where inference runs: 'tfjs' (default) or 'onnx' (ONNX Runtime; onnxruntime-node in Node). */
export type InferenceRuntime = 'tfjs' | 'onnx';

/** A model ready to predict on one runtime. */
export interface Predictor {
  runtime: InferenceRuntime;
  predict(rgb: tf.Tensor4D, options?: Omit<PredictOptions, 'runtime' | 'onnx'>): Promise<tf.Tensor4D>;
  /** Frees what openPredictor opened (the ONNX Runtime session it made; not a session passed in). */
  release(): Promise<void>;
}

/**
 * Opens `model` on a runtime. An OnnxModel always runs on ONNX Runtime.
 *
 * @example
 * const p = await openPredictor(dm, 'onnx', { threads: 2 });
 * const metres = await p.predict(rgb, { flipTTA: true });
 * await p.release();
 */
export async function openPredictor(
  model: OnnxModel | DepthModel | tf.LayersModel,
  runtime: InferenceRuntime = 'tfjs',
  onnx: LoadOnnxOptions & { export?: ExportOnnxOptions } = {},
): Promise<Predictor> {
  if (runtime !== 'tfjs' && runtime !== 'onnx') {
    throw new DepthblocksError('INVALID_ARGUMENT', `runtime must be 'tfjs' or 'onnx', got ${JSON.stringify(runtime)}`);
  }
  if (model instanceof OnnxModel) {
    return { runtime: 'onnx', predict: (x, o) => predictOnnx(model, x, o), release: async () => {} };
  }
  if (runtime === 'onnx') {
    const session = await loadOnnxModel(await exportOnnx(model, onnx.export), onnx);
    return { runtime, predict: (x, o) => predictOnnx(session, x, o), release: () => session.release() };
  }
  return { runtime, predict: async (x, o) => predict(model, x, o), release: async () => {} };
}
