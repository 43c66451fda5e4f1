/**
 * `@tensorflow/tfjs-backend-wasm`, loaded on first use (by install() or setupBackend), not when this package is
 * imported: importing it registers the 'wasm' backend and its kernels.
 */
import type * as TfjsWasm from '@tensorflow/tfjs-backend-wasm';

let mod: typeof TfjsWasm | null = null;

/** The tfjs-backend-wasm module (loads it, registering the 'wasm' backend, the first time). */
export function tfjsWasm(): typeof TfjsWasm {
  mod ??= require('@tensorflow/tfjs-backend-wasm') as typeof TfjsWasm;
  return mod;
}
