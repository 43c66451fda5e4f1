/**
 * Kernel profile of one training step (tf.profile): time per kernel name, per (kernel, input shapes), and
 * the achieved GFLOP/s of the convolution kernels (forward vs the two backprops).
 */
import { tf } from '@depthblocks/core';
import { createOptimizer, trainStep, type DepthModel, type TrainLoss } from '@depthblocks/models';
import { kernelFlops } from './flops';

export interface KernelRow {
  name: string;
  shapes?: string;
  calls: number;
  ms: number;
  share: number;
  flops: number;
  gflops?: number;
}

export interface StepProfile {
  stepMs: number;
  kernelMs: number;
  byKernel: KernelRow[];
  byShape: KernelRow[];
  /** Time of the categories the report compares. */
  categories: Record<string, number>;
  /** Kernels executed inside the optimizer's apply (timed separately). */
  optimizer: { ms: number; wallMs: number; kernels: number; variables: number };
  /** Custom-gradient scope names left out of the sums (their kernels are counted). */
  scopesExcluded: string[];
}

const CONV = [
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNative',
  'FusedDepthwiseConv2D',
  'DepthwiseConv2dNativeBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
];

function category(name: string): string {
  if (name === 'Conv2D' || name === 'FusedConv2D') return 'conv forward';
  if (name === 'Conv2DBackpropInput') return 'conv backprop input';
  if (name === 'Conv2DBackpropFilter') return 'conv backprop filter';
  if (CONV.includes(name)) return 'depthwise conv';
  if (name === 'Concat' || name === 'Slice' || name === 'StridedSlice' || name === 'Pack' || name === 'Unpack' || name === 'SplitV')
    return 'concat / slice copies';
  if (
    name.startsWith('FusedBatchNorm') ||
    name.startsWith('DepthblocksBatchNorm') ||
    name === 'Rsqrt' ||
    name === 'Mean' ||
    name === 'Moments'
  )
    return 'batch norm';
  if (name === 'Relu' || name === 'LeakyRelu' || name === 'Relu6' || name === 'DepthblocksActivationGrad')
    return 'activations (+ gradients)';
  if (name.startsWith('ResizeBilinear') || name.startsWith('ResizeNearest')) return 'resize';
  if (name.startsWith('AvgPool') || name.startsWith('MaxPool')) return 'pooling';
  if (name === 'MatMul' || name === '_FusedMatMul' || name === 'BatchMatMul') return 'matmul';
  return 'elementwise / reductions / other';
}

/**
 * Heuristic: a kernel of the loss (forward or backward) touches only single-channel maps of the batch
 * ([N, h, w, 1], [N, h*w]), SSIM's separable 11-tap windows, and scalars.
 */
function isLossKernel(k: { inputShapes: number[][]; outputShapes: number[][] }, n: number, hw: number): boolean {
  const shapes = [...k.inputShapes, ...k.outputShapes];
  const lossy = (s: number[]): boolean =>
    s.length <= 1 ||
    (s.length === 4 && s[3] === 1 && (s[0] === n || (s[2] === 1 && s[0] * s[1] <= 121))) ||
    (s.length === 2 && s[0] === n && s[1] === hw) ||
    (s.length === 3 && s[0] === n && s[2] === 1);
  return shapes.some((s) => s.length >= 2) && shapes.every(lossy);
}

function group(
  kernels: { name: string; inputShapes: number[][]; outputShapes: number[][]; kernelTimeMs: number }[],
  key: (k: { name: string; inputShapes: number[][] }) => string,
  total: number,
): KernelRow[] {
  const m = new Map<string, KernelRow>();
  for (const k of kernels) {
    const id = key(k);
    let r = m.get(id);
    if (!r) {
      r = { name: k.name, shapes: id === k.name ? undefined : id.slice(k.name.length + 1), calls: 0, ms: 0, share: 0, flops: 0 };
      m.set(id, r);
    }
    r.calls++;
    r.ms += k.kernelTimeMs;
    r.flops += kernelFlops(k.name, k.inputShapes, k.outputShapes);
  }
  const rows = [...m.values()].sort((a, b) => b.ms - a.ms);
  for (const r of rows) {
    r.share = r.ms / total;
    if (r.flops > 0 && r.ms > 0) r.gflops = r.flops / (r.ms * 1e6);
  }
  return rows;
}

/**
 * Profiles one training step (after one unprofiled warm-up step that creates the optimizer state).
 *
 * @example
 * const p = await profileTrainStep(m, loss, batch, 25);
 * console.log(p.byKernel[0]); // the most expensive kernel
 */
export async function profileTrainStep(
  m: DepthModel,
  loss: TrainLoss,
  batch: { rgb: tf.Tensor4D; depth: tf.Tensor4D; mask: tf.Tensor4D; ids: string[] },
  top: number,
): Promise<StepProfile> {
  const optimizer = createOptimizer({ name: 'adam', lr: 1e-4 });
  trainStep(m.model, loss, optimizer, batch, undefined);
  const check = tf.env().getBool('CHECK_COMPUTATION_FOR_ERRORS');
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  // Mark where the optimizer starts: wrap apply so that its kernels can be told apart.
  let optStart = -1;
  let optEnd = -1;
  let optMs = 0;
  const engine = tf.engine() as unknown as { state: { activeProfile: { kernels: unknown[] } } };
  const apply = optimizer.apply.bind(optimizer);
  optimizer.apply = (g, v) => {
    optStart = engine.state.activeProfile.kernels.length;
    const t0 = performance.now();
    apply(g, v);
    optMs = performance.now() - t0;
    optEnd = engine.state.activeProfile.kernels.length;
  };
  const t0 = performance.now();
  let info: Awaited<ReturnType<typeof tf.profile>>;
  try {
    info = await tf.profile(() => {
      trainStep(m.model, loss, optimizer, batch, undefined);
    });
  } finally {
    tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', check);
  }
  const stepMs = performance.now() - t0;
  // Entries that are not registered kernels are custom-gradient scopes (e.g. `fusedConv2d__op`) whose time
  // includes the kernels they ran, which are listed too: leave them out of the sums.
  const backendName = tf.getBackend();
  const scopes = info.kernels.filter((k) => !tf.getKernel(k.name, backendName));
  const inOptimizer = info.kernels.map((_, i) => i >= optStart && i < optEnd);
  const isKernel = info.kernels.map((k) => !!tf.getKernel(k.name, backendName));
  const optFlags = inOptimizer.filter((_, i) => isKernel[i]);
  const kernels = info.kernels
    .filter((_, i) => isKernel[i])
    .map((k) => ({
      name: k.name,
      inputShapes: k.inputShapes.map((s) => (s ?? []) as number[]),
      outputShapes: k.outputShapes.map((s) => (s ?? []) as number[]),
      kernelTimeMs: Number(k.kernelTimeMs),
    }));
  const kernelMs = kernels.reduce((s, k) => s + k.kernelTimeMs, 0);
  const byKernel = group(kernels, (k) => k.name, kernelMs);
  const byShape = group(kernels, (k) => `${k.name} ${k.inputShapes.map((s) => `[${s.join(',')}]`).join(' ')}`, kernelMs).slice(0, top);
  const n = batch.rgb.shape[0];
  const hw = batch.depth.shape[1] * batch.depth.shape[2];
  const categories: Record<string, number> = {};
  kernels.forEach((k, i) => {
    const c = optFlags[i] ? 'optimizer (Adam)' : isLossKernel(k, n, hw) ? 'loss (SSIM + grad + L1, fwd + bwd)' : category(k.name);
    categories[c] = (categories[c] ?? 0) + k.kernelTimeMs;
  });
  const optKernels = kernels.filter((_, i) => optFlags[i]);
  optimizer.dispose();
  tf.dispose([batch.rgb, batch.depth, batch.mask]);
  return {
    stepMs,
    kernelMs,
    byKernel,
    byShape,
    categories,
    scopesExcluded: [...new Set(scopes.map((k) => k.name))],
    optimizer: {
      ms: optKernels.reduce((s, k) => s + k.kernelTimeMs, 0),
      wallMs: optMs,
      kernels: optKernels.length,
      variables: m.model.trainableWeights.length,
    },
  };
}
