/** Whether `tf.image.resizeBilinear`'s gradient can be trusted on a backend. */
import { hasExactKernel } from '../backend-kernels';
import { tf } from '../tf';

/**
 * Whether tf.image.resizeBilinear has an exact gradient on the backend (default: the active one): TensorFlow's
 * native kernel, or a cpu / wasm / webgl kernel `@depthblocks/backend` installed (tfjs 4.22's own are wrong: cpu
 * swaps height and width, wasm and webgl ignore halfPixelCenters). Decoders use the resize op where this is true and matrix
 * products elsewhere.
 *
 * @example
 * const upsample = exactResizeBilinearGrad() ? 'resize op' : 'matrix products';
 */
export function exactResizeBilinearGrad(backendName: string = tf.getBackend()): boolean {
  if (backendName === 'tensorflow') return true;
  return hasExactKernel('ResizeBilinearGrad', backendName);
}
