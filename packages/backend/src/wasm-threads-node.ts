/**
 * Loads tfjs-backend-wasm's threaded SIMD build in Node.
 *
 * tfjs hard-codes "no multithreading" under Node, and its loader hands Emscripten blob: URLs that Node's
 * worker_threads cannot load. So we instantiate the Emscripten factory ourselves with real file paths and
 * register a BackendWasm around it under the name 'wasm' (kernels are registered per backend name, so every
 * wasm kernel, ours included, keeps working).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '@depthblocks/core';
import { tfjsWasm } from './tfjs-wasm';

export interface ThreadedWasm {
  threads: number;
}

/** Allows a process that used the threaded backend to exit: pthread workers would keep it alive. */
function unrefWorkers(mod: any): void {
  const p = mod.PThread;
  if (!p) return;
  for (const w of [...(p.unusedWorkers ?? []), ...(p.runningWorkers ?? [])]) w?.unref?.();
}

/** Registers and selects the threaded wasm backend with `threads` threads. Throws if it cannot start. */
export async function initThreadedWasm(threads: number): Promise<ThreadedWasm> {
  const tfw = tfjsWasm();
  const dir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const mainJs = path.join(dir, 'tfjs-backend-wasm-threaded-simd.js');
  const wasmFile = path.join(dir, 'tfjs-backend-wasm-threaded-simd.wasm');
  if (!fs.existsSync(mainJs) || !fs.existsSync(wasmFile)) throw new Error(`threaded wasm build not found in ${dir}`);

  const { wasmWorkerContents } = require(path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js'));
  // The exported worker source has real newlines inside string literals; re-escape them as tfjs does.
  const source = String(wasmWorkerContents).replace(/\n/g, '\\n');
  const hash = createHash('sha1').update(source).digest('hex').slice(0, 12);
  // One file per worker source, shared by processes; workers may load it lazily, so it is never removed.
  const workerFile = path.join(os.tmpdir(), `depthblocks-wasm-worker-${hash}.js`);
  if (!fs.existsSync(workerFile)) {
    const tmp = `${workerFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, source);
    fs.renameSync(tmp, workerFile);
  }

  const factory = require(mainJs);
  // backend.cc sizes its thread pool from emscripten_num_logical_cores()/2 (os.cpus().length/2 in Node),
  // read in static initialisers and in the backend constructor: report 2*threads cores meanwhile.
  // Patch the real module object (an `import * as` namespace is a copy under CommonJS interop).

  const nodeOs: typeof os = require('os');
  const realCpus = nodeOs.cpus;
  (nodeOs as any).cpus = (): os.CpuInfo[] => Array.from({ length: 2 * threads }, () => realCpus()[0]);
  let mod: any;
  try {
    mod = await factory({
      locateFile: (p: string) => (p.endsWith('.worker.js') ? workerFile : path.join(dir, p)),
      mainScriptUrlOrBlob: mainJs,
    });
    mod.tfjs = {
      init: mod.cwrap('init', null, []),
      initWithThreadsCount: mod.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: mod.cwrap('get_threads_count', 'number', []),
      registerTensor: mod.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: mod.cwrap('dispose_data', null, ['number']),
      dispose: mod.cwrap('dispose', null, []),
    };
    tfw.setThreadsCount(threads);
    if ('wasm' in (tf.engine() as any).registryFactory) tf.removeBackend('wasm');
    tf.registerBackend('wasm', () => new tfw.BackendWasm(mod), 3);
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error('tf.setBackend("wasm") failed for the threaded build');
    await tf.ready();
  } finally {
    (nodeOs as any).cpus = realCpus;
  }
  unrefWorkers(mod);
  return { threads: Number(mod.tfjs.getThreadsCount()) };
}
