/**
 * Gradients depthblocks registers on every backend:
 * - FusedBatchNorm: broadcasting per-channel factors instead of tfjs' tiling of mean/variance/scale to the
 *   activation's shape (which made batch-norm backward cost more than the convolutions).
 * - GatherNd / ScatterNd, which tfjs lacks.
 * - Conv2D and DepthwiseConv2dNative that also handle dilation:
 *
 * tfjs' own gradients assert dilation 1, so dilated encoders (output stride 16/8, MobileNetV3 for LR-ASPP)
 * could not train. As TensorFlow does, a dilated stride-1 convolution is rewritten as
 * space-to-batch -> ordinary convolution -> batch-to-space, and differentiated in that form.
 * Undilated convolutions use the same backprop kernels as tfjs' own gradients.
 */
import * as tfc from '@tensorflow/tfjs-core';
import { tf } from '../tf';
import { wasmKernelsTakeDilations } from './wasm-kernels';

type T4 = tf.Tensor4D;

function runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): T4 {
  return tf.engine().runKernel(name, inputs as any, attrs as any) as T4;
}

function pair(v: number | [number, number] | undefined | null): [number, number] {
  if (v == null) return [1, 1];
  return typeof v === 'number' ? [v, v] : v;
}

/** [N, Hq*dh, Wq*dw, C] -> [dh*dw*N, Hq, Wq, C] (TensorFlow's space_to_batch block order). */
function spaceToBatch(x: T4, dh: number, dw: number): T4 {
  const [n, h, w, c] = x.shape;
  const r = tf.reshape(x, [n, h / dh, dh, w / dw, dw, c]);
  const t = tf.transpose(r, [2, 4, 0, 1, 3, 5]);
  return tf.reshape(t, [dh * dw * n, h / dh, w / dw, c]);
}

/** Inverse of {@link spaceToBatch}. */
function batchToSpace(x: T4, dh: number, dw: number): T4 {
  const [b, hq, wq, c] = x.shape;
  const n = b / (dh * dw);
  const r = tf.reshape(x, [dh, dw, n, hq, wq, c]);
  const t = tf.transpose(r, [2, 3, 0, 4, 1, 5]);
  return tf.reshape(t, [n, hq * dh, wq * dw, c]);
}

interface DilatedPlan {
  xb: T4; // the padded input in space-to-batch form
  dyb: T4; // dy in space-to-batch form
  paddedH: number;
  paddedW: number;
  top: number;
  left: number;
}

/** Pads x and dy so that both divide by the dilation, and moves them to space-to-batch form. */
function planDilated(x: T4, dy: T4, ci: any, dh: number, dw: number): DilatedPlan {
  const [n, h, w, c] = x.shape;
  const { top, bottom, left, right } = ci.padInfo;
  const hp = h + top + bottom;
  const wp = w + left + right;
  const hpp = Math.ceil(hp / dh) * dh;
  const wpp = Math.ceil(wp / dw) * dw;
  const xp = tf.pad(x, [
    [0, 0],
    [top, bottom + hpp - hp],
    [left, right + wpp - wp],
    [0, 0],
  ]);
  const xb = spaceToBatch(xp, dh, dw);
  // the space-to-batch 'valid' conv yields rows 0..(Hq-KH+1)*dh of the dilated output; dy fills the first OH
  const fullH = (hpp / dh - ci.filterHeight + 1) * dh;
  const fullW = (wpp / dw - ci.filterWidth + 1) * dw;
  const dyp = tf.pad(dy, [
    [0, 0],
    [0, fullH - dy.shape[1]],
    [0, fullW - dy.shape[2]],
    [0, 0],
  ]);
  const dyb = spaceToBatch(dyp, dh, dw);
  void n;
  void c;
  return { xb, dyb, paddedH: hpp, paddedW: wpp, top, left };
}

function cropBack(dxb: T4, plan: DilatedPlan, xShape: number[], dh: number, dw: number): T4 {
  const dxp = batchToSpace(dxb, dh, dw);
  return tf.slice(dxp, [0, plan.top, plan.left, 0], xShape as [number, number, number, number]);
}

/**
 * The gradient of a convolution kernel (Conv2D or DepthwiseConv2dNative), lazy per input. Undilated: the
 * backprop kernels. Dilated (stride 1): the same kernels on the space-to-batch form, cropped back.
 */
function convGrad(kernelName: 'Conv2D' | 'DepthwiseConv2dNative', backpropInput: string, backpropFilter: string): tf.GradConfig {
  const depthwise = kernelName === 'DepthwiseConv2dNative';
  return {
    kernelName,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: any) => {
      const [x, filter] = saved as [T4, tf.Tensor4D];
      const d = dy as T4;
      const { dilations, strides, pad, dimRoundingMode, dataFormat } = attrs;
      const [dh, dw] = pair(dilations);
      // depthwise kernels take dilations; Conv2D's backprop kernels take dataFormat
      const extra = depthwise ? { dilations: [1, 1] } : { dataFormat };
      if (dh === 1 && dw === 1) {
        return {
          x: () => runKernel(backpropInput, { dy: d, filter }, { strides, pad, dimRoundingMode, ...extra, inputShape: x.shape }),
          filter: () => runKernel(backpropFilter, { x, dy: d }, { strides, pad, dimRoundingMode, ...extra, filterShape: filter.shape }),
        };
      }
      const [sh, sw] = pair(strides);
      if (sh !== 1 || sw !== 1) throw new Error(`${kernelName} gradient: dilation ${dh}x${dw} needs stride 1, got ${sh}x${sw}`);
      if (wasmKernelsTakeDilations()) {
        // depthblocks' wasm kernels dilate directly (space-to-batch's 6-D transposes took 46% of LR-ASPP's step)
        const dil = { dilations: [dh, dw], ...(depthwise ? {} : { dataFormat }) };
        return {
          x: () => runKernel(backpropInput, { dy: d, filter }, { strides, pad, dimRoundingMode, ...dil, inputShape: x.shape }),
          filter: () => runKernel(backpropFilter, { x, dy: d }, { strides, pad, dimRoundingMode, ...dil, filterShape: filter.shape }),
        };
      }
      const ci = tf.backend_util.computeConv2DInfo(x.shape, filter.shape, 1, [dh, dw], pad, dimRoundingMode, depthwise);
      const valid = {
        strides: [1, 1],
        pad: 'valid',
        dimRoundingMode: undefined as undefined,
        ...(depthwise ? { dilations: [1, 1] } : { dataFormat: 'NHWC' }),
      };
      return {
        x: () =>
          tf.tidy(() => {
            const plan = planDilated(x, d, ci, dh, dw);
            const dxb = runKernel(backpropInput, { dy: plan.dyb, filter }, { ...valid, inputShape: plan.xb.shape });
            return cropBack(dxb, plan, x.shape, dh, dw);
          }),
        filter: () =>
          tf.tidy(() => {
            const plan = planDilated(x, d, ci, dh, dw);
            return runKernel(backpropFilter, { x: plan.xb, dy: plan.dyb }, { ...valid, filterShape: filter.shape });
          }),
      };
    },
  };
}

const conv2DGrad = convGrad('Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter');
const depthwiseGrad = convGrad('DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter');

/** tfjs has no gradients for GatherNd and ScatterNd; each is the other's adjoint. */
const gatherNdGrad: tf.GradConfig = {
  kernelName: 'GatherNd',
  inputsToSave: ['params', 'indices'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [params, indices] = saved;
    return { params: () => tf.scatterND(indices, dy as tf.Tensor, params.shape), indices: () => tf.zerosLike(indices) };
  },
};
const scatterNdGrad: tf.GradConfig = {
  kernelName: 'ScatterNd',
  inputsToSave: ['indices'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [indices] = saved;
    return { updates: () => tf.gatherND(dy as tf.Tensor, indices), indices: () => tf.zerosLike(indices) };
  },
};

/** Axes that reduce x's shape to mean's (all but the channels for per-channel statistics). */
function reductionAxes(meanShape: number[], xShape: number[]): number[] {
  return tf.backend_util.getReductionAxes(meanShape, xShape);
}

const fusedBatchNormGrad: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: any) => {
    const [x, mean, variance, scale] = saved;
    const d = dy as tf.Tensor;
    const eps: number = attrs.varianceEpsilon;
    const axes = reductionAxes(mean.shape, x.shape);
    const reduce = (t: tf.Tensor): tf.Tensor => (axes.length ? tf.sum(t, axes) : t);
    const inv = (): tf.Tensor => tf.rsqrt(tf.add(variance, eps)); // per channel
    const scaled = (): tf.Tensor => (scale == null ? inv() : tf.mul(inv(), scale));
    // sum over the reduction axes of dy * (x - mean): per channel
    const dyXm = (): tf.Tensor => reduce(tf.mul(d, tf.sub(x, mean)));
    return {
      x: () => tf.mul(d, scaled()),
      mean: () => tf.reshape(tf.neg(tf.mul(reduce(d), scaled())), mean.shape),
      variance: () => {
        const i = inv();
        const k = tf.mul(tf.mul(tf.mul(i, i), i), -0.5);
        return tf.reshape(tf.mul(tf.mul(dyXm(), k), scale == null ? 1 : scale), mean.shape);
      },
      scale: () => tf.reshape(tf.mul(dyXm(), inv()), mean.shape),
      offset: () => tf.reshape(reduce(d), mean.shape),
    };
  },
};

let registered = false;

/**
 * Replaces tfjs' Conv2D and DepthwiseConv2dNative gradients with ones that handle dilation, and adds the
 * missing GatherNd / ScatterNd gradients. Idempotent.
 */
export function registerGradientFixes(): void {
  if (registered) return;
  registered = true;
  const quiet = (fn: () => void): void => {
    const warn = console.warn;
    console.warn = () => undefined; // tfjs warns "Overriding the gradient for ..."
    try {
      fn();
    } finally {
      console.warn = warn;
    }
  };
  quiet(() => tf.registerGradient(conv2DGrad));
  quiet(() => tf.registerGradient(depthwiseGrad));
  quiet(() => tf.registerGradient(gatherNdGrad));
  quiet(() => tf.registerGradient(scatterNdGrad));
  quiet(() => tf.registerGradient(fusedBatchNormGrad));
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

let fusedPatched = false;

/**
 * tfjs-layers runs every Conv2D / DepthwiseConv2D through tf.fused.*, whose own gradient asserts dilation 1 and
 * computes the input and filter gradients eagerly (so the stem's input gradient is computed although the input
 * is data). Dilated convolutions, and every convolution while gradients are recorded, go through the plain ops
 * instead, whose registered gradients (above) are lazy per input. Inference keeps the fused kernels.
 */
export function patchFusedDilatedConvs(): void {
  if (fusedPatched) return;
  fusedPatched = true;
  const fused = tfc.fused as any;
  const dilated = (a: FusedArgs): boolean => {
    const [dh, dw] = pair(a.dilations as any);
    return dh !== 1 || dw !== 1;
  };
  const recording = (): boolean => (tf.engine() as any).state.gradientDepth > 0;
  const plain = { conv2d: tf.conv2d, depthwiseConv2d: tf.depthwiseConv2d };
  for (const op of ['conv2d', 'depthwiseConv2d'] as const) {
    const fusedOp = fused[op];
    fused[op] = (a: FusedArgs) => {
      if (!dilated(a) && !recording()) return fusedOp(a);
      return tf.tidy(() => {
        const x = a.x as T4;
        let y: tf.Tensor = plain[op](x, a.filter as tf.Tensor4D, a.strides, a.pad, a.dataFormat ?? 'NHWC', a.dilations, a.dimRoundingMode);
        if (a.bias) y = tf.add(y, a.bias);
        return applyActivation(y, a);
      });
    };
  }
}
