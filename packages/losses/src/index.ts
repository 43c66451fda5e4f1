/**
 * @depthblocks/losses: depth estimation loss terms (L1, MSE, image gradient, SSIM, MS-SSIM, perceptual,
 * ranking, scale-invariant, berHu), each `(yTrue, yPred, mask?) => tf.Scalar`, registered by name
 * (registerLoss, open to terms of other packages), and their weighted sums. Depth normalisations (the
 * training targets) live in @depthblocks/core.
 */
export type { LossFn, LossContext } from './types';
export { validMask, stopGradient } from './mask';
export { l1 } from './l1';
export { mse } from './mse';
export { gradient, imageGradients } from './gradient';
export { ssim, ssimIndex, msSsim, msSsimIndex, gaussianWindow1d, MS_SSIM_POWER_FACTORS } from './ssim';
export type { SsimOptions, MsSsimOptions } from './ssim';
export { perceptual, featuresAt, kerasResnet50Preprocess, PERCEPTUAL_DEFAULT_LAYER } from './perceptual';
export type { PerceptualOptions, FeatureExtractor } from './perceptual';
export { ranking, rankingLoss } from './ranking';
export type { PairsSize } from './ranking';
export { scaleInvariant } from './scale-invariant';
export type { ScaleInvariantOptions } from './scale-invariant';
export { berhu } from './berhu';
export type { BerhuOptions } from './berhu';
export { combineLosses, DENSEDEPTH_WEIGHTS } from './combine';
export type { CombinedLoss, CombineOptions, LossBreakdown } from './combine';
export { getLoss, hasLoss, listLosses, lossRegistry, lossWeightsSchema, registerLoss } from './registry';
export type { LossRegistration, LossTermName, LossTermOptionsByName, LossWeights } from './registry';
