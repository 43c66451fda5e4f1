/**
 * The engine: a Web Worker that owns TensorFlow.js and the model, so that loading, predicting and training never
 * block the page. It answers the requests of protocol.ts one at a time (training answers when it ends; pause,
 * resume and stop get through between its steps).
 */
import { DepthblocksError } from '@depthblocks/core';
import { decodeRgb } from '@depthblocks/datasets';
import { predictImage, type DepthModel } from '@depthblocks/models';
import { startBackend } from './backend';
import { depthPng, depthView } from './depth-outputs';
import { fromModelFiles, fromPreset, presets, summarize } from './load-model';
import { modelFiles } from './model-files';
import type { OnnxSession } from './onnx-runtime';
import type {
  EngineInfo,
  EventMessage,
  Events,
  Prediction,
  RequestMessage,
  Requests,
  RequestType,
  RgbImage,
  RuntimeChoice,
} from './protocol';
import { PROTOCOL, TrainingControl, trainInPage } from './training';

/** A photo file as 8-bit RGB, with the library's decoder (the platform's for JPEG / WebP, fast-png for PNG). */
async function decodePhoto(file: File): Promise<RgbImage> {
  const { data, width, height } = await decodeRgb(new Uint8Array(await file.arrayBuffer()), file.name);
  return { rgb: data, width, height };
}

let info: EngineInfo | null = null;
let current: DepthModel | null = null;
let last: Prediction | null = null;
let training: TrainingControl | null = null;
/** The current model exported to ONNX and open in onnxruntime-web (made on the first 'onnx' prediction). */
let onnx: { choice: RuntimeChoice; session: Promise<OnnxSession> } | null = null;

function emit<K extends keyof Events>(event: K, data: Events[K]): void {
  (self as unknown as Worker).postMessage({ event, data } satisfies EventMessage<K>);
}

/** Frees the ONNX session of the previous model or runtime choice. */
function dropOnnx(): void {
  const old = onnx;
  onnx = null;
  void old?.session.then((s) => s.model.release()).catch(() => undefined);
}

function use(dm: DepthModel): void {
  if (current && current !== dm) current.model.dispose();
  current = dm;
  last = null;
  dropOnnx();
}

/** The current model in onnxruntime-web (exported and opened once per model and choice; onnx-runtime.ts loads lazily). */
async function onnxSession(dm: DepthModel, choice: RuntimeChoice): Promise<OnnxSession> {
  if (onnx?.choice !== choice) {
    dropOnnx();
    const session = import('./onnx-runtime').then((m) => m.openOnnx(dm, choice === 'onnx-wasm' ? 'wasm' : 'auto'));
    onnx = { choice, session };
    session.catch(() => {
      if (onnx?.session === session) onnx = null; // a failed export or session is retried on the next prediction
    });
  }
  return onnx!.session;
}

function model(): DepthModel {
  if (!current) throw new DepthblocksError('INVALID_ARGUMENT', 'No model yet: load one, pick a preset, or train one here first');
  return current;
}

async function backend(): Promise<EngineInfo> {
  return (info ??= await startBackend('auto'));
}

type Handlers = { [K in RequestType]: (args: Requests[K]['args']) => Promise<Requests[K]['result']> };

const handlers: Handlers = {
  async setup({ backend: choice, threads }) {
    info = await startBackend(choice, threads);
    return info;
  },
  async presets() {
    return presets();
  },
  async loadModelFiles({ files }) {
    await backend();
    const { dm, summary } = await fromModelFiles(files);
    use(dm);
    return summary;
  },
  async loadKerasH5({ file, preset, inputSize }) {
    await backend();
    const { dm, summary } = await fromPreset(preset, file, inputSize);
    use(dm);
    return summary;
  },
  async loadPreset({ preset, encoderWeights, inputSize }) {
    await backend();
    const { dm, summary } = await fromPreset(preset, encoderWeights, inputSize);
    use(dm);
    return summary;
  },
  async predict({ photo, image: pixels, flipTTA, runtime = 'tfjs' }) {
    const b = await backend();
    const dm = model();
    const image = pixels ?? (photo ? await decodePhoto(photo) : null);
    if (!image) throw new DepthblocksError('INVALID_ARGUMENT', 'predict: give a photo file or pixels');
    // runtime 'onnx': the same model exported to ONNX, run by onnxruntime-web (export and session not timed)
    const s = runtime === 'tfjs' ? null : await onnxSession(dm, runtime);
    // the library's pipeline for a photo of any size, as `depthblocks predict` runs it: the model at its working
    // size (its fixed input size, or the photo's long side at most 640 px in multiples of 32), flip TTA, the depth
    // scaled up at that size and resized to the photo
    const t0 = performance.now();
    const { depth, workingSize } = await predictImage(s ? s.model : dm, image, { flipTTA });
    const ms = performance.now() - t0;
    const threads = s?.provider === 'wasm' ? `, ${s.threads} thread${s.threads > 1 ? 's' : ''}` : '';
    const how = s ? `ONNX Runtime Web ${s.version} (${s.provider}${threads}; ${s.reason})` : 'tfjs';
    last = { ...depthView(depth, image), ms, backend: b.backend, runtime: how, workingSize };
    return last;
  },
  async train(settings) {
    if (training) throw new DepthblocksError('INVALID_ARGUMENT', 'A training run is already going: stop it first');
    await backend();
    const control = new TrainingControl((step) => emit('paused', { step }));
    training = control;
    try {
      const run = await trainInPage(settings, control, {
        onStep: (p) => emit('progress', p),
        onChart: (svg) => emit('chart', { svg }),
      });
      use(run.dm);
      const how = `trained here: ${run.steps} steps on ${settings.width}x${settings.height} synthetic scenes`;
      return {
        steps: run.steps,
        seconds: run.seconds,
        samplesPerSecond: run.samplesPerSecond,
        table: run.table,
        rows: run.rows as unknown as Record<string, Record<string, number>>,
        protocol: PROTOCOL,
        testScenes: settings.testScenes,
        stopped: run.stopped,
        model: summarize(run.dm, how),
      };
    } finally {
      training = null;
    }
  },
  async pause() {
    training?.pause();
  },
  async resume() {
    training?.resume();
  },
  async stop() {
    training?.stop();
  },
  async saveModel() {
    return modelFiles(model());
  },
  async depthPng() {
    if (!last) throw new DepthblocksError('INVALID_ARGUMENT', 'No depth yet: predict a photo first');
    return { name: 'depth_mm.png', bytes: await depthPng(last.depth, last.width, last.height) };
  },
};

/** Buffers of a result that can be handed to the page instead of copied. */
function transferables(result: unknown): Transferable[] {
  if (!result || typeof result !== 'object') return [];
  const out: Transferable[] = [];
  for (const v of Object.values(result as Record<string, unknown>)) {
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) out.push(v.buffer);
  }
  return out;
}

self.onmessage = async (e: MessageEvent<RequestMessage>) => {
  const { id, type, args } = e.data;
  try {
    const handler = handlers[type] as (a: unknown) => Promise<unknown>;
    const result = await handler(args);
    // the last prediction stays here (for the PNG), so its buffers are copied, not transferred
    (self as unknown as Worker).postMessage({ id, ok: true, result }, type === 'predict' ? [] : transferables(result));
  } catch (err) {
    const error = err as DepthblocksError;
    (self as unknown as Worker).postMessage({ id, ok: false, error: { code: error?.code, message: String(error?.message ?? err) } });
  }
};
