/**
 * @depthblocks/datasets for Node: everything of the portable entry (index.ts), plus the readers of datasets on
 * disk (NYU v2 labeled .mat, DenseDepth zip, BTS lists, KITTI Eigen, DIW, RGB/depth folders, any RGB-D file list) and image
 * decoding with sharp, whose `decodeRgb` / `decodeGrey` / `decodeDepthPng` / `encodeRgb` replace the portable ones.
 */
export * from './index';
export { decodeDepthPng, decodeGrey, decodeRgb, encodeRgb, imageSize, loadSharp, readFileBytes } from './image-io-node';
export { FileListDataset, readListFile, validateEntries } from './file-list-dataset';
export { ZipReader, crc32 } from './zip';
export type { ZipEntry } from './zip';
export { nyuLabeled } from './nyu-labeled';
export type { NyuLabeledDataset, NyuLabeledOptions } from './nyu-labeled';
export { nyuDenseDepthZip, denseDepthZipScale } from './nyu-densedepth-zip';
export type { NyuDenseDepthZipDataset, NyuDenseDepthZipOptions } from './nyu-densedepth-zip';
export { nyuBts, parseRgbDepthFocalList, NYU_PLAUSIBLE_MAX } from './nyu-bts';
export type { NyuBtsOptions } from './nyu-bts';
export { rgbdFolders, foldersSpecSchema } from './rgbd-folders';
export type { RgbdFoldersOptions } from './rgbd-folders';
export { RgbdListDataset, checkPlausible } from './rgbd-list';
export type { RgbdEntry, RgbdListConfig } from './rgbd-list';
export { kittiEigen, detectKittiListFormat, parseDateDriveFrameList, readKittiIntrinsics, KITTI_PLAUSIBLE_MAX } from './kitti';
export type { KittiDataset, KittiListFormat, KittiOptions } from './kitti';
export { diw, DiwDataset } from './diw';
export type { DiwOptions } from './diw';
