/**
 * Patch `resizeBilinearGrad`: ResizeBilinearGrad for the cpu, wasm and webgl backends (tfjs 4.22 has a bug in each):
 * - cpu returns the gradient with height and width swapped for non-square images;
 * - wasm and webgl ignore halfPixelCenters (the sampling TF2 and PyTorch's align_corners=False use).
 * This one mirrors the forward kernels' sampling exactly and scatters dy back (webgl: a GPU program that gathers,
 * in resize-bilinear-grad-webgl.ts).
 */
import { EXACT_KERNEL } from '@depthblocks/core';
import type { Patch } from '../patch';
import { heapOffset, simdKernels, type SimdKernels } from '../simd/simd-kernels';
import { resizeBilinearGradProgram } from './resize-bilinear-grad-webgl';

/** Per output index along one axis: the two input indices the forward kernel reads and the weight of the second. */
function samples(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): [number, number, number][] {
  const r = alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
  return Array.from({ length: outSize }, (_, i) => {
    const src = halfPixelCenters ? r * (i + 0.5) - 0.5 : r * i;
    const lo = Math.max(0, Math.floor(src));
    const hi = Math.min(inSize - 1, Math.ceil(src));
    return [lo, hi, src - lo];
  });
}

/** The gradient of bilinear resize w.r.t. its input, for dy of shape [N, outH, outW, C]. */
export function resizeBilinearGradValues(
  dy: Float32Array,
  inShape: number[],
  dyShape: number[],
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Float32Array {
  const [n, inH, inW, c] = inShape;
  const [, outH, outW] = dyShape;
  const out = new Float32Array(n * inH * inW * c);
  const rows = samples(inH, outH, alignCorners, halfPixelCenters);
  const cols = samples(inW, outW, alignCorners, halfPixelCenters);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < outH; y++) {
      const [top, bottom, fy] = rows[y];
      for (let x = 0; x < outW; x++) {
        const [left, right, fx] = cols[x];
        const o = ((b * outH + y) * outW + x) * c;
        const tl = ((b * inH + top) * inW + left) * c;
        const tr = ((b * inH + top) * inW + right) * c;
        const bl = ((b * inH + bottom) * inW + left) * c;
        const br = ((b * inH + bottom) * inW + right) * c;
        for (let k = 0; k < c; k++) {
          const g = dy[o + k];
          out[tl + k] += g * (1 - fy) * (1 - fx);
          out[tr + k] += g * (1 - fy) * fx;
          out[bl + k] += g * fy * (1 - fx);
          out[br + k] += g * fy * fx;
        }
      }
    }
  }
  return out;
}

/** The same on the wasm heap with simd/kernels.wat (about 10x faster). */
function resizeBilinearGradSimd(
  backend: any,
  simd: SimdKernels,
  images: any,
  dy: any,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): any {
  const [n, inH, inW, c] = images.shape as number[];
  const [, outH, outW] = dy.shape as number[];
  const out = backend.makeOutput(images.shape, 'float32');
  const tables = backend.wasm._malloc(12 * (outH + outW) + 16) >>> 0; // malloc returns an i32: above 2 GB negative
  const base = Math.ceil(tables / 4) * 4;
  const buf = simd.memory.buffer; // after the allocations
  new Float32Array(buf, heapOffset(backend, out), n * inH * inW * c).fill(0);
  const fill = (at: number, entries: [number, number, number][]): void => {
    const i32 = new Int32Array(buf, at, entries.length * 3);
    const f32 = new Float32Array(buf, at, entries.length * 3);
    entries.forEach(([lo, hi, f], k) => {
      i32[3 * k] = lo;
      i32[3 * k + 1] = hi;
      f32[3 * k + 2] = f;
    });
  };
  fill(base, samples(inH, outH, alignCorners, halfPixelCenters));
  fill(base + 12 * outH, samples(inW, outW, alignCorners, halfPixelCenters));
  simd.resizeBilinearGrad(heapOffset(backend, dy), heapOffset(backend, out), n, outH, outW, inH, inW, c, base, base + 12 * outH);
  backend.wasm._free(tables);
  return out;
}

function kernelFor(backendName: 'cpu' | 'wasm') {
  return ({ inputs, backend, attrs }: { inputs: any; backend: any; attrs: any }): any => {
    const { images, dy } = inputs;
    const simd = backendName === 'wasm' && dy.dtype === 'float32' ? simdKernels(backend) : null;
    if (simd) return resizeBilinearGradSimd(backend, simd, images, dy, attrs.alignCorners, attrs.halfPixelCenters);
    const values = resizeBilinearGradValues(
      backend.readSync(dy.dataId) as Float32Array,
      images.shape,
      dy.shape,
      attrs.alignCorners,
      attrs.halfPixelCenters,
    );
    if (backendName === 'wasm') return backend.makeOutput(images.shape, 'float32', undefined, values);
    return { dataId: backend.write(values, images.shape, 'float32'), shape: images.shape, dtype: 'float32' };
  };
}

/** The webgl kernel: the gradient program on the GPU. */
function webglKernel({ inputs, backend, attrs }: { inputs: any; backend: any; attrs: any }): any {
  const { images, dy } = inputs;
  const program = resizeBilinearGradProgram(dy.shape, images.shape, attrs.alignCorners, attrs.halfPixelCenters);
  return backend.runWebGLProgram(program, [dy], 'float32');
}

/** The patch: the kernel on cpu, wasm and webgl, marked exact (core's exactResizeBilinearGrad reads the mark). */
export const resizeBilinearGrad: Patch = {
  name: 'resizeBilinearGrad',
  tfjs: ['tfjs-core', 'tfjs-backend-cpu', 'tfjs-backend-wasm', 'tfjs-backend-webgl'],
  apply(c) {
    for (const backendName of ['cpu', 'wasm'] as const) {
      const kernelFunc = Object.assign(kernelFor(backendName), { [EXACT_KERNEL]: true });
      c.kernel({ kernelName: 'ResizeBilinearGrad', backendName, kernelFunc: kernelFunc as any });
    }
    const webgl = Object.assign(webglKernel, { [EXACT_KERNEL]: true });
    c.kernel({ kernelName: 'ResizeBilinearGrad', backendName: 'webgl', kernelFunc: webgl as any });
  },
};
