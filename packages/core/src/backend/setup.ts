/**
 * setupBackend: pick and initialise the fastest TensorFlow.js backend this machine can run, and make it
 * able to train this library's models.
 */
import * as os from 'os';
import { DepthblocksError } from '../errors';
import { tf } from '../tf';
import { patchFusedDilatedConvs, registerGradientFixes } from './gradients';
import { registerBatchNormTraining } from './batch-norm-train';
import { registerResizeBilinearGrad } from './resize-bilinear-grad';
import { initThreadedWasm } from './wasm-threads';
import { registerWasmTrainingKernels } from './wasm-kernels';

export type BackendRequest = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendOptions {
  /** Which backend: 'auto' (default) tries tfjs-node-gpu, tfjs-node, wasm, cpu in that order. */
  backend?: BackendRequest;
  /** wasm threads; default all cores (`os.cpus().length`). 1 uses the single-threaded SIMD build. */
  threads?: number;
}

/** What setupBackend chose, and why. */
export interface BackendInfo {
  /** 'tensorflow' (libtensorflow via tfjs-node), 'wasm' or 'cpu'. */
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** The npm package that provides it. */
  package: string;
  /** Native libtensorflow (tfjs-node / tfjs-node-gpu). */
  native: boolean;
  /** CUDA build (tfjs-node-gpu). */
  gpu: boolean;
  /** Threads the backend computes with (wasm: its thread pool; native: the cores; cpu: 1). */
  threads: number;
  /** wasm SIMD in use. */
  simd: boolean;
  /** Why this backend (and this thread count) was chosen, including what was tried and failed. */
  reason: string;
  /** Kernels and gradients depthblocks registered or replaced for training. */
  patches: string[];
}

let current: { key: string; info: BackendInfo } | null = null;
let threadedActive = false;

function tryRequire(name: string): { ok: true } | { ok: false; error: string } {
  try {
    require(name);
    return { ok: true };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    return { ok: false, error: `${name}: ${msg}` };
  }
}

function commonPatches(): string[] {
  registerGradientFixes();
  patchFusedDilatedConvs();
  registerBatchNormTraining();
  // the cpu backend also serves as the wasm backend's fallback for a few kernels: fix it whatever is chosen
  registerResizeBilinearGrad('cpu');
  return [
    'cpu kernel:ResizeBilinearGrad',
    'gradient:Conv2D (dilation)',
    'gradient:DepthwiseConv2dNative (dilation)',
    'gradient:GatherNd',
    'gradient:ScatterNd',
    'gradient:FusedBatchNorm (broadcast, no tile)',
    'fused conv: dilated -> unfused',
    'kernel:DepthblocksBatchNormTrain (wasm, cpu; tfjs-layers BatchNormalization in training)',
    'gradient:Relu (from the output), LeakyRelu (one kernel)',
    'engine:gradients (frees saved tensors and gradients during backprop)',
  ];
}

async function setupNative(tried: string[]): Promise<BackendInfo | null> {
  for (const [pkg, gpu] of [
    ['@tensorflow/tfjs-node-gpu', true],
    ['@tensorflow/tfjs-node', false],
  ] as const) {
    const r = tryRequire(pkg);
    if (!r.ok) {
      tried.push(r.error);
      continue;
    }
    if (!(await tf.setBackend('tensorflow'))) {
      tried.push(`${pkg}: loaded but the 'tensorflow' backend failed to initialise`);
      continue;
    }
    await tf.ready();
    return {
      name: 'tensorflow',
      package: pkg,
      native: true,
      gpu,
      threads: os.cpus().length,
      simd: false,
      reason: `${pkg} is installed (native libtensorflow${gpu ? ' with CUDA' : ''})`,
      patches: commonPatches(),
    };
  }
  return null;
}

async function setupWasm(threads: number, tried: string[]): Promise<BackendInfo> {
  require('@tensorflow/tfjs-backend-wasm');
  const patches = [...registerWasmTrainingKernels().map((k) => `kernel:${k}`), ...registerResizeBilinearGrad('wasm'), ...commonPatches()];
  const cores = os.cpus().length;
  let reason = '';
  let got = 1;
  if (threads > 1) {
    const stock = (tf.engine() as any).registryFactory.wasm;
    try {
      got = (await initThreadedWasm(threads)).threads;
      threadedActive = true;
      reason = `threaded SIMD wasm with ${got} threads`;
    } catch (e) {
      tried.push(`threaded wasm: ${(e as Error).message}`);
      reason = `threaded wasm could not start (${(e as Error).message}); fell back to 1 thread`;
      got = 1;
      // put the stock single-threaded registration back
      if ('wasm' in (tf.engine() as any).registryFactory) tf.removeBackend('wasm');
      if (stock) tf.registerBackend('wasm', stock.factory, stock.priority);
    }
  } else {
    reason = threads === 1 && cores > 1 ? 'wasm with 1 thread as requested' : 'wasm with 1 thread (1 core)';
  }
  if (got === 1 && !threadedActive) {
    if (!(await tf.setBackend('wasm'))) throw new DepthblocksError('BACKEND_UNAVAILABLE', 'the wasm backend failed to initialise');
    await tf.ready();
  } else if (got === 1 && threadedActive) {
    // the threaded build is already loaded in this process (it cannot be unloaded): keep using it
    got = (await initThreadedWasm(1)).threads;
    reason = `threaded SIMD wasm with ${got} thread(s) (the threaded build was already loaded in this process)`;
  }
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', native: false, gpu: false, threads: got, simd, reason, patches };
}

async function setupCpu(): Promise<BackendInfo> {
  if (!(await tf.setBackend('cpu'))) throw new DepthblocksError('BACKEND_UNAVAILABLE', 'the cpu backend failed to initialise');
  await tf.ready();
  return {
    name: 'cpu',
    package: '@tensorflow/tfjs-backend-cpu',
    native: false,
    gpu: false,
    threads: 1,
    simd: false,
    reason: 'cpu backend (plain JavaScript: slow, use only where wasm cannot run)',
    patches: commonPatches(),
  };
}

/**
 * Initialises a backend and makes it able to train depthblocks models.
 *
 * `auto` tries `@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node` (optional peer dependencies, used
 * only if installed), then wasm (multithreaded in Node, with the training kernels it lacks), then cpu.
 * The environment variables DEPTHBLOCKS_BACKEND and DEPTHBLOCKS_THREADS override the defaults.
 *
 * @example
 * const info = await setupBackend();               // auto
 * console.log(info.name, info.threads, info.reason); // e.g. "wasm 2 threaded SIMD wasm with 2 threads"
 * await setupBackend({ backend: 'wasm', threads: 1 });
 */
export async function setupBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const request = (options.backend ?? (process.env.DEPTHBLOCKS_BACKEND as BackendRequest | undefined) ?? 'auto') as BackendRequest;
  if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(request)) {
    throw new DepthblocksError('INVALID_ARGUMENT', `Unknown backend '${request}': use 'auto', 'tensorflow', 'wasm' or 'cpu'`);
  }
  const envThreads = process.env.DEPTHBLOCKS_THREADS ? Number(process.env.DEPTHBLOCKS_THREADS) : undefined;
  const threads = Math.max(1, Math.floor(options.threads ?? envThreads ?? os.cpus().length));
  if (!Number.isFinite(threads))
    throw new DepthblocksError('INVALID_ARGUMENT', `threads must be a positive integer, got ${options.threads}`);
  const key = `${request}:${threads}`;
  if (current && current.key === key && tf.getBackend() === current.info.name) return current.info;

  const tried: string[] = [];
  let info: BackendInfo | null = null;
  if (request === 'tensorflow' || request === 'auto') {
    info = await setupNative(tried);
    if (!info && request === 'tensorflow') {
      throw new DepthblocksError(
        'BACKEND_UNAVAILABLE',
        "Backend 'tensorflow' needs @tensorflow/tfjs-node (CPU) or @tensorflow/tfjs-node-gpu (NVIDIA GPU; needs CUDA and cuDNN " +
          'installed) in your project: `npm install @tensorflow/tfjs-node` (its install script downloads libtensorflow, so it ' +
          "needs internet access). Or use { backend: 'wasm' }, which always works. Tried: " +
          tried.join('; '),
        { tried },
      );
    }
  }
  if (!info && (request === 'wasm' || request === 'auto')) {
    try {
      info = await setupWasm(threads, tried);
      if (request === 'auto')
        info.reason = `${info.reason}; native backends not installed (${tried.filter((t) => t.startsWith('@tensorflow/tfjs-node')).length} tried)`;
    } catch (e) {
      if (request === 'wasm') throw e;
      tried.push(`wasm: ${(e as Error).message}`);
    }
  }
  if (!info) {
    info = await setupCpu();
    if (request === 'auto') info.reason = `${info.reason}; tried: ${tried.join('; ')}`;
  }
  current = { key, info };
  return info;
}

/** The backend set up last, or null. */
export function currentBackend(): BackendInfo | null {
  return current?.info ?? null;
}
