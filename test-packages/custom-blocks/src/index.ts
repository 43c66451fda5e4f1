/** Custom blocks registered from outside depthblocks: importing this module registers them. */
export { tinyCnn, tinyCnnOptionsSchema, type TinyCnnOptions } from './tiny-cnn';
export { tinyFuse, tinyFuseOptionsSchema, type TinyFuseOptions } from './tiny-fuse';
export { edgeL1 } from './edge-l1';
