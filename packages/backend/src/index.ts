/**
 * @depthblocks/backend: the training runtime for TensorFlow.js that depthblocks needs and tfjs lacks: setupBackend
 * (pick and start a backend, say why), the wasm training kernels, the SIMD module, frugal backprop, gradient fixes
 * and one-kernel batch norm. Importing it changes nothing in tfjs: install() (which setupBackend calls) does, with
 * each patch switchable, after checking the tfjs version.
 *
 * This entry point is portable (browsers); `./node` (picked by Node's `node` export condition) adds native
 * libtensorflow, threads through worker files and the test helper.
 */
import { browserPlatform } from './platform-browser';
import { setupWith, type BackendInfo, type BackendOptions } from './setup';

/**
 * Starts a backend and makes it able to train depthblocks models (installs the patches; see install()).
 *
 * In browsers `auto` tries webgpu (where `@tensorflow/tfjs-backend-webgpu` is imported and an adapter is given),
 * webgl, wasm (threads when the page is cross-origin isolated), then cpu. In Node (the `node` entry point) it
 * tries tfjs-node-gpu, tfjs-node, multithreaded wasm, then cpu.
 *
 * @example
 * const info = await setupBackend({ backend: 'wasm', wasmPaths: '/wasm/' });
 * console.log(info.name, info.threads, info.reason); // e.g. "wasm 1 wasm with 1 thread: the page is not cross-origin isolated ..."
 */
export function setupBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  return setupWith(browserPlatform, options);
}

export { currentBackend } from './setup';
export type { BackendInfo, BackendOptions, BackendRequest, BackendName } from './setup';
export { install, uninstall, installedPatches, skippedPatches, useFrugalGradients, PATCH_NAMES } from './install';
export type { InstallOptions, PatchOptions } from './install';
export type { PatchName, PatchChange, TfjsPackage } from './patch';
export { checkTfjsVersions, TESTED_TFJS_VERSION, ALLOW_UNTESTED_TFJS_ENV } from './version';
export { wasmKernelTuning } from './patches/wasm-kernels';
