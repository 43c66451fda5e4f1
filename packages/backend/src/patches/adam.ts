/**
 * Patch `simdAdam`: the kernel `DepthblocksAdamUpdate` on wasm, one pass of simd/kernels.wat over a variable's
 * weights, gradient and moments instead of about ten elementwise kernels that each read and write whole arrays
 * (DenseDepth-169's 42.6 M weights: about 30 ms a step). Its contract (inputs, outputs, attrs) is core's
 * `BackendKernels.adamUpdate` / `AdamUpdateAttrs`; the optimizer (`@depthblocks/models`) calls it where it is
 * registered and uses tf ops elsewhere. Registered only where the SIMD module compiled.
 *
 * The kernel is pure: it writes new tensors for the weights and both moments (the optimizer assigns them), so no
 * tensor changes in place (the wasm backend caches convolution operators with packed weights per weight tensor).
 */
import { BackendKernels, DepthblocksError, type AdamUpdateAttrs } from '@depthblocks/core';
import type { Patch } from '../patch';
import { sizeOf, type Backend, type TensorInfo } from '../kernel-storage';
import { heapOffset, simdKernels } from '../simd/simd-kernels';

function adamUpdateKernel({ inputs, backend, attrs }: { inputs: any; backend: Backend; attrs: any }): TensorInfo[] {
  const { w, g, m, v } = inputs as Record<'w' | 'g' | 'm' | 'v', TensorInfo>;
  const p = attrs as AdamUpdateAttrs;
  const n = sizeOf(w.shape);
  for (const [name, t] of Object.entries({ w, g, m, v })) {
    if (t.dtype !== 'float32' || sizeOf(t.shape) !== n) {
      throw new DepthblocksError(
        'SHAPE_MISMATCH',
        `${BackendKernels.adamUpdate}: ${name} must be float32 with ${n} values like w, got ${t.dtype} [${t.shape.join(', ')}]`,
      );
    }
  }
  const simd = simdKernels(backend);
  if (!simd) {
    throw new DepthblocksError(
      'BACKEND_UNAVAILABLE',
      `${BackendKernels.adamUpdate}: the SIMD module is not ready for this wasm backend instance; ` +
        "call `await install()` (or setupBackend) after tf.setBackend('wasm')",
    );
  }
  const next: TensorInfo = backend.makeOutput(w.shape, 'float32');
  const mOut: TensorInfo = backend.makeOutput(w.shape, 'float32');
  const vOut: TensorInfo = backend.makeOutput(w.shape, 'float32');
  const off = (t: TensorInfo): number => heapOffset(backend, t); // after the allocations (the heap may move)
  simd.adam(
    off(w),
    off(g),
    off(m),
    off(v),
    off(mOut),
    off(vOut),
    off(next),
    n,
    p.beta1,
    p.beta2,
    p.lrCorrected,
    p.invCorrection2,
    p.epsilon,
    p.l2,
    p.shrink,
  );
  return [next, mOut, vOut];
}

/** The patch: the kernel on wasm, where the SIMD module compiled. */
export const simdAdam: Patch = {
  name: 'simdAdam',
  tfjs: ['tfjs-core', 'tfjs-backend-wasm'],
  apply(c, ctx) {
    if (ctx.simd) c.kernel({ kernelName: BackendKernels.adamUpdate, backendName: 'wasm', kernelFunc: adamUpdateKernel as any });
  },
};
