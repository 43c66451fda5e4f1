/**
 * @depthblocks/core: the plain pieces every depthblocks package shares: the `tf` namespace, errors, a seeded RNG,
 * shared types, tensor helpers and weight-file I/O. Importing it changes nothing in TensorFlow.js; the training
 * runtime (setupBackend, kernels, gradient fixes) is `@depthblocks/backend`.
 *
 * This entry point is portable (browsers and Node); `./node` adds the file-system functions.
 */
export { tf } from './tf';
export { DepthblocksError, check, checkRank } from './errors';
export { silenceTfjsNodeBanner } from './tfjs-banner';
export type { DepthblocksErrorCode } from './errors';
export { Rng } from './rng';
export type { RngState } from './rng';
export type { Sample, Batch, FeatureMap, OrdinalPair, Intrinsics } from './types';
export type { Dataset, ValidateOptions, ValidationProblem, ValidationReport } from './dataset';
export { disposeBatch } from './batch';
export { loadOptional } from './optional-dependency';
export { decodePng, encodePng, encodeDepthPng, hasPngSignature } from './png';
export type { PngImage } from './png';
export { trackTensors, assertNoLeak } from './testing';
export { readSafetensors, writeSafetensors } from './weights/safetensors';
export type { SafetensorsFile, SafetensorsDtype } from './weights/safetensors';
export { hasHdf5Signature } from './weights/hdf5-signature';
export { fetchWeightBytes, weightBytes } from './weights/weight-bytes';
export type { WeightBytes, WeightLocation } from './weights/weight-bytes';
export { parseKerasH5, encodeKerasH5 } from './weights/keras-h5';
export type { KerasH5File, KerasLayerWeights, KerasWeight, EncodeKerasH5Options } from './weights/keras-h5';
export { loadH5wasmInMemory, withH5Bytes, h5ToBytes, summariseHdf5Error } from './weights/h5wasm-memory';
export type { WeightTensor } from './weights/types';
export { halfToFloat, floatToHalf, bf16ToFloat, floatToBf16 } from './weights/float16';
export { BackendKernels, EXACT_KERNEL, hasKernel, hasExactKernel } from './backend-kernels';
export type { AdamUpdateAttrs } from './backend-kernels';
export { batchNormTrain } from './ops/batch-norm-train';
export { exactResizeBilinearGrad } from './ops/resize-bilinear-grad';
export { z } from 'zod';
export { createRegistry } from './registry';
export type { Registry, RegistryEntry } from './registry';
export { closestName, didYouMean, editDistance } from './did-you-mean';
export {
  acceptsNumber,
  configIssues,
  describeValue,
  formatConfigPath,
  parseWithSchema,
  registeredKeys,
  registeredName,
  schemaAt,
  throwConfigIssues,
} from './schema';
export type { ConfigIssue } from './schema';
export { checkDepthNormalization, depthNormalizationSchema, depthToTarget, targetRange, targetToDepth } from './depth-normalization';
export type { DepthNormalization } from './depth-normalization';
export { loadIntoVariables } from './weights/assign-weights';
export type { WeightTarget, WeightSource, WeightMatchReport, LoadIntoVariablesOptions } from './weights/assign-weights';
export { kerasWeightSources } from './weights/keras-sources';
export type { KerasWeightSourcesOptions } from './weights/keras-sources';
