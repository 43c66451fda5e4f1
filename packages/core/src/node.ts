/**
 * @depthblocks/core for Node: the portable API (./index) plus what needs the file system: Keras .h5 weight
 * files read and written by path, weight files read from paths (readWeightBytes), and h5wasm's Node build.
 */
export * from './index';
export { readKerasH5, writeKerasH5, isHdf5File } from './weights/keras-h5-files';
export type { WriteKerasH5Options } from './weights/keras-h5-files';
export { loadH5wasm } from './weights/h5wasm';
export { readWeightBytes } from './weights/weight-files';
