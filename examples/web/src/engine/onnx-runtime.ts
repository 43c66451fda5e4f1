/**
 * The ONNX runtime of the app: the loaded model exported with models' `exportOnnx` and run by onnxruntime-web
 * (WebGPU where the browser gives an adapter, else wasm), through models' `loadOnnxModel(bytes, { ort })`; the
 * worker then calls the same `predictImage` as on TensorFlow.js. The worker imports this module lazily, so
 * onnxruntime-web and its .wasm (served by the app: vite copies them into the build) load only when asked for.
 */
import { exportOnnx, loadOnnxModel, type DepthModel, type OnnxModel, type OrtModule } from '@depthblocks/models';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';

/** 'auto': WebGPU when `navigator.gpu` gives an adapter, else wasm. */
export type OnnxProviderChoice = 'auto' | 'webgpu' | 'wasm';

/** An exported model in an onnxruntime-web session, and what it runs on. */
export interface OnnxSession {
  model: OnnxModel;
  /** The execution provider the session runs on. */
  provider: 'webgpu' | 'wasm';
  /** wasm threads (1 unless the page is cross-origin isolated). */
  threads: number;
  /** onnxruntime-web's version. */
  version: string;
  /** Bytes of the exported .onnx and milliseconds of export + session creation. */
  bytes: number;
  ms: number;
  /** Why this provider (e.g. 'no WebGPU adapter'). */
  reason: string;
}

let ortModule: Promise<typeof import('onnxruntime-web')> | null = null;

/** onnxruntime-web, configured once: its .wasm and glue from the app's own files; threads only when isolated. */
function loadOrt(): Promise<typeof import('onnxruntime-web')> {
  return (ortModule ??= import('onnxruntime-web').then((ort) => {
    ort.env.wasm.wasmPaths = { mjs: new URL(ortMjsUrl, import.meta.url).href, wasm: new URL(ortWasmUrl, import.meta.url).href };
    ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
    return ort;
  }));
}

/** 'webgpu' when asked (or 'auto') and the browser gives a WebGPU adapter, else 'wasm', with the reason. */
async function chooseProvider(choice: OnnxProviderChoice): Promise<{ provider: 'webgpu' | 'wasm'; reason: string }> {
  if (choice === 'wasm') return { provider: 'wasm', reason: 'wasm asked for' };
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  if (adapter) return { provider: 'webgpu', reason: 'a WebGPU adapter is available' };
  return { provider: 'wasm', reason: gpu ? 'no WebGPU adapter' : 'no WebGPU in this browser' };
}

/**
 * Exports `dm` to ONNX and opens it in onnxruntime-web.
 *
 * @example
 * const s = await openOnnx(dm, 'auto'); // { provider: 'wasm', reason: 'no WebGPU adapter', ... }
 * const { depth } = await predictImage(s.model, image);
 */
export async function openOnnx(dm: DepthModel, choice: OnnxProviderChoice): Promise<OnnxSession> {
  const t0 = performance.now();
  const [ort, { provider, reason }] = await Promise.all([loadOrt(), chooseProvider(choice)]);
  const exported = await exportOnnx(dm);
  const model = await loadOnnxModel(exported, {
    ort: ort as unknown as OrtModule,
    executionProviders: [provider],
    // errors only (3): ORT's warnings go to console.error, e.g. "some nodes were not assigned to the preferred
    // execution providers", which the WebGPU EP reports for the shape ops it leaves to the CPU on purpose
    sessionOptions: { logSeverityLevel: 3 },
  });
  return {
    model,
    provider,
    threads: ort.env.wasm.numThreads ?? 1,
    version: ort.env.versions.web ?? ort.env.versions.common,
    bytes: exported.model.byteLength,
    ms: performance.now() - t0,
    reason,
  };
}
