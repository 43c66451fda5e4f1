/**
 * setupBackend, the part Node and browsers share: validate the options, install the patches, try the backends in
 * order, and say what was chosen and why. What differs (which backends exist, threads, native libtensorflow) is a
 * {@link Platform}: platform-node.ts and platform-browser.ts.
 */
import { DepthblocksError, tf } from '@depthblocks/core';
import { install, installedPatchLabels, type InstallOptions } from './install';
import { prepareSimdKernels } from './simd/simd-kernels';

/** The backends setupBackend knows. */
export type BackendName = 'tensorflow' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendRequest = 'auto' | BackendName;

const REQUESTS: readonly BackendRequest[] = ['auto', 'tensorflow', 'webgpu', 'webgl', 'wasm', 'cpu'];

export interface BackendOptions extends InstallOptions {
  /**
   * Which backend. 'auto' (default) tries, in Node: tfjs-node-gpu, tfjs-node, wasm, cpu; in browsers: webgpu,
   * webgl, wasm, cpu.
   */
  backend?: BackendRequest;
  /**
   * wasm threads. Node: default all cores (1 uses the single-threaded SIMD build). Browsers: default
   * `navigator.hardwareConcurrency` where the page is cross-origin isolated, else 1 (threads need it).
   */
  threads?: number;
  /**
   * Browsers: where tfjs-backend-wasm's `.wasm` files are served, passed to its `setWasmPaths`: a URL prefix
   * ending in `/`, or a map from file name (`tfjs-backend-wasm-simd.wasm`, ...) to URL. Default: next to the page.
   */
  wasmPaths?: string | Record<string, string>;
}

/** What setupBackend chose, and why. */
export interface BackendInfo {
  /** 'tensorflow' (libtensorflow via tfjs-node), 'webgpu', 'webgl', 'wasm' or 'cpu'. */
  name: BackendName;
  /** The npm package that provides it. */
  package: string;
  /** Native libtensorflow (tfjs-node / tfjs-node-gpu). */
  native: boolean;
  /** A GPU computes (tfjs-node-gpu, webgpu, webgl). */
  gpu: boolean;
  /** Threads the backend computes with (wasm: its thread pool; native: the cores; others: 1). */
  threads: number;
  /** wasm SIMD in use (tfjs' SIMD build and depthblocks' SIMD module). */
  simd: boolean;
  /** Why this backend (and this thread count) was chosen, including what was tried and failed. */
  reason: string;
  /** What install() registered or replaced in tfjs, e.g. `wasm kernel:Conv2DBackpropFilter`, `gradient:Conv2D`. */
  patches: string[];
}

/** What a backend starter reports; setupWith adds simd and patches. */
export type Started = Omit<BackendInfo, 'simd' | 'patches'>;

/** What a starter gets: the thread count asked for, the options, and a list to explain failures in. */
export interface StartContext {
  threads: number;
  options: BackendOptions;
  /** Backends tried before (and why each failed): append to it, and return null, when this one is unavailable. */
  tried: string[];
}

/** How a platform starts each backend it has, and what it says about the ones it has not. */
export interface Platform {
  /** 'Node' or 'browsers', for messages. */
  name: string;
  /** The order 'auto' tries. */
  auto: readonly BackendName[];
  /** Starts a backend: its info, or null (with the reason in ctx.tried) where it is unavailable. */
  start: Partial<Record<BackendName, (ctx: StartContext) => Promise<Started | null>>>;
  /** Why a backend has no starter here (e.g. webgl in Node), and what to use instead. */
  unavailable(name: BackendName): string;
  /** The default thread count for wasm. */
  defaultThreads(): number;
  /** An environment variable, or undefined (browsers have none). */
  env(name: string): string | undefined;
}

let current: { key: string; info: BackendInfo } | null = null;

/** The cpu backend: the same everywhere. */
export async function startCpu(): Promise<Started> {
  if (!(await tf.setBackend('cpu'))) throw new DepthblocksError('BACKEND_UNAVAILABLE', 'the cpu backend failed to initialise');
  await tf.ready();
  return {
    name: 'cpu',
    package: '@tensorflow/tfjs-backend-cpu',
    native: false,
    gpu: false,
    threads: 1,
    reason: 'cpu backend (plain JavaScript: slow, use only where nothing else runs)',
  };
}

/** Whether the wasm backend now active runs tfjs' SIMD build with depthblocks' SIMD module ready on its heap. */
async function wasmSimd(): Promise<boolean> {
  const tfjsSimd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return tfjsSimd && (await prepareSimdKernels(tf.backend())) != null;
}

/**
 * setupBackend on a platform: installs the patches (see install()), then starts the requested backend, or for
 * 'auto' the first of the platform's order that starts.
 */
export async function setupWith(platform: Platform, options: BackendOptions = {}): Promise<BackendInfo> {
  const request = (options.backend ?? platform.env('DEPTHBLOCKS_BACKEND') ?? 'auto') as BackendRequest;
  if (!REQUESTS.includes(request)) {
    throw new DepthblocksError('INVALID_ARGUMENT', `Unknown backend '${request}': use ${REQUESTS.map((r) => `'${r}'`).join(', ')}`);
  }
  if (request !== 'auto' && !platform.start[request]) throw new DepthblocksError('BACKEND_UNAVAILABLE', platform.unavailable(request));
  const envThreads = platform.env('DEPTHBLOCKS_THREADS');
  const asked = options.threads ?? (envThreads ? Number(envThreads) : undefined);
  if (asked !== undefined && !(Number.isFinite(asked) && asked >= 1)) {
    throw new DepthblocksError('INVALID_ARGUMENT', `threads must be a positive integer, got ${asked}`);
  }
  const threads = Math.floor(asked ?? platform.defaultThreads());

  await install(options);
  const key = `${request}:${threads}`;
  if (current && current.key === key && tf.getBackend() === current.info.name) {
    current.info.patches = installedPatchLabels();
    return current.info;
  }

  const ctx: StartContext = { threads, options, tried: [] };
  const order = request === 'auto' ? platform.auto : [request];
  let started: Started | null = null;
  for (const name of order) {
    const start = platform.start[name];
    if (!start) continue;
    try {
      started = await start(ctx);
    } catch (e) {
      if (request !== 'auto') throw e;
      ctx.tried.push(`${name}: ${(e as Error).message.split('\n')[0]}`);
    }
    if (started) break;
  }
  if (!started) {
    throw new DepthblocksError('BACKEND_UNAVAILABLE', `No backend could start (${request}). Tried: ${ctx.tried.join('; ')}`, {
      tried: ctx.tried,
    });
  }
  const simd = started.name === 'wasm' && (await wasmSimd());
  if (request === 'auto' && ctx.tried.length) started.reason = `${started.reason}; tried before: ${ctx.tried.join('; ')}`;
  const info: BackendInfo = { ...started, simd, patches: installedPatchLabels() };
  current = { key, info };
  return info;
}

/**
 * The backend set up last, or null.
 *
 * @example
 * const info = currentBackend(); // e.g. { name: 'wasm', threads: 2, ... }
 */
export function currentBackend(): BackendInfo | null {
  return current?.info ?? null;
}
