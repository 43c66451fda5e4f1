/**
 * Direct access to a float32 tensor's storage on the wasm and cpu backends, for fused updates that would
 * otherwise take many elementwise kernels (the optimizer's per-variable update). Only when it is safe: the
 * tensor's data lives on the active backend and no other tensor shares it. Otherwise null, and the caller
 * uses tf ops instead.
 */
import { tf } from '../tf';
import { heapOffset, simdKernels } from './simd/simd-kernels';

/**
 * A Float32Array view of `t`'s storage, or null (native backend, other dtype, shared or foreign data).
 * `writable: true` also requires that no other tensor shares the data. Do not call tf between taking views
 * and using them (the wasm heap may move when it grows).
 *
 * @example
 * const w = tensorStorage(variable, true);
 * if (w) for (let i = 0; i < w.length; i++) w[i] *= 0.5; // in place
 */
export function tensorStorage(t: tf.Tensor, writable = false): Float32Array | null {
  if (t.dtype !== 'float32' || t.isDisposed) return null;
  const engine = tf.engine() as any;
  const backend = engine.backend as any;
  const info = engine.state?.tensorInfo?.get(t.dataId);
  if (!info || info.backend !== backend) return null;
  const name = tf.getBackend();
  if (writable && typeof backend.refCount === 'function' && backend.refCount(t.dataId) !== 1) return null;
  if (name === 'wasm') {
    const d = backend.dataIdMap?.get(t.dataId);
    if (!d || typeof d.memoryOffset !== 'number') return null;
    return new Float32Array(backend.wasm.HEAPU8.buffer, d.memoryOffset, t.size);
  }
  if (name === 'cpu') {
    const values = backend.data?.get(t.dataId)?.values;
    return values instanceof Float32Array && values.length === t.size ? values : null;
  }
  return null;
}

/** Hyper-parameters of one Adam / AdamW step, bias corrections folded in (see {@link simdAdamUpdate}). */
export interface AdamStep {
  beta1: number;
  beta2: number;
  /** lr / (1 - beta1^t) */
  lrCorrected: number;
  /** 1 / (1 - beta2^t) */
  invCorrection2: number;
  epsilon: number;
  /** L2 penalty added to the gradient (Adam's weight decay; 0 for AdamW) */
  l2: number;
  /** weight multiplier (AdamW: 1 - lr * decay; else 1) */
  shrink: number;
}

/**
 * One Adam / AdamW step of a variable with wasm SIMD (about 10x faster than a JS loop over the heap): updates
 * the moments m and v in place and writes the new weights into `next`. All five tensors must be float32 on the
 * active wasm backend, and m, v and next unshared (see tensorStorage). Returns false, doing nothing, where
 * that does not hold or SIMD is unavailable: the caller then updates in JS or with tf ops.
 *
 * @example
 * if (!simdAdamUpdate(w, g, m, v, next, step)) jsUpdate();
 */
export function simdAdamUpdate(w: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, next: tf.Tensor, p: AdamStep): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  const backend = (tf.engine() as any).backend;
  const simd = simdKernels(backend);
  if (!simd) return false;
  if (!tensorStorage(w) || !tensorStorage(g) || !tensorStorage(m, true) || !tensorStorage(v, true) || !tensorStorage(next, true))
    return false;
  const n = w.size;
  if (g.size !== n || m.size !== n || v.size !== n || next.size !== n) return false;
  const off = (t: tf.Tensor): number => heapOffset(backend, t);
  simd.adam(off(w), off(g), off(m), off(v), off(next), n, p.beta1, p.beta2, p.lrCorrected, p.invCorrection2, p.epsilon, p.l2, p.shrink);
  return true;
}
