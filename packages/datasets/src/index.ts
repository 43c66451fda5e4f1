/**
 * @depthblocks/datasets: NYU Depth v2 (labeled .mat, DenseDepth zip, BTS folders), KITTI (Eigen
 * split), Depth in the Wild and a procedural synthetic RGB-D set, with seeded augmentation and a
 * prefetching batcher. Every dataset implements the same {@link Dataset} interface.
 */
export { FileListDataset, checkSameSize, parseListText, sanitizeDepth, validateEntries, validationError } from './dataset';
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
export { decodeDepthPng, decodeGrey, decodeRgb, encodeDepthPng, encodeGreyPng, encodeRgb, imageSize, readFileBytes } from './image-io';
export type { GreyImage, RgbImage } from './image-io';
export { ZipReader, crc32 } from './zip';
export type { ZipEntry } from './zip';
export { nyuLabeled } from './nyu-labeled';
export type { NyuLabeledDataset, NyuLabeledOptions } from './nyu-labeled';
export { NYU_LABELED_TEST_INDICES, NYU_LABELED_TRAIN_INDICES } from './nyu-split';
export { nyuDenseDepthZip, denseDepthZipScale } from './nyu-densedepth-zip';
export type { NyuDenseDepthZipDataset, NyuDenseDepthZipOptions } from './nyu-densedepth-zip';
export { nyuBts, parseRgbDepthFocalList, NYU_PLAUSIBLE_MAX } from './nyu-bts';
export { rgbdFolders, foldersSpecSchema } from './rgbd-folders';
export type { RgbdFoldersOptions } from './rgbd-folders';
export type { NyuBtsOptions } from './nyu-bts';
export { RgbdListDataset, checkPlausible } from './rgbd-list';
export type { RgbdEntry, RgbdListConfig } from './rgbd-list';
export { kittiEigen, detectKittiListFormat, parseDateDriveFrameList, KITTI_PLAUSIBLE_MAX } from './kitti';
export type { KittiDataset, KittiListFormat, KittiOptions } from './kitti';
export { kittiIntrinsics, parseKittiCalib, readKittiIntrinsics } from './kitti-calib';
export type { KittiCalib } from './kitti-calib';
export { diw, parseDiwCsv, DiwDataset } from './diw';
export type { DiwOptions, DiwRecord } from './diw';
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
