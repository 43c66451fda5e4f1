/**
 * Training-mode batch normalisation and the ReLU gradient as single kernels, on the wasm and cpu backends.
 *
 * tfjs-layers normalises a batch in training with `tf.moments` then `tf.batchNorm`: six kernels forward, about
 * twenty backward, and it keeps three full-size tensors per layer for backprop (the input, `x - mean` saved by
 * the square, the normalised output saved by the ReLU after it). Here:
 * - `DepthblocksBatchNormTrain` computes y, the batch mean and the (biased) batch variance in three passes over
 *   x, and keeps only x for backprop;
 * - `DepthblocksBatchNormTrainGrad` computes dx, dgamma and dbeta in two passes;
 * - ReLU's gradient is taken from its output (y > 0 exactly where x > 0), so the pre-activation tensor is not
 *   kept: the following convolution keeps the output anyway. One kernel instead of step, cast and multiply;
 *   LeakyReLU's (from its input, as tfjs) likewise instead of greater, multiply and select.
 *
 * `patchLayersBatchNorm` routes tfjs-layers' BatchNormalization through the kernel when training on a backend
 * that has it (channels last, with scale and centre); anything else takes tfjs-layers' own path. The moving
 * averages are updated exactly as tfjs-layers does. Kernels read and write the backends' storage directly:
 * float32 only.
 */
import { tf } from '../tf';
import { heapOffset, simdKernels, wasmScratch, type SimdKernels } from './simd/simd-kernels';

export const BATCH_NORM_TRAIN = 'DepthblocksBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'DepthblocksBatchNormTrainGrad';
export const ACTIVATION_GRAD = 'DepthblocksActivationGrad';
const BACKENDS = ['wasm', 'cpu'];

type TensorInfo = { dataId: object; shape: number[]; dtype: string };
type Backend = any;

const sizeOf = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Runs `fn` on Float32Array views of the inputs and of freshly allocated float32 outputs, on the wasm backend
 * (views into its heap, taken after every allocation) or the cpu backend (its typed arrays).
 */
function onStorage(
  backend: Backend,
  kernel: string,
  inputs: TensorInfo[],
  outShapes: number[][],
  fn: (ins: Float32Array[], outs: Float32Array[]) => void,
): TensorInfo[] {
  for (const t of inputs) {
    if (t.dtype !== 'float32') throw new Error(`${kernel}: float32 inputs only, got ${t.dtype}`);
  }
  if (backend.wasm) {
    const outs: TensorInfo[] = outShapes.map((s) => backend.makeOutput(s, 'float32'));
    const buf: ArrayBuffer = backend.wasm.HEAPU8.buffer;
    const view = (t: TensorInfo): Float32Array => new Float32Array(buf, heapOffset(backend, t), sizeOf(t.shape));
    fn(inputs.map(view), outs.map(view));
    return outs;
  }
  const ins = inputs.map((t) => backend.data.get(t.dataId).values as Float32Array);
  const outs = outShapes.map((s) => new Float32Array(sizeOf(s)));
  fn(ins, outs);
  return outShapes.map((s, i) => backend.makeTensorInfo(s, 'float32', outs[i]));
}

/** y = gamma * (x - mean) / sqrt(var + eps) + beta over the last axis; also returns mean and biased var. */
function batchNormTrainKernel({ inputs, backend, attrs }: { inputs: any; backend: Backend; attrs: any }): TensorInfo[] {
  const { x, scale, offset } = inputs as Record<string, TensorInfo>;
  const c = x.shape[x.shape.length - 1];
  const eps: number = attrs.varianceEpsilon;
  const simd = simdKernels(backend);
  if (simd && sizeOf(x.shape) > 0 && x.dtype === 'float32') return batchNormTrainSimd(backend, simd, x, scale, offset, eps);
  return onStorage(backend, BATCH_NORM_TRAIN, [x, scale, offset], [x.shape, [c], [c]], ([xs, g, b], [y, mean, variance]) => {
    const n = xs.length;
    const count = n / c;
    // one pass for sum and sum of squares, shifted by the first pixel's values so that a large mean does not
    // cancel the variance (float64 accumulators)
    const shift = xs.slice(0, c);
    const s = new Float64Array(c);
    const q = new Float64Array(c);
    for (let i = 0; i < n; i += c) {
      for (let k = 0; k < c; k++) {
        const d = xs[i + k] - shift[k];
        s[k] += d;
        q[k] += d * d;
      }
    }
    const a = new Float32Array(c);
    const sh = new Float32Array(c);
    for (let k = 0; k < c; k++) {
      const m = s[k] / count;
      const v = Math.max(q[k] / count - m * m, 0);
      mean[k] = m + shift[k];
      variance[k] = v;
      const ak = g[k] / Math.sqrt(v + eps);
      a[k] = ak;
      sh[k] = b[k] - mean[k] * ak;
    }
    for (let i = 0; i < n; i += c) for (let k = 0; k < c; k++) y[i + k] = xs[i + k] * a[k] + sh[k];
  });
}

/**
 * The full batch-norm gradient (through the batch statistics), per channel with P values each:
 * dbeta = sum(dy), dgamma = sum(dy * xhat), dx = gamma / sqrt(var + eps) * (dy - dbeta / P - xhat * dgamma / P).
 */
function batchNormTrainGradKernel({ inputs, backend, attrs }: { inputs: any; backend: Backend; attrs: any }): TensorInfo[] {
  const { dy, x, scale, mean, variance } = inputs as Record<string, TensorInfo>;
  const c = x.shape[x.shape.length - 1];
  const eps: number = attrs.varianceEpsilon;
  const simd = simdKernels(backend);
  if (simd && sizeOf(x.shape) > 0 && x.dtype === 'float32' && dy.dtype === 'float32') {
    return batchNormTrainGradSimd(backend, simd, dy, x, scale, mean, variance, eps);
  }
  return onStorage(
    backend,
    BATCH_NORM_TRAIN_GRAD,
    [dy, x, scale, mean, variance],
    [x.shape, [c], [c]],
    ([d, xs, g, m, v], [dx, dg, db]) => {
      const n = xs.length;
      const count = n / c;
      const sd = new Float64Array(c);
      const sdx = new Float64Array(c); // sum(dy * (x - mean))
      for (let i = 0; i < n; i += c) {
        for (let k = 0; k < c; k++) {
          const dk = d[i + k];
          sd[k] += dk;
          sdx[k] += dk * (xs[i + k] - m[k]);
        }
      }
      // dx = k1 * dy + k2 * (x - mean) + k3
      const k1 = new Float32Array(c);
      const k2 = new Float32Array(c);
      const k3 = new Float32Array(c);
      for (let k = 0; k < c; k++) {
        const inv = 1 / Math.sqrt(v[k] + eps);
        dg[k] = sdx[k] * inv;
        db[k] = sd[k];
        k1[k] = g[k] * inv;
        k2[k] = (-g[k] * inv * inv * inv * sdx[k]) / count;
        k3[k] = (-g[k] * inv * sd[k]) / count;
      }
      for (let i = 0; i < n; i += c) {
        for (let k = 0; k < c; k++) dx[i + k] = k1[k] * d[i + k] + k2[k] * (xs[i + k] - m[k]) + k3[k];
      }
    },
  );
}

/**
 * dx = dy where ref > 0, else alpha * dy (also where ref is NaN, as tfjs' own gradients): ReLU's gradient from
 * its output (alpha 0) and LeakyReLU's from its input.
 */
function activationGradKernel({ inputs, backend, attrs }: { inputs: any; backend: Backend; attrs: any }): TensorInfo {
  const { dy, ref } = inputs as Record<string, TensorInfo>;
  const alpha: number = attrs.alpha;
  const simd = simdKernels(backend);
  if (simd && dy.dtype === 'float32' && ref.dtype === 'float32') {
    const dx: TensorInfo = backend.makeOutput(ref.shape, 'float32');
    simd.activationGrad(heapOffset(backend, dy), heapOffset(backend, ref), heapOffset(backend, dx), sizeOf(ref.shape), alpha);
    return dx;
  }
  return onStorage(backend, ACTIVATION_GRAD, [dy, ref], [ref.shape], ([d, r], [dx]) => {
    // branch-free: 3.5x faster than a conditional on real activations (1.9 against 7 ns per value)
    for (let i = 0; i < r.length; i++) {
      const pos = +(r[i] > 0);
      dx[i] = d[i] * (pos + alpha * (1 - pos));
    }
  })[0];
}

// ---- wasm SIMD paths (simd/kernels.wat): the same arithmetic as the JS loops above, on the heap in place ----

function batchNormTrainSimd(
  backend: Backend,
  simd: SimdKernels,
  x: TensorInfo,
  scale: TensorInfo,
  offset: TensorInfo,
  eps: number,
): TensorInfo[] {
  const c = x.shape[x.shape.length - 1];
  const p = sizeOf(x.shape) / c;
  const y: TensorInfo = backend.makeOutput(x.shape, 'float32');
  const mean: TensorInfo = backend.makeOutput([c], 'float32');
  const variance: TensorInfo = backend.makeOutput([c], 'float32');
  const s = wasmScratch(backend, simd.memory, c, 2, 4); // f64: sum, sq; f32: shift, a, zero, d
  const buf = simd.memory.buffer;
  const view = (t: TensorInfo): Float32Array => new Float32Array(buf, heapOffset(backend, t), sizeOf(t.shape));
  new Float32Array(buf, s.f32[0], c).set(new Float32Array(buf, heapOffset(backend, x), c)); // shift = first pixel
  simd.bnStats(heapOffset(backend, x), p, c, s.f32[0], s.f64[0], s.f64[1]);
  const {
    f64: [sum, sq],
    f32: [shift, a, , d],
  } = s.views();
  const [g, b, m, v] = [view(scale), view(offset), view(mean), view(variance)];
  for (let k = 0; k < c; k++) {
    const mk = sum[k] / p;
    const vk = Math.max(sq[k] / p - mk * mk, 0);
    m[k] = mk + shift[k];
    v[k] = vk;
    a[k] = g[k] / Math.sqrt(vk + eps);
    d[k] = b[k] - m[k] * a[k];
  }
  simd.channelAffine2(heapOffset(backend, x), heapOffset(backend, x), heapOffset(backend, y), p, c, s.f32[1], s.f32[2], s.f32[3]);
  s.free();
  return [y, mean, variance];
}

function batchNormTrainGradSimd(
  backend: Backend,
  simd: SimdKernels,
  dy: TensorInfo,
  x: TensorInfo,
  scale: TensorInfo,
  mean: TensorInfo,
  variance: TensorInfo,
  eps: number,
): TensorInfo[] {
  const c = x.shape[x.shape.length - 1];
  const p = sizeOf(x.shape) / c;
  const dx: TensorInfo = backend.makeOutput(x.shape, 'float32');
  const dScale: TensorInfo = backend.makeOutput([c], 'float32');
  const dOffset: TensorInfo = backend.makeOutput([c], 'float32');
  const s = wasmScratch(backend, simd.memory, c, 2, 3); // f64: sum(dy), sum(dy * (x - mean)); f32: k1, k2, k3
  simd.bnGradSums(heapOffset(backend, dy), heapOffset(backend, x), p, c, heapOffset(backend, mean), s.f64[0], s.f64[1]);
  const buf = simd.memory.buffer;
  const view = (t: TensorInfo): Float32Array => new Float32Array(buf, heapOffset(backend, t), sizeOf(t.shape));
  const {
    f64: [sd, sdx],
    f32: [k1, k2, k3],
  } = s.views();
  const [g, m, v, dg, db] = [view(scale), view(mean), view(variance), view(dScale), view(dOffset)];
  for (let k = 0; k < c; k++) {
    // dx = k1 * dy + k2 * (x - mean) + k3' = k1 * dy + k2 * x + (k3' - k2 * mean)
    const inv = 1 / Math.sqrt(v[k] + eps);
    dg[k] = sdx[k] * inv;
    db[k] = sd[k];
    k1[k] = g[k] * inv;
    k2[k] = (-g[k] * inv * inv * inv * sdx[k]) / p;
    k3[k] = (-g[k] * inv * sd[k]) / p - k2[k] * m[k];
  }
  simd.channelAffine2(heapOffset(backend, dy), heapOffset(backend, x), heapOffset(backend, dx), p, c, s.f32[0], s.f32[1], s.f32[2]);
  s.free();
  return [dx, dScale, dOffset];
}

const hasKernel = (name: string): boolean => tf.getKernel(name, tf.getBackend()) != null;

/**
 * Training batch norm over the last axis: [y, batch mean, biased batch variance]. Gradients flow to x, gamma and
 * beta through the statistics. One kernel on wasm and cpu; elsewhere (tfjs-node, webgl) tf.moments + tf.batchNorm.
 *
 * @example
 * const [y, mean, variance] = batchNormTrain(x, gamma, beta, 1e-3);
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): [tf.Tensor, tf.Tensor, tf.Tensor] {
  if (x.dtype === 'float32' && x.rank >= 1 && hasKernel(BATCH_NORM_TRAIN)) {
    return tf.engine().runKernel(BATCH_NORM_TRAIN, { x, scale: gamma, offset: beta }, { varianceEpsilon: epsilon } as any) as any;
  }
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, x.shape.map((_, i) => i).slice(0, -1));
    return [tf.batchNorm(x, mean, variance, beta, gamma, epsilon), mean, variance];
  }) as [tf.Tensor, tf.Tensor, tf.Tensor];
}

const batchNormTrainGrad: tf.GradConfig = {
  kernelName: BATCH_NORM_TRAIN,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: any) => {
    const [x, scale, mean, variance] = saved;
    const dy = (dys as tf.Tensor[])[0];
    const [dx, dScale, dOffset] = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, { dy, x, scale, mean, variance }, attrs) as tf.Tensor[];
    return { x: () => dx, scale: () => dScale, offset: () => dOffset };
  },
};

function activationGrad(dy: tf.Tensor, ref: tf.Tensor, alpha: number): tf.Tensor {
  if (hasKernel(ACTIVATION_GRAD)) return tf.engine().runKernel(ACTIVATION_GRAD, { dy, ref }, { alpha } as any) as tf.Tensor;
  return alpha === 0 ? tf.mul(dy, tf.step(ref)) : tf.where(tf.greater(ref, 0), dy, tf.mul(dy, alpha));
}

/** ReLU's gradient from its output (y > 0 exactly where x > 0), so the pre-activation tensor need not be kept. */
const reluGrad: tf.GradConfig = {
  kernelName: 'Relu',
  outputsToSave: [true],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => ({ x: () => activationGrad(dy as tf.Tensor, saved[0], 0) }),
};

/** LeakyReLU's gradient as tfjs defines it (from the input), in one kernel instead of greater, multiply, select. */
const leakyReluGrad: tf.GradConfig = {
  kernelName: 'LeakyRelu',
  inputsToSave: ['x'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: any) => ({
    x: () => activationGrad(dy as tf.Tensor, saved[0], attrs.alpha),
  }),
};

type LayerVariable = { read(): tf.Tensor; write(v: tf.Tensor): void };
type BatchNormLayer = {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: LayerVariable;
  beta: LayerVariable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
};

let registered = false;

/**
 * Registers the kernels (wasm and cpu), their gradients, and routes tfjs-layers' BatchNormalization through
 * them when training. Idempotent; called when core is imported.
 */
export function registerBatchNormTraining(): void {
  if (registered) return;
  registered = true;
  for (const backendName of BACKENDS) {
    tf.registerKernel({ kernelName: BATCH_NORM_TRAIN, backendName, kernelFunc: batchNormTrainKernel as any });
    tf.registerKernel({ kernelName: BATCH_NORM_TRAIN_GRAD, backendName, kernelFunc: batchNormTrainGradKernel as any });
    tf.registerKernel({ kernelName: ACTIVATION_GRAD, backendName, kernelFunc: activationGradKernel as any });
  }
  tf.registerGradient(batchNormTrainGrad);
  const warn = console.warn;
  console.warn = () => undefined; // tfjs warns "Overriding the gradient for ..."
  try {
    tf.registerGradient(reluGrad);
    tf.registerGradient(leakyReluGrad);
  } finally {
    console.warn = warn;
  }

  const proto = Object.getPrototypeOf(tf.layers.batchNormalization({}));
  const original = proto.call as (this: BatchNormLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: any) => tf.Tensor;
  proto.call = function (this: BatchNormLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: any): tf.Tensor {
    const x = Array.isArray(inputs) && inputs.length === 1 ? inputs[0] : inputs;
    const usable =
      kwargs?.training === true &&
      x instanceof tf.Tensor &&
      x.dtype === 'float32' &&
      x.rank >= 2 &&
      (this.axis === -1 || this.axis === x.rank - 1) &&
      this.scale &&
      this.center &&
      hasKernel(BATCH_NORM_TRAIN); // elsewhere tfjs-layers' own path is as good
    if (!usable) return original.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const [y, mean, variance] = batchNormTrain(x, this.gamma.read(), this.beta.read(), this.epsilon);
      // as tfjs-layers: moving <- moving - (moving - batch) * (1 - momentum)
      for (const [v, batch] of [
        [this.movingMean, mean],
        [this.movingVariance, variance],
      ] as const) {
        tf.tidy(() => {
          const old = v.read();
          v.write(tf.sub(old, tf.mul(tf.sub(old, batch), 1 - this.momentum)));
        });
      }
      return y;
    });
  };
}
