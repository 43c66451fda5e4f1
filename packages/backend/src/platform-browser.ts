/**
 * setupBackend's browser side: webgpu (where `@tensorflow/tfjs-backend-webgpu` is imported and the browser gives
 * an adapter), webgl, wasm (threads where the page is cross-origin isolated; `.wasm` files from `wasmPaths`),
 * cpu. Nothing here uses Node built-ins.
 */
import { DepthblocksError, tf } from '@depthblocks/core';
import { startCpu, type Platform, type StartContext, type Started } from './setup';
import { tfjsWasm } from './tfjs-wasm';

/** The browser globals used here (typed loosely: lib.dom's WebGPU types are not in every TypeScript setup). */
type BrowserGlobals = {
  navigator?: { gpu?: { requestAdapter(): Promise<unknown | null> }; hardwareConcurrency?: number };
  crossOriginIsolated?: boolean;
};
const g = globalThis as unknown as BrowserGlobals;

async function startWebgpu(ctx: StartContext): Promise<Started | null> {
  if (!tf.findBackendFactory('webgpu')) {
    ctx.tried.push('webgpu: not registered (npm install @tensorflow/tfjs-backend-webgpu and import it before setupBackend)');
    return null;
  }
  const adapter = g.navigator?.gpu ? await g.navigator.gpu.requestAdapter().catch(() => null) : null;
  if (!adapter) {
    ctx.tried.push(`webgpu: ${g.navigator?.gpu ? 'the browser gave no GPU adapter' : 'this browser has no navigator.gpu'}`);
    return null;
  }
  if (!(await tf.setBackend('webgpu'))) {
    ctx.tried.push('webgpu: the backend failed to initialise');
    return null;
  }
  await tf.ready();
  return {
    name: 'webgpu',
    package: '@tensorflow/tfjs-backend-webgpu',
    native: false,
    gpu: true,
    threads: 1,
    reason: 'WebGPU adapter available',
  };
}

async function startWebgl(ctx: StartContext): Promise<Started | null> {
  if (!(await tf.setBackend('webgl'))) {
    ctx.tried.push('webgl: the backend failed to initialise (no WebGL in this browser?)');
    return null;
  }
  await tf.ready();
  return { name: 'webgl', package: '@tensorflow/tfjs-backend-webgl', native: false, gpu: true, threads: 1, reason: 'WebGL available' };
}

/**
 * Runs `fn` while navigator.hardwareConcurrency reports `cores`. tfjs-backend-wasm's backend.cc sizes its thread
 * pool from emscripten_num_logical_cores() / 2 (navigator.hardwareConcurrency / 2 in browsers) whatever
 * setThreadsCount asked for, so a 2-core machine got 1 thread; as wasm-threads-node.ts does with os.cpus in Node.
 */
async function withReportedCores<T>(cores: number, fn: () => Promise<T>): Promise<T> {
  const nav = g.navigator as object | undefined;
  const own = nav ? Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency') : undefined;
  if (!nav || own) return fn(); // not a browser, or already overridden by someone else: leave it
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { get: () => cores, configurable: true });
  } catch {
    return fn();
  }
  try {
    return await fn();
  } finally {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

async function startWasm(ctx: StartContext): Promise<Started> {
  const tfw = tfjsWasm();
  const isolated = g.crossOriginIsolated === true;
  const initialised = (tf.engine() as any).registry?.wasm != null; // set once: paths and threads are fixed then
  const threads = isolated ? ctx.threads : 1;
  let reason: string;
  if (!initialised) {
    if (ctx.options.wasmPaths) tfw.setWasmPaths(ctx.options.wasmPaths);
    if (threads === 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // the single-threaded SIMD build
    tfw.setThreadsCount(threads);
    if (isolated) reason = `wasm with ${threads} thread(s)${ctx.options.threads ? ' as requested' : ' (the cores)'}`;
    else if (ctx.options.threads === 1) reason = 'wasm with 1 thread as requested';
    else {
      reason =
        'wasm with 1 thread: the page is not cross-origin isolated (serve it with the headers ' +
        'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp for threads)';
    }
  } else {
    reason = 'wasm, already initialised in this page (its thread count and .wasm paths were set then)';
  }
  if (!(await withReportedCores(2 * threads, () => tf.setBackend('wasm')))) {
    throw new DepthblocksError(
      'BACKEND_UNAVAILABLE',
      `the wasm backend failed to initialise: are tfjs-backend-wasm's .wasm files served at ${
        typeof ctx.options.wasmPaths === 'string' ? ctx.options.wasmPaths : 'the page root'
      }? Pass { wasmPaths } with their URL.`,
    );
  }
  await tf.ready();
  return { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', native: false, gpu: false, threads: tfw.getThreadsCount(), reason };
}

/** Browsers: webgpu, webgl, wasm, cpu. */
export const browserPlatform: Platform = {
  name: 'browsers',
  auto: ['webgpu', 'webgl', 'wasm', 'cpu'],
  start: { webgpu: startWebgpu, webgl: startWebgl, wasm: startWasm, cpu: startCpu },
  unavailable: (name) =>
    `Backend '${name}' (native libtensorflow through @tensorflow/tfjs-node) runs only in Node. ` +
    "In browsers use 'webgpu', 'webgl', 'wasm', 'cpu' or 'auto'.",
  defaultThreads: () => (g.crossOriginIsolated === true ? Math.max(1, g.navigator?.hardwareConcurrency ?? 1) : 1),
  env: () => undefined,
};
