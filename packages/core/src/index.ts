/**
 * @depthblocks/core: backend set-up that trains on wasm, shared types, errors, seeded RNG, tensor helpers
 * and weight-file I/O.
 */
export { tf } from './tf';
import { patchFusedDilatedConvs, registerGradientFixes } from './backend/gradients';
import { registerBatchNormTraining } from './backend/batch-norm-train';
import { installFrugalGradients } from './backend/frugal-gradients';

// Backend-independent gradient fixes (dilated convolutions, batch norm, GatherNd/ScatterNd) apply as soon as
// depthblocks is imported, whichever backend is then used; setupBackend adds the backend kernels.
registerGradientFixes();
patchFusedDilatedConvs();
registerBatchNormTraining();
installFrugalGradients();
export { setupBackend, currentBackend } from './backend/setup';
export type { BackendOptions, BackendInfo, BackendRequest } from './backend/setup';
export { registerWasmTrainingKernels, wasmKernelTuning } from './backend/wasm-kernels';
export { DepthblocksError, check, checkRank } from './errors';
export type { DepthblocksErrorCode } from './errors';
export { Rng } from './rng';
export type { RngState } from './rng';
export type { Sample, Batch, FeatureMap, OrdinalPair, Intrinsics } from './types';
export { trackTensors, assertNoLeak, setupTestBackend } from './testing';
export { readSafetensors, writeSafetensors } from './weights/safetensors';
export type { SafetensorsFile, SafetensorsDtype } from './weights/safetensors';
export { readKerasH5, writeKerasH5, isHdf5File, hasHdf5Signature } from './weights/keras-h5';
export type { KerasH5File, KerasLayerWeights, KerasWeight, WriteKerasH5Options } from './weights/keras-h5';
export { loadH5wasm } from './weights/h5wasm';
export type { WeightTensor } from './weights/types';
export { halfToFloat, floatToHalf, bf16ToFloat, floatToBf16 } from './weights/float16';
export { tensorStorage, simdAdamUpdate } from './backend/storage';
export type { AdamStep } from './backend/storage';
export { batchNormTrain } from './backend/batch-norm-train';
export { useFrugalGradients } from './backend/frugal-gradients';
export { exactResizeBilinearGrad } from './backend/resize-bilinear-grad';
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
