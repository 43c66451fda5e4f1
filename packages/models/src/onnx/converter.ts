/**
 * What a layer converter sees and returns, the registry of converters by tfjs class name, and the helpers
 * converters share (layout of rank-4 values, activations).
 *
 * Layout: the tfjs model is NHWC; the ONNX graph computes in NCHW (ONNX's convolution layout), so every rank-4
 * value is stored transposed ([N, C, H, W]) and every other rank as tfjs has it. A converter maps tfjs axes
 * with {@link onnxAxis}.
 */
import { tf, DepthblocksError } from '@depthblocks/core';
import { GraphBuilder, float, type Attr } from './graph';

/** A tensor of the ONNX graph standing for one tfjs symbolic tensor. */
export interface Value {
  /** Its name in the graph. */
  name: string;
  /** The tfjs shape (NHWC for rank 4; stored NCHW in the graph). */
  shape: (number | null)[];
  /** Set on convolution outputs: how to emit the convolution again with a batch norm folded into it. */
  conv?: ConvRecipe;
  /** Set on ZeroPadding2D outputs: the unpadded value and [top, bottom, left, right], which a convolution can absorb. */
  padded?: { source: Value; pads: [number, number, number, number] };
  /** Set on GlobalAveragePooling2D outputs of rank 2: the same values as [N, C, 1, 1]. */
  pooled4d?: string;
  /** The values are never negative (a ReLU's output), so zero padding and max pooling's padding agree. */
  nonNegative?: boolean;
}

/** A convolution as emitted: input, OIHW weight, bias and attributes (see layers/conv.ts). */
export interface ConvRecipe {
  layerName: string;
  input: string;
  weight: Float32Array;
  /** [O, I/group, kH, kW] */
  dims: number[];
  bias: Float32Array | null;
  attrs: Record<string, Attr>;
}

/** Batch-norm weights of one layer (per channel). */
export interface BatchNormWeights {
  gamma: Float32Array | null;
  beta: Float32Array | null;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

/** Everything a converter needs about the layer it converts. */
export interface ConvertContext {
  g: GraphBuilder;
  layer: tf.layers.Layer;
  /** The layer's class name (e.g. 'Conv2D', 'Resize2D'). */
  className: string;
  /** layer.getConfig() */
  config: tf.serialization.ConfigDict;
  inputs: Value[];
  /** The tfjs output shape. */
  outputShape: (number | null)[];
  /** The layer's weights by their short name ('kernel', 'bias', 'gamma', 'moving_mean', ...), in creation order. */
  weights: Map<string, { data: Float32Array; shape: number[] }>;
  /** True when input i is read by this layer only (and is not a model output), so that a fusion may consume it. */
  soleReader: (i: number) => boolean;
  keepBatchNorm: boolean;
  /** Counts a batch norm folded into a convolution (for the export's stats). */
  countFold: () => void;
  /** Throws the export error for this layer (names it and its class). */
  fail: (why: string) => never;
}

/** Converts one layer: adds its nodes and returns the value standing for its output. */
export type LayerConverter = (ctx: ConvertContext) => Value;

/** NHWC axis (negative counts from the end) of a rank-`rank` tfjs tensor -> the axis in the graph's layout. */
export function onnxAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  return rank === 4 ? [0, 2, 3, 1][a] : a;
}

/** The value's data in tfjs' own layout (rank-4 values transposed back to NHWC). */
export function toTfLayout(g: GraphBuilder, v: Value, name: string): string {
  return v.shape.length === 4 ? g.node('Transpose', [v.name], { perm: { ints: [0, 2, 3, 1] } }, `${name}/to_nhwc`) : v.name;
}

/** Inverse of {@link toTfLayout}: data in tfjs' layout -> the graph's (NCHW for rank 4). */
export function fromTfLayout(g: GraphBuilder, name: string, rank: number, nodeName: string): string {
  return rank === 4 ? g.node('Transpose', [name], { perm: { ints: [0, 3, 1, 2] } }, `${nodeName}/to_nchw`) : name;
}

/** The tfjs activation identifiers (Activation layers and layers' `activation` option) this exporter maps. */
export const ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'sigmoid',
  'tanh',
  'softplus',
  'softsign',
  'elu',
  'selu',
  'hardSigmoid',
  'swish',
  'softmax',
];

/**
 * Applies a tfjs activation by identifier to `x` (a value of rank `rank`); returns the output name, or `x` for
 * 'linear'. Throws (via `fail`) for activations without an ONNX mapping.
 */
export function emitActivation(
  g: GraphBuilder,
  x: string,
  activation: string,
  rank: number,
  name: string,
  fail: (why: string) => never,
): string {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return g.node('Relu', [x], {}, name);
    case 'relu6':
      return g.node('Clip', [x, g.floats(`${name}/min`, [0], []), g.floats(`${name}/max`, [6], [])], {}, name);
    case 'sigmoid':
      return g.node('Sigmoid', [x], {}, name);
    case 'tanh':
      return g.node('Tanh', [x], {}, name);
    case 'softplus':
      return g.node('Softplus', [x], {}, name);
    case 'softsign':
      return g.node('Softsign', [x], {}, name);
    case 'elu':
      return g.node('Elu', [x], { alpha: float(1) }, name);
    case 'selu':
      // tfjs' constants (those of Klambauer et al. 2017)
      return g.node('Selu', [x], { alpha: float(1.6732632423543772), gamma: float(1.0507009873554805) }, name);
    case 'hardSigmoid':
      // tfjs' hardSigmoid is Keras' old 0.2 x + 0.5 clipped to [0, 1]
      return g.node('HardSigmoid', [x], { alpha: float(0.2), beta: float(0.5) }, name);
    case 'swish':
      return g.node('Mul', [x, g.node('Sigmoid', [x], {}, `${name}/sigmoid`)], {}, name);
    case 'softmax':
      return g.node('Softmax', [x], { axis: { i: onnxAxis(-1, rank) } }, name);
    default:
      return fail(`activation '${activation}' has no ONNX mapping (supported: ${ACTIVATIONS.join(', ')})`);
  }
}

/** The error every converter raises for a layer it cannot export. */
export function exportError(layer: tf.layers.Layer, className: string, why: string): DepthblocksError {
  return new DepthblocksError('UNSUPPORTED', `exportOnnx: layer '${layer.name}' (class ${className}) cannot be exported: ${why}`, {
    layer: layer.name,
    className,
  });
}
