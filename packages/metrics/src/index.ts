/**
 * @depthblocks/metrics: depth metrics (d1..d3, abs/sq rel, rmse, rmse log, log10, silog) and ordinal
 * metrics (WHDR, WKDR) on typed arrays; the NYU (DenseDepth, Eigen), KITTI (Eigen/Garg) and DIW
 * evaluation protocols; streaming accumulators that merge exactly; JSON and markdown reports.
 */
export {
  computeDepthMetrics,
  metricsFromSums,
  sumsOfValid,
  selectValid,
  d1,
  d2,
  d3,
  absRel,
  sqRel,
  rmse,
  rmseLog,
  log10,
  silog,
  METRIC_KEYS,
} from './depth-metrics';
export type { DepthMetrics, PixelSums } from './depth-metrics';
export { whdr, wkdr, ordinalCounts, ordinalFromCounts } from './ordinal';
export type { OrdinalCounts, OrdinalOptions, OrdinalResult } from './ordinal';
export { getProtocol, getDepthProtocol, applyProtocol, median } from './protocols';
export { hasProtocol, listProtocols, protocolRegistry, registerProtocol } from './registry';
export type { AnyProtocolOptions, OrdinalProtocol, Protocol, ProtocolRegistration } from './registry';
export type { CropBox, DepthProtocol, DepthProtocolName, EvalImage, ProtocolName, ProtocolOptions } from './protocols';
export { resizeBilinear } from './resize';
export { skimageResize, skimageResizeMatrix, skimageResizeTaps, mirrorIndex } from './skimage-resize';
export type { SkimageResizeOptions } from './skimage-resize';
export { ExactSum } from './exact-sum';
export { DepthAccumulator, OrdinalAccumulator, createAccumulator } from './accumulator';
export type { DepthAccumulatorState, EvaluationResult, OrdinalAccumulatorState, OrdinalEvaluationResult } from './accumulator';
export { toMarkdownTable, toJSONReport } from './report';
export type { TableOptions } from './report';
export { depthMetricsFromTensors, addTensors } from './tensors';
