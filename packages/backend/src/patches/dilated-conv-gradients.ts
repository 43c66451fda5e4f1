/**
 * Patch `dilatedConvGradients`: Conv2D and DepthwiseConv2dNative gradients that also handle dilation.
 *
 * tfjs' own gradients assert dilation 1, so dilated encoders (output stride 16/8, MobileNetV3 for LR-ASPP)
 * could not train. As TensorFlow does, a dilated stride-1 convolution is rewritten as
 * space-to-batch -> ordinary convolution -> batch-to-space, and differentiated in that form; where the
 * backprop kernels are depthblocks' wasm ones (patch `wasmKernels`), they dilate directly. Undilated
 * convolutions use the same backprop kernels as tfjs' own gradients, lazily per input (tfjs computes both).
 */
import { tf } from '@depthblocks/core';
import type { Patch } from '../patch';
import { takesDilations } from './wasm-kernels';

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
      if (takesDilations(backpropInput) && takesDilations(backpropFilter)) {
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

/** The patch: both gradients, on every backend. */
export const dilatedConvGradients: Patch = {
  name: 'dilatedConvGradients',
  tfjs: ['tfjs-core'],
  apply(c) {
    c.gradient(conv2DGrad);
    c.gradient(depthwiseGrad);
  },
};
