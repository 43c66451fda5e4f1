/**
 * `@tensorflow/tfjs-backend-wasm`. Importing this package loads it, which registers tfjs' 'wasm' backend and its
 * kernels, exactly as importing tfjs-backend-wasm yourself does; depthblocks' own changes wait for install().
 *
 * A static import, not a lazy require(): bundlers resolve require() to tfjs' CommonJS builds and import to its ES
 * modules, and a mix would put two copies of tfjs-core in one bundle.
 */
import * as tfjsWasmModule from '@tensorflow/tfjs-backend-wasm';

/** The tfjs-backend-wasm module. */
export function tfjsWasm(): typeof tfjsWasmModule {
  return tfjsWasmModule;
}
