/**
 * The ONNX Runtime API depthblocks uses: the part of `onnxruntime-common` that onnxruntime-node (Node) and
 * onnxruntime-web (browsers: wasm, WebGPU) share, so that either module plugs into {@link loadOnnxModel}'s
 * `ort` option. In Node, onnxruntime-node (an optional peer dependency) is loaded when it is first needed.
 */
import { DepthblocksError } from '@depthblocks/core';

export interface OrtTensor {
  readonly dims: readonly number[];
  readonly data: unknown;
  dispose?(): void;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** `import * as ort from 'onnxruntime-node'` (or 'onnxruntime-web'). */
export interface OrtModule {
  InferenceSession: { create(model: string | Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

let nodeOrt: OrtModule | null = null;

/**
 * The ORT module to use when none is passed: onnxruntime-node in Node; in browsers an error saying to pass
 * onnxruntime-web as `ort`.
 */
export function defaultOrt(): OrtModule {
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (!isNode) {
    throw new DepthblocksError(
      'BACKEND_UNAVAILABLE',
      "The ONNX runtime needs an ONNX Runtime module in browsers: import * as ort from 'onnxruntime-web' and pass { ort }",
    );
  }
  return loadOrtNode();
}

/**
 * onnxruntime-node, loaded on first use (an optional peer dependency: its CPU binaries ship in the npm package).
 * Throws a DepthblocksError saying how to install it when it is absent. `load` is for tests.
 */
export function loadOrtNode(load: (name: string) => unknown = require): OrtModule {
  if (nodeOrt && load === require) return nodeOrt;
  const name = 'onnxruntime-node'; // a variable, so that bundlers do not pull the native addon into browser builds
  try {
    const ort = load(name) as OrtModule;
    if (load === require) nodeOrt = ort;
    return ort;
  } catch (e) {
    throw new DepthblocksError(
      'BACKEND_UNAVAILABLE',
      `runtime 'onnx' needs onnxruntime-node, which is not installed (${(e as Error).message.split('\n')[0]}). ` +
        'Install it next to @depthblocks/models: npm install onnxruntime-node (its CPU binaries are in the npm package; ' +
        'set ONNXRUNTIME_NODE_INSTALL=skip if its install script cannot download the optional CUDA files)',
    );
  }
}
