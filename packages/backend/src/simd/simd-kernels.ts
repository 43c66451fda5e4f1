/**
 * A small WebAssembly SIMD module (kernels.wat) instantiated on the tfjs wasm backend's own memory, so that it
 * works on tensors' storage in place. tfjs' own elementwise kernels are scalar C++ (about 4.7 ns per value for
 * its batch norm on this machine), and JS loops over the heap take 1.6-2 ns per value and pass; these take
 * a fraction of that. Null where the module cannot be used (no SIMD, memory not reachable, not compiled yet):
 * callers fall back to JS loops.
 *
 * The module is compiled asynchronously (browsers refuse synchronous compilation of modules over 4 KB on the
 * main thread) by {@link compileSimdModules}, which install() awaits, and instantiated per wasm backend
 * instance by {@link prepareSimdKernels} (setupBackend awaits it) or, failing that, on first use.
 */
import { PLAIN_MEMORY_WASM, SHARED_MEMORY_WASM } from './kernels-wasm';

export interface SimdKernels {
  /** The memory the kernels work on (the backend's heap): take views from memory.buffer after allocations. */
  memory: WebAssembly.Memory;
  /** sum[k] += x - shift[k]; sq[k] += (x - shift[k])^2 (float64 sums) over p pixels of c channels. */
  bnStats(x: number, p: number, c: number, shift: number, sum: number, sq: number): void;
  /** sd[k] += dy; sdx[k] += dy * (x - mean[k]) (float64 sums). */
  bnGradSums(dy: number, x: number, p: number, c: number, mean: number, sd: number, sdx: number): void;
  /** out = a[k] * u + b[k] * v + d[k] (float32, per channel k). */
  channelAffine2(u: number, v: number, out: number, p: number, c: number, a: number, b: number, d: number): void;
  /** dx = ref > 0 ? dy : alpha * dy over n values (ReLU: ref = output, alpha = 0; LeakyReLU: ref = input). */
  activationGrad(dy: number, ref: number, dx: number, n: number, alpha: number): void;
  /** Adam / AdamW over n values (see kernels.wat): the new moments into mOut and vOut, the new weights into out. */
  adam(
    w: number,
    g: number,
    m: number,
    v: number,
    mOut: number,
    vOut: number,
    out: number,
    n: number,
    b1: number,
    b2: number,
    lrc: number,
    ic2: number,
    eps: number,
    l2: number,
    shrink: number,
  ): void;
  /** p rows of `bytes` bytes: dst + r * dstStride <- src + r * srcStride (byte offsets and strides). */
  copyRows(src: number, dst: number, p: number, srcStride: number, dstStride: number, bytes: number): void;
  /** Bilinear resize gradient into a zeroed out; rows/cols: per output row/column {i32, i32, f32} tables. */
  resizeBilinearGrad(
    dy: number,
    out: number,
    n: number,
    oh: number,
    ow: number,
    ih: number,
    iw: number,
    c: number,
    rows: number,
    cols: number,
  ): void;
  /** Depthwise filter gradient, multiplier 1: out [KH*KW, C] (zeroed) += padded x at each tap times dy. */
  depthwiseFilterGrad(
    x: number,
    dy: number,
    out: number,
    n: number,
    hp: number,
    wp: number,
    c: number,
    oh: number,
    ow: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    dh: number,
    dw: number,
  ): void;
  /** Adds patch rows [r0, r0 + rows) of cols [rows, KH*KW*C] back into out [N, H, W, C] (col2im). */
  col2im(
    cols: number,
    out: number,
    r0: number,
    rows: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    top: number,
    left: number,
  ): void;
}

const cache = new WeakMap<object, SimdKernels | null>();

/** Byte offset of a tensor's storage in the wasm backend's heap (what the kernels take as a pointer). */
export function heapOffset(backend: any, t: { dataId: object }): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset as number;
}

function decode(base64: string): Uint8Array<ArrayBuffer> {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(base64, 'base64'));
  const s = atob(base64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

type Variant = 'shared' | 'plain';
const modules: Partial<Record<Variant, WebAssembly.Module>> = {};
let compiling: Promise<boolean> | null = null;

/**
 * Compiles both variants of the module (shared memory for tfjs' threaded build, plain for the single-threaded
 * one), asynchronously, once. Resolves true if at least one compiled (the runtime has wasm SIMD).
 */
export function compileSimdModules(): Promise<boolean> {
  compiling ??= (async () => {
    const compile = async (variant: Variant, base64: string): Promise<void> => {
      try {
        modules[variant] = await WebAssembly.compile(decode(base64));
      } catch {
        // no wasm SIMD (or no threads, for the shared variant): the callers use JS loops
      }
    };
    await Promise.all([compile('shared', SHARED_MEMORY_WASM), compile('plain', PLAIN_MEMORY_WASM)]);
    return modules.shared != null || modules.plain != null;
  })();
  return compiling;
}

/** The backend's heap and the module variant that imports it, or null. */
function target(backend: any): { memory: WebAssembly.Memory; module: WebAssembly.Module } | null {
  const memory: WebAssembly.Memory | undefined = backend?.wasm?.wasmMemory ?? backend?.wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const module = modules[shared ? 'shared' : 'plain'];
  return module ? { memory, module } : null;
}

function wrap(e: any, memory: WebAssembly.Memory): SimdKernels {
  return {
    memory,
    bnStats: e.bn_stats,
    bnGradSums: e.bn_grad_sums,
    channelAffine2: e.channel_affine2,
    activationGrad: e.act_grad,
    col2im: e.col2im,
    adam: e.adam,
    copyRows: e.copy_rows,
    resizeBilinearGrad: e.resize_bilinear_grad,
    depthwiseFilterGrad: e.depthwise_filter_grad,
  };
}

/**
 * Compiles (if needed) and instantiates the kernels for a wasm backend instance, asynchronously; later
 * {@link simdKernels} calls return them at once. Null where they cannot run.
 */
export async function prepareSimdKernels(backend: any): Promise<SimdKernels | null> {
  if (!backend?.wasm) return null;
  if (cache.has(backend)) return cache.get(backend) ?? null;
  await compileSimdModules();
  const t = target(backend);
  let kernels: SimdKernels | null = null;
  if (t) {
    try {
      const instance = await WebAssembly.instantiate(t.module, { env: { memory: t.memory } });
      kernels = wrap(instance.exports, t.memory);
    } catch {
      kernels = null;
    }
  }
  cache.set(backend, kernels);
  return kernels;
}

/**
 * The kernels for a tfjs wasm backend instance, or null (then use JS loops). Instantiates synchronously from the
 * compiled module where {@link prepareSimdKernels} has not run for this instance; before the module is compiled,
 * null.
 */
export function simdKernels(backend: any): SimdKernels | null {
  if (!backend?.wasm) return null;
  if (cache.has(backend)) return cache.get(backend) ?? null;
  const t = target(backend);
  if (!t) return null; // not compiled yet: do not cache, it may be later
  let kernels: SimdKernels | null = null;
  try {
    kernels = wrap(new WebAssembly.Instance(t.module, { env: { memory: t.memory } }).exports, t.memory);
  } catch {
    kernels = null;
  }
  cache.set(backend, kernels);
  return kernels;
}

/**
 * Scratch memory on the wasm heap for per-channel values: `f64` and `f32` arrays of `c` values each, 16-byte
 * aligned, zero-filled. Call `views()` after every allocation (the heap may have moved) and `free()` at the end.
 */
export function wasmScratch(backend: any, memory: WebAssembly.Memory, c: number, f64Arrays: number, f32Arrays: number) {
  const wasm = backend.wasm;
  const stride64 = Math.ceil((c * 8) / 16) * 16;
  const stride32 = Math.ceil((c * 4) / 16) * 16;
  const bytes = stride64 * f64Arrays + stride32 * f32Arrays;
  const raw: number = wasm._malloc(bytes + 16) >>> 0; // malloc returns an i32: above 2 GB negative
  const base = Math.ceil(raw / 16) * 16;
  new Uint8Array(memory.buffer, base, bytes).fill(0);
  const f64 = Array.from({ length: f64Arrays }, (_, i) => base + i * stride64);
  const f32 = Array.from({ length: f32Arrays }, (_, i) => base + f64Arrays * stride64 + i * stride32);
  return {
    f64,
    f32,
    views(): { f64: Float64Array[]; f32: Float32Array[] } {
      const buf = memory.buffer;
      return { f64: f64.map((p) => new Float64Array(buf, p, c)), f32: f32.map((p) => new Float32Array(buf, p, c)) };
    },
    free(): void {
      wasm._free(raw);
    },
  };
}
