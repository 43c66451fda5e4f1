/**
 * setupBackend's Node side: native libtensorflow through tfjs-node(-gpu) when installed, multithreaded wasm
 * (tfjs disables threads in Node; wasm-threads-node.ts loads the threaded build with a real worker file), cpu.
 */
import * as os from 'os';
import { DepthblocksError, tf } from '@depthblocks/core';
import { startCpu, type Platform, type StartContext, type Started } from './setup';
import { initThreadedWasm } from './wasm-threads-node';

let threadedActive = false;

function tryRequire(name: string): string | null {
  try {
    require(name);
    return null;
  } catch (e) {
    return `${name}: ${(e as Error).message.split('\n')[0]}`;
  }
}

async function startTensorflow(ctx: StartContext): Promise<Started | null> {
  const failed: string[] = [];
  for (const [pkg, gpu] of [
    ['@tensorflow/tfjs-node-gpu', true],
    ['@tensorflow/tfjs-node', false],
  ] as const) {
    const error = tryRequire(pkg);
    if (error) {
      failed.push(error);
      continue;
    }
    if (!(await tf.setBackend('tensorflow'))) {
      failed.push(`${pkg}: loaded but the 'tensorflow' backend failed to initialise`);
      continue;
    }
    await tf.ready();
    return {
      name: 'tensorflow',
      package: pkg,
      native: true,
      gpu,
      threads: os.cpus().length,
      reason: `${pkg} is installed (native libtensorflow${gpu ? ' with CUDA' : ''})`,
    };
  }
  if (ctx.options.backend === 'tensorflow') {
    throw new DepthblocksError(
      'BACKEND_UNAVAILABLE',
      "Backend 'tensorflow' needs @tensorflow/tfjs-node (CPU) or @tensorflow/tfjs-node-gpu (NVIDIA GPU; needs CUDA and cuDNN " +
        'installed) in your project: `npm install @tensorflow/tfjs-node` (its install script downloads libtensorflow, so it ' +
        "needs internet access). Or use { backend: 'wasm' }, which always works. Tried: " +
        failed.join('; '),
      { tried: failed },
    );
  }
  ctx.tried.push(`native backends not installed (${failed.join('; ')})`);
  return null;
}

async function startWasm(ctx: StartContext): Promise<Started> {
  const { threads } = ctx;
  const cores = os.cpus().length;
  let reason: string;
  let got = 1;
  if (threads > 1) {
    const stock = (tf.engine() as any).registryFactory.wasm;
    try {
      got = (await initThreadedWasm(threads)).threads;
      threadedActive = true;
      reason = `threaded SIMD wasm with ${got} threads`;
    } catch (e) {
      reason = `threaded wasm could not start (${(e as Error).message}); fell back to 1 thread`;
      got = 1;
      // put the stock single-threaded registration back
      if ('wasm' in (tf.engine() as any).registryFactory) tf.removeBackend('wasm');
      if (stock) tf.registerBackend('wasm', stock.factory, stock.priority);
    }
  } else {
    reason = cores > 1 ? 'wasm with 1 thread as requested' : 'wasm with 1 thread (1 core)';
  }
  if (got === 1 && !threadedActive) {
    if (!(await tf.setBackend('wasm'))) throw new DepthblocksError('BACKEND_UNAVAILABLE', 'the wasm backend failed to initialise');
    await tf.ready();
  } else if (got === 1 && threadedActive) {
    // the threaded build is already loaded in this process (it cannot be unloaded): keep using it
    got = (await initThreadedWasm(1)).threads;
    reason = `threaded SIMD wasm with ${got} thread(s) (the threaded build was already loaded in this process)`;
  }
  return { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', native: false, gpu: false, threads: got, reason };
}

/** Node: tensorflow (native, if installed), wasm, cpu. */
export const nodePlatform: Platform = {
  name: 'Node',
  auto: ['tensorflow', 'wasm', 'cpu'],
  start: { tensorflow: startTensorflow, wasm: startWasm, cpu: startCpu },
  unavailable: (name) =>
    `Backend '${name}' is not available in Node (it needs a browser's ${name === 'webgpu' ? 'WebGPU' : 'WebGL'}). ` +
    "In Node use 'wasm' (always works), 'tensorflow' (npm install @tensorflow/tfjs-node) or 'auto'.",
  defaultThreads: () => os.cpus().length,
  env: (name) => process.env[name] || undefined,
};
