/**
 * @depthblocks/backend for Node: the portable API (./index), with a setupBackend that also knows native
 * libtensorflow (tfjs-node, tfjs-node-gpu) and multithreaded wasm, and the test helper.
 */
import { nodePlatform } from './platform-node';
import { setupWith, type BackendInfo, type BackendOptions, type BackendRequest } from './setup';

export * from './index';

/**
 * Starts a backend and makes it able to train depthblocks models (installs the patches; see install()).
 *
 * `auto` tries `@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node` (optional peer dependencies, used only if
 * installed), then wasm (multithreaded, with the training kernels it lacks), then cpu. The environment variables
 * DEPTHBLOCKS_BACKEND and DEPTHBLOCKS_THREADS override the defaults. 'webgl' and 'webgpu' are browser-only.
 *
 * @example
 * const info = await setupBackend();               // auto
 * console.log(info.name, info.threads, info.reason); // e.g. "wasm 2 threaded SIMD wasm with 2 threads"
 * await setupBackend({ backend: 'wasm', threads: 1, patches: { frugalGradients: false } });
 */
export function setupBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  return setupWith(nodePlatform, options);
}

/**
 * The backend for tests: wasm with 1 thread (jest runs test files in parallel workers), unless
 * DEPTHBLOCKS_TEST_BACKEND / DEPTHBLOCKS_TEST_THREADS say otherwise. Call it in `beforeAll`.
 *
 * @example
 * beforeAll(async () => { await setupTestBackend(); });
 */
export async function setupTestBackend(): Promise<BackendInfo> {
  const backend = (process.env.DEPTHBLOCKS_TEST_BACKEND as BackendRequest | undefined) || 'wasm';
  return setupBackend({ backend, threads: Number(process.env.DEPTHBLOCKS_TEST_THREADS || 1) });
}
