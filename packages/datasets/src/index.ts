/**
 * @depthblocks/datasets, in any runtime (this is the browser entry; Node's adds the file readers): the Dataset
 * contract, the procedural synthetic RGB-D set, transforms (resize, crop, flip, channel swap, depth
 * normalisation), the prefetching batcher, list and annotation parsers, and image decoding with the platform's
 * decoder (JPEG, WebP) or a JavaScript PNG codec (8- and 16-bit PNG).
 */
export { checkSameSize, parseListText, sanitizeDepth, validationError } from './dataset';
export type {
  BaseDatasetOptions,
  Dataset,
  FileEntry,
  ListLine,
  OnError,
  ValidateOptions,
  ValidationProblem,
  ValidationReport,
} from './dataset';
export { decodeDepthPng, decodeGrey, decodeRgb, encodeDepthPng, encodeGreyPng, encodeRgb } from './image-io';
export type { GreyImage, RgbImage } from './image-io';
export { NYU_LABELED_TEST_INDICES, NYU_LABELED_TRAIN_INDICES } from './nyu-split';
export { kittiIntrinsics, parseKittiCalib } from './kitti-calib';
export type { KittiCalib } from './kitti-calib';
export { parseDiwCsv } from './diw-csv';
export type { DiwRecord } from './diw-csv';
export { renderSyntheticSample, syntheticDataset, syntheticSampleSeed } from './synthetic/dataset';
export type { SyntheticOptions } from './synthetic/dataset';
export { generateScene, NYU_INTRINSICS_640x480 } from './synthetic/scene';
export type { Scene } from './synthetic/scene';
export { renderScene, syntheticIntrinsics } from './synthetic/render';
export {
  centerCrop,
  compose,
  cropSample,
  flipSample,
  kbCropSample,
  permuteChannels,
  randomChannelPermutation,
  randomCrop,
  randomHorizontalFlip,
  rescalePairs,
  resize,
  resizeSample,
} from './transforms';
export type { DepthResize, Transform } from './transforms';
export { dataSpecSchema, datasetRegistry, hasDataset, listDatasets, openDataset, registerDataset } from './registry';
export type { DataSpec, DatasetContext, DatasetRegistration } from './registry';
export { Batcher, disposeBatch, samplesToBatch } from './batcher';
export type { BatcherOptions, BatcherStats } from './batcher';
export { withOrdinalPairs, samplePairs } from './ordinal-pairs';
export type { OrdinalPairsOptions } from './ordinal-pairs';
