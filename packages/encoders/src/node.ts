/**
 * @depthblocks/encoders for Node: everything of the portable entry (index.ts), with a `loadWeights` that also
 * reads weight files from paths and file: URLs.
 */
export * from './index';
export { loadWeights } from './weights-node';
