/**
 * The kernels `@depthblocks/backend` registers, as core's portable ops and the models' optimizer see them.
 *
 * Core itself registers nothing. Its ops ask whether a kernel is registered for the active backend and use it
 * when it is, else they compose the same result from standard tf ops. The names and contracts below are the
 * interface between the two packages.
 */
import { tf } from './tf';

/**
 * Kernel names and contracts (inputs -> outputs; attrs):
 * - `batchNormTrain`: `{ x, scale, offset }` -> `[y, mean, variance]` over the last axis, biased variance;
 *   attrs `{ varianceEpsilon }`. Differentiable (the backend registers its gradient).
 * - `batchNormTrainGrad`: `{ dy, x, scale, mean, variance }` -> `[dx, dScale, dOffset]`; attrs `{ varianceEpsilon }`.
 * - `activationGrad`: `{ dy, ref }` -> `dx = ref > 0 ? dy : alpha * dy`; attrs `{ alpha }`.
 * - `adamUpdate`: `{ w, g, m, v }` -> `[w', m', v']`, one Adam / AdamW step (see {@link AdamUpdateAttrs}).
 */
export const BackendKernels = {
  batchNormTrain: 'DepthblocksBatchNormTrain',
  batchNormTrainGrad: 'DepthblocksBatchNormTrainGrad',
  activationGrad: 'DepthblocksActivationGrad',
  adamUpdate: 'DepthblocksAdamUpdate',
} as const;

/**
 * Attributes of the `adamUpdate` kernel, bias corrections folded in. With g' = g + l2 * w:
 * m' = beta1 * m + (1 - beta1) * g'; v' = beta2 * v + (1 - beta2) * g'^2;
 * w' = w * shrink - lrCorrected * m' / (sqrt(v' * invCorrection2) + epsilon).
 */
export interface AdamUpdateAttrs {
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
 * Property the backend sets to `true` on a kernel function that replaces one of tfjs' kernels with an exact
 * one (tfjs 4.22's cpu ResizeBilinearGrad swaps height and width; the wasm one ignores halfPixelCenters).
 */
export const EXACT_KERNEL = 'depthblocksExact';

/**
 * Whether `kernelName` is registered for a backend (default: the active one).
 *
 * @example
 * if (hasKernel(BackendKernels.adamUpdate)) console.log('one-kernel Adam available');
 */
export function hasKernel(kernelName: string, backendName: string = tf.getBackend()): boolean {
  return tf.getKernel(kernelName, backendName) != null;
}

/**
 * Whether the registered `kernelName` kernel for a backend is one `@depthblocks/backend` marked exact
 * (see {@link EXACT_KERNEL}).
 *
 * @example
 * hasExactKernel('ResizeBilinearGrad', 'cpu'); // true once the backend's resizeBilinearGrad patch is installed
 */
export function hasExactKernel(kernelName: string, backendName: string = tf.getBackend()): boolean {
  const k = tf.getKernel(kernelName, backendName);
  return k != null && (k.kernelFunc as unknown as Record<string, unknown>)[EXACT_KERNEL] === true;
}
