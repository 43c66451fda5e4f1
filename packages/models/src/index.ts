/**
 * @depthblocks/models, in any runtime (this is the browser entry; Node's, node.ts, adds files): compose any
 * encoder with any decoder (by registered name or by object) into a depth model whose config is checked against
 * one schema, presets of the published models (a registry), the trainer, evaluation, prediction with flip
 * test-time augmentation, visualisation, and save/load in the tfjs format through tfjs IOHandlers.
 */
export { createDepthModel, buildFromConfig, countTrainableParams, CONFIG_METADATA_KEY } from './create-model';
export type { DepthModel } from './create-model';
export {
  resolveConfig,
  resolveParts,
  parseConfig,
  depthModelConfigSchema,
  depthModelSpecSchema,
  headConfigSchema,
  outputActivationSchema,
} from './config';
export type { DepthModelConfig, DepthModelSpec, HeadConfig, OutputActivation } from './config';
// The depth normalisation of a model's output is defined once, in @depthblocks/core; re-exported for models' users.
export { depthToTarget, targetToDepth, targetRange } from '@depthblocks/core';
export type { DepthNormalization } from '@depthblocks/core';
export { unetScratchEncoder, unetScratchEncoderOptionsSchema } from './scratch-unet-encoder';
export type { UnetScratchEncoderOptions } from './scratch-unet-encoder';
export {
  getPreset,
  hasPreset,
  listPresets,
  presetNameSchema,
  presetOptionsSchema,
  presetRegistry,
  registerPreset,
} from './preset-registry';
export type { PresetOptions, PresetRegistration } from './preset-registry';
export {
  denseDepth169,
  denseDepth169Kitti,
  denseDepth201,
  unetScratch,
  unetResnet34,
  unetPlusPlusResnext50,
  lrasppMobilenetV3,
  bridgeDensenet121,
  buildPreset,
} from './presets';
export { denseDepthPresetOptionsSchema } from './presets';
export type { DenseDepthPresetOptions, TrainingRecipe } from './presets';
export { predict } from './predict';
export type { PredictOptions } from './predict';
export { predictImage } from './predict-image';
export type { PredictImageOptions, ImageDepth } from './predict-image';
export { workingSize, trainingSize, resizeRgbToUnit, DEFAULT_MAX_SIZE } from './working-size';
export type { WorkingSizeOptions } from './working-size';
export { estimateForwardMemory, checkForwardMemory, formatBytes, WASM_HEAP_LIMIT, WASM_PASS_BUDGET } from './memory';
export type { ForwardMemoryEstimate, MemoryCheckOptions } from './memory';
export { saveDepthModel, loadDepthModel } from './io';
export type { ModelLocation } from './io';
// Whole-model weight files from bytes or URLs (Node's entry adds paths: loadModelWeights, saveModelWeights).
export { loadModelWeights, loadModelWeightsFromBytes } from './weights/load-model-weights';
export type { LoadModelWeightsOptions, ModelLoadReport } from './weights/load-model-weights';
export { encodeModelWeights, WEIGHTS_CONFIG_KEY } from './weights/save-model-weights';
export type { EncodeModelWeightsOptions } from './weights/save-model-weights';
export { modelWeights } from './weights/model-weight-keys';
export type { ModelWeight } from './weights/model-weight-keys';
export { kerasArchitectureMismatches } from './weights/keras-architecture';
export * from './train';
export { evaluate, mergeEvaluations, parseShard, sampleToInput, constantBaseline } from './evaluate';
export type { EvaluateOptions, EvaluationOutput, EvalProtocol } from './evaluate';
export * from './viz';
export { skimageResizeTensor } from './scale-up';
// ONNX export and the ONNX Runtime path.
export * from './onnx';
export { openPredictor } from './runtime-choice';
export type { InferenceRuntime, Predictor } from './runtime-choice';
