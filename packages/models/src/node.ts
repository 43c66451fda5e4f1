/**
 * @depthblocks/models for Node: everything of the portable entry (index.ts), plus files: models saved to and
 * loaded from folders (`fileIO`, and `saveDepthModel` / `loadDepthModel` that take a folder), weight files by path
 * (`loadModelWeights`, `saveModelWeights`), the trainer with a checkpoint path and a JSONL log file, checkpoint
 * files, log truncation, .onnx files, depth images written to a folder, and figures rendered to PNG (sharp, optional peer) with
 * text as outlines from the bundled font.
 */
export * from './index';
export { fileIO, saveDepthModel, loadDepthModel } from './io-node';
export { loadModelWeights, saveModelWeights } from './weights/files';
export type { SaveModelWeightsOptions } from './weights/files';
export { train, truncateLog } from './train/trainer-node';
export type { TrainOptions } from './train/trainer-node';
export { fileCheckpoint, saveCheckpoint, readCheckpoint } from './train/checkpoint-node';
// .onnx files on disk (exportOnnx, loadOnnxModel and openPredictor are portable)
export { writeOnnx, loadOnnxFile } from './onnx/files-node';
export { writeDepthOutputs, compareImage } from './viz/images-node';
export type { CompareImage } from './viz/images-node';
// figures rendered to PNG (sharp) with text drawn from the bundled font (read from disk)
export { svgToPng, writeSvgAndPng } from './viz/render';
export { svgTextToPaths, textPath, textWidth } from './viz/text-paths';
