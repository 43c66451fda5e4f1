/**
 * Which converter exports which layer class: tfjs-layers' classes by their Keras names, depthblocks' own layers
 * (encoders: FreezableBatchNormalization, DilatedConv2D, GroupedConv2D, HardSwish, HardSigmoid,
 * DepthblocksPreprocess; decoders: Resize2D), and classes registered with {@link registerOnnxLayer}.
 */
import { DepthblocksError } from '@depthblocks/core';
import type { LayerConverter } from '../converter';
import {
  activation,
  concatenate,
  cropping2d,
  dense,
  elu,
  flatten,
  hardSigmoid,
  hardSwish,
  identity,
  leakyRelu,
  merge,
  preprocess,
  relu,
  reshape,
  softmax,
  zeroPadding2d,
} from './basic';
import { batchNormalization } from './batch-norm';
import { conv2d, depthwiseConv2d, dilatedConv2d, groupedConv2d } from './conv';
import { averagePooling2d, globalAveragePooling2d, globalMaxPooling2d, maxPooling2d } from './pooling';
import { resize2d, upSampling2d } from './resize';

const BUILT_IN: Record<string, LayerConverter> = {
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  DilatedConv2D: dilatedConv2d,
  GroupedConv2D: groupedConv2d,
  BatchNormalization: batchNormalization,
  FreezableBatchNormalization: batchNormalization,
  Activation: activation,
  ReLU: relu,
  LeakyReLU: leakyRelu,
  ELU: elu,
  Softmax: softmax,
  HardSwish: hardSwish,
  HardSigmoid: hardSigmoid,
  DepthblocksPreprocess: preprocess,
  MaxPooling2D: maxPooling2d,
  AveragePooling2D: averagePooling2d,
  GlobalAveragePooling2D: globalAveragePooling2d,
  GlobalMaxPooling2D: globalMaxPooling2d,
  ZeroPadding2D: zeroPadding2d,
  Cropping2D: cropping2d,
  Resize2D: resize2d,
  UpSampling2D: upSampling2d,
  Concatenate: concatenate,
  Add: merge('Sum'),
  Multiply: merge('Mul'),
  Average: merge('Mean'),
  Maximum: merge('Max'),
  Minimum: merge('Min'),
  Reshape: reshape,
  Flatten: flatten,
  Dense: dense,
  Dropout: identity,
  SpatialDropout1D: identity,
  SpatialDropout2D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
};

const registered = new Map<string, LayerConverter>();

/**
 * Teaches {@link exportOnnx} a layer class of your own (by its `className`). The converter adds the layer's
 * nodes to `ctx.g` and returns its output; rank-4 values are NCHW in the graph (see `onnxAxis`).
 *
 * @example
 * registerOnnxLayer('Scale2x', (ctx) => ({
 *   name: ctx.g.node('Mul', [ctx.inputs[0].name, ctx.g.floats(`${ctx.layer.name}/k`, [2], [])], {}, ctx.layer.name),
 *   shape: ctx.outputShape,
 * }));
 */
export function registerOnnxLayer(className: string, converter: LayerConverter): void {
  if (typeof className !== 'string' || !className || typeof converter !== 'function') {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `registerOnnxLayer(className, converter): got ${JSON.stringify(className)}, ${typeof converter}`,
    );
  }
  registered.set(className, converter);
}

/** The converter of a layer class, or undefined. */
export function onnxConverter(className: string): LayerConverter | undefined {
  return registered.get(className) ?? BUILT_IN[className];
}

/** Every layer class the exporter maps (built-in and registered), sorted. */
export function onnxLayerClasses(): string[] {
  return [...new Set([...Object.keys(BUILT_IN), ...registered.keys()])].sort();
}
