/**
 * Patch `batchNormKernels`: training-mode batch normalisation as single kernels on the wasm and cpu backends, with
 * its gradient (core's `batchNormTrain` uses them when they are registered).
 *
 * tfjs-layers normalises a batch in training with `tf.moments` then `tf.batchNorm`: six kernels forward, about
 * twenty backward, and it keeps three full-size tensors per layer for backprop (the input, `x - mean` saved by
 * the square, the normalised output saved by the ReLU after it). Here:
 * - `DepthblocksBatchNormTrain` computes y, the batch mean and the (biased) batch variance in three passes over
 *   x, and keeps only x for backprop;
 * - `DepthblocksBatchNormTrainGrad` computes dx, dgamma and dbeta in two passes.
 * Kernels read and write the backends' storage directly: float32 only. On wasm they use the SIMD module
 * (simd/kernels.wat) where it is ready, else JS loops with the same arithmetic.
 */
import { BackendKernels, tf } from '@depthblocks/core';
import type { Patch } from '../patch';
import { onStorage, sizeOf, type Backend, type TensorInfo } from '../kernel-storage';
import { heapOffset, simdKernels, wasmScratch, type SimdKernels } from '../simd/simd-kernels';

const BATCH_NORM_TRAIN = BackendKernels.batchNormTrain;
const BATCH_NORM_TRAIN_GRAD = BackendKernels.batchNormTrainGrad;

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

// ---- wasm SIMD paths (simd/kernels.wat): the same arithmetic as the JS loops above ----

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

/** The patch: both kernels on wasm and cpu, and the forward kernel's gradient. */
export const batchNormKernels: Patch = {
  name: 'batchNormKernels',
  tfjs: ['tfjs-core', 'tfjs-backend-cpu', 'tfjs-backend-wasm'],
  apply(c) {
    for (const backendName of ['wasm', 'cpu']) {
      c.kernel({ kernelName: BATCH_NORM_TRAIN, backendName, kernelFunc: batchNormTrainKernel as any });
      c.kernel({ kernelName: BATCH_NORM_TRAIN_GRAD, backendName, kernelFunc: batchNormTrainGradKernel as any });
    }
    c.gradient(batchNormTrainGrad);
  },
};
