/**
 * Patch `fusedConv`: tfjs-layers runs every Conv2D / DepthwiseConv2D through tf.fused.*, whose own gradient asserts
 * dilation 1 and computes the input and filter gradients eagerly (so the stem's input gradient is computed although
 * the input is data). Dilated convolutions, and every convolution while gradients are recorded, go through the
 * plain ops instead, whose gradients (patch `dilatedConvGradients`) are lazy per input. Inference keeps the fused
 * kernels.
 *
 * Where tfjs is loaded as ES modules (bundlers, browsers) `tf.fused` is a read-only namespace: the patch is skipped
 * there (see skippedPatches()), and tfjs-layers' dilated convolutions with a linear activation cannot train.
 */
import { tf } from '@depthblocks/core';
import { ChangeSet, type Patch } from '../patch';

type T4 = tf.Tensor4D;

function pair(v: number | [number, number] | undefined | null): [number, number] {
  if (v == null) return [1, 1];
  return typeof v === 'number' ? [v, v] : v;
}

type FusedArgs = {
  x: tf.Tensor;
  filter: tf.Tensor;
  strides: number | [number, number];
  pad: any;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: any;
  bias?: tf.Tensor;
  activation?: string | null;
  preluActivationWeights?: tf.Tensor;
  leakyreluAlpha?: number;
};

function applyActivation(y: tf.Tensor, a: FusedArgs): tf.Tensor {
  switch (a.activation ?? 'linear') {
    case 'linear':
      return y;
    case 'relu':
      return tf.relu(y);
    case 'relu6':
      return tf.relu6(y);
    case 'elu':
      return tf.elu(y);
    case 'sigmoid':
      return tf.sigmoid(y);
    case 'leakyrelu':
      return tf.leakyRelu(y, a.leakyreluAlpha ?? 0.2);
    case 'prelu':
      return tf.prelu(y, a.preluActivationWeights as tf.Tensor);
    default:
      throw new Error(`fused conv: unknown activation ${a.activation}`);
  }
}

type FusedOp = (a: FusedArgs) => tf.Tensor;

/** The patch: tf.fused.conv2d and tf.fused.depthwiseConv2d. */
export const fusedConv: Patch = {
  name: 'fusedConv',
  tfjs: ['tfjs-core'],
  apply(c) {
    const fused = tf.fused as unknown as Record<'conv2d' | 'depthwiseConv2d', FusedOp>;
    if (!ChangeSet.writable(fused, 'conv2d') || !ChangeSet.writable(fused, 'depthwiseConv2d')) {
      // tfjs loaded as ES modules (bundlers, browsers): its `fused` namespace cannot be changed
      c.skip('tf.fused is a read-only ES module namespace here (tfjs loaded as ES modules)');
      return;
    }
    const dilated = (a: FusedArgs): boolean => {
      const [dh, dw] = pair(a.dilations);
      return dh !== 1 || dw !== 1;
    };
    const recording = (): boolean => (tf.engine() as any).state.gradientDepth > 0;
    const plain = { conv2d: tf.conv2d, depthwiseConv2d: tf.depthwiseConv2d };
    for (const op of ['conv2d', 'depthwiseConv2d'] as const) {
      const fusedOp = fused[op];
      const routed: FusedOp = (a) => {
        if (!dilated(a) && !recording()) return fusedOp(a);
        return tf.tidy(() => {
          const x = a.x as T4;
          let y: tf.Tensor = plain[op](
            x,
            a.filter as tf.Tensor4D,
            a.strides,
            a.pad,
            a.dataFormat ?? 'NHWC',
            a.dilations,
            a.dimRoundingMode,
          );
          if (a.bias) y = tf.add(y, a.bias);
          return applyActivation(y, a);
        });
      };
      c.method(fused, op, routed, `tf.fused.${op}`);
    }
  },
};
