/**
 * The engine's TensorFlow.js backend: setupBackend from @depthblocks/backend, with tfjs-backend-wasm's .wasm files
 * served by the app (vite copies them into the build and gives their URLs) and, where the browser has WebGPU,
 * tfjs' webgpu backend loaded first (its own chunk, fetched only then).
 */
import { setupBackend } from '@depthblocks/backend';
import { tf } from '@depthblocks/core';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendChoice, EngineInfo } from './protocol';

/** The .wasm files by the names tfjs-backend-wasm asks for (absolute URLs: the worker's base is its own chunk). */
const WASM_PATHS = {
  'tfjs-backend-wasm.wasm': new URL(wasmUrl, import.meta.url).href,
  'tfjs-backend-wasm-simd.wasm': new URL(simdUrl, import.meta.url).href,
  'tfjs-backend-wasm-threaded-simd.wasm': new URL(threadedSimdUrl, import.meta.url).href,
};

let webgpuLoaded = false;

/** Registers tfjs' webgpu backend where the browser exposes WebGPU (setupBackend then decides if an adapter is given). */
async function loadWebgpu(): Promise<void> {
  const gpu = (navigator as Navigator & { gpu?: unknown }).gpu;
  if (webgpuLoaded || !gpu) return;
  await import('@tensorflow/tfjs-backend-webgpu');
  webgpuLoaded = true;
}

/**
 * Starts (or switches to) a backend and installs depthblocks' training patches.
 *
 * @example
 * const info = await startBackend('wasm'); // { backend: 'wasm', threads: 2, reason: 'wasm with 2 thread(s) (the cores)', ... }
 */
export async function startBackend(choice: BackendChoice, threads?: number): Promise<EngineInfo> {
  if (choice === 'auto' || choice === 'webgpu') await loadWebgpu();
  const info = await setupBackend({ backend: choice, threads, wasmPaths: WASM_PATHS });
  return {
    backend: info.name,
    threads: info.threads,
    simd: info.simd,
    reason: info.reason,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    tfjsVersion: tf.version_core,
  };
}
