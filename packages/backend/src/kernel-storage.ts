/**
 * Float32Array views of a kernel's inputs and of freshly allocated outputs, on the wasm backend (views into its
 * heap, taken after every allocation) or the cpu backend (its typed arrays): for kernels written as loops.
 */
import { heapOffset } from './simd/simd-kernels';

export type TensorInfo = { dataId: object; shape: number[]; dtype: string };
export type Backend = any;

export const sizeOf = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Runs `fn` on Float32Array views of the inputs and of freshly allocated float32 outputs, on the wasm backend
 * (views into its heap, taken after every allocation) or the cpu backend (its typed arrays).
 */
export function onStorage(
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
