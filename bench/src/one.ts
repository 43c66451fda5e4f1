/**
 * One backend configuration, in its own process (the threaded wasm build cannot be unloaded once loaded):
 *
 *   node bench/dist/one.js --backend wasm --threads 2 --tasks '[{"kind":"matmul","n":1024}, ...]'
 *
 * Runs the tasks in order and prints `BENCH_INFO <json>` (the backend), then one `BENCH_TASK <json>` line per
 * task on stdout as each finishes (so a run stopped by a time cap keeps what it measured); progress goes to stderr.
 */
import * as os from 'os';
import { tf } from '@depthblocks/core';
import { setupBackend, type BackendInfo } from '@depthblocks/backend';
import {
  buildPreset,
  countTrainableParams,
  createOptimizer,
  depthToTarget,
  trainStep,
  type DepthModel,
  type TrainLoss,
} from '@depthblocks/models';
import { combineLosses } from '@depthblocks/losses';
import { modelFlops } from './flops';
import { median } from './stats';
import { profileTrainStep } from './profile';
import { dataPipeline, trainingLoopWithBatcher } from './data';
import { convKernels, DD169_CONV_SHAPES } from './kernels';
import { runOnnx, runOnnxTorch } from './onnx';
import type { Task, TaskResult, ChildResult, Size } from './types';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function log(msg: string): void {
  process.stderr.write(`[${arg('backend')}x${arg('threads')}] ${msg}\n`);
}

const models = new Map<string, DepthModel & { flopsPerImage: number; params: number; buildMs: number }>();

/** Builds (or reuses) a preset at a fixed input size; other cached models are disposed to save memory. */
function getModel(preset: string, size: Size): DepthModel & { flopsPerImage: number; params: number; buildMs: number } {
  const key = `${preset}@${size[0]}x${size[1]}`;
  const cached = models.get(key);
  if (cached) return cached;
  for (const [k, m] of models) {
    m.model.dispose();
    models.delete(k);
  }
  const t0 = performance.now();
  const built = buildPreset(preset, { inputSize: size });
  const buildMs = performance.now() - t0;
  const entry = { ...built, flopsPerImage: modelFlops(built.model).perImage, params: countTrainableParams(built.model), buildMs };
  models.set(key, entry);
  return entry;
}

/** The preset's own training loss (ranking/perceptual terms left out), SSIM maxVal 100 on DenseDepth's target. */
export function presetLoss(m: DepthModel): TrainLoss {
  const training = (m.config.metadata as { training?: { loss?: Record<string, number> } }).training;
  const weights = Object.fromEntries(Object.entries(training?.loss ?? { l1: 1 }).filter(([k]) => k !== 'ranking' && k !== 'perceptual'));
  const maxVal = m.config.depth.kind === 'densedepth' ? 100 : 1;
  return combineLosses(weights, { ssim: { maxVal } }) as unknown as TrainLoss;
}

/** A synthetic batch at the model's input size; the target at the model's output size (DenseDepth: half). */
export function syntheticBatch(
  m: DepthModel,
  batch: number,
  size: Size,
): { rgb: tf.Tensor4D; depth: tf.Tensor4D; mask: tf.Tensor4D; ids: string[] } {
  return tf.tidy(() => {
    const rgb = tf.randomUniform([batch, size[0], size[1], 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const metres = tf.randomUniform([batch, size[0], size[1], 1], 0.5, 10, 'float32', 2);
    const depth = depthToTarget(metres, m.config.depth) as tf.Tensor4D;
    const mask = tf.onesLike(depth) as tf.Tensor4D;
    return { rgb, depth, mask, ids: Array.from({ length: batch }, (_, i) => `synthetic-${i}`) };
  });
}

function memoryNow(): { numBytes: number; numTensors: number; maxRssBytes: number; wasmHeapBytes?: number } {
  const mem = tf.memory();
  // tfjs' wasm backend keeps all tensors in one WebAssembly.Memory that only grows.
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return {
    numBytes: mem.numBytes,
    numTensors: mem.numTensors,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    wasmHeapBytes: backend.wasm?.HEAPU8?.length,
  };
}

/**
 * Tells the parent that a step finished. The parent kills a child that sends nothing for longer than the
 * step cap (plus a margin): a threaded-wasm step that never returns (seen when the wasm heap runs out) cannot
 * be interrupted from inside.
 */
export function heartbeat(): void {
  process.stdout.write('BENCH_STEP\n');
}

interface Timing {
  warmupMs: number[];
  timesMs: number[];
  medianMs?: number;
  skipped?: string;
}

/**
 * Times `step` (warm-up, then `reps` timed runs). Skips when a warm-up step exceeds `capS` seconds, or when the
 * estimate from the previous task's GFLOP/s says one step would exceed it.
 */
function timeSteps(step: () => void, warmup: number, reps: number, capS: number, estimateS?: number): Timing {
  if (estimateS !== undefined && estimateS > capS) {
    return {
      warmupMs: [],
      timesMs: [],
      skipped: `estimated ${estimateS.toFixed(0)} s per step (from this backend's GFLOP/s on the previous task) > cap ${capS} s`,
    };
  }
  const warmupMs: number[] = [];
  for (let i = 0; i < warmup; i++) {
    const t0 = performance.now();
    step();
    heartbeat();
    const dt = performance.now() - t0;
    warmupMs.push(dt);
    if (dt > capS * 1000) return { warmupMs, timesMs: [], skipped: `one step took ${(dt / 1000).toFixed(1)} s > cap ${capS} s` };
  }
  const timesMs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    step();
    heartbeat();
    timesMs.push(performance.now() - t0);
  }
  return { warmupMs, timesMs, medianMs: median(timesMs) };
}

let lastGflops: number | undefined;

function estimateS(flops: number): number | undefined {
  return lastGflops ? flops / (lastGflops * 1e9) : undefined;
}

function runMatmul(n: number, reps: number): TaskResult {
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 3);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 4);
  const step = (): void => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  };
  const t = timeSteps(step, 2, reps, 600);
  tf.dispose([a, b]);
  const flops = 2 * n ** 3;
  return { ...t, flops, gflops: t.medianMs ? flops / (t.medianMs * 1e6) : undefined };
}

async function runInfer(task: Extract<Task, { kind: 'infer' }>, o: Opts): Promise<TaskResult> {
  const m = getModel(task.preset, task.size);
  const flops = m.flopsPerImage * task.batch;
  const x = tf.randomUniform([task.batch, task.size[0], task.size[1], 3], 0, 1, 'float32', 5);
  const step = (): void => {
    tf.tidy(() => (m.model.predict(x) as tf.Tensor).dataSync());
  };
  const t = timeSteps(step, o.warmup, o.reps, o.capS, estimateS(flops));
  let peakBytes: number | undefined;
  if (t.medianMs !== undefined) {
    // One more run under tf.profile for the engine's peak tensor bytes (not timed).
    peakBytes = await peakBytesOf(step);
  }
  tf.dispose(x);
  const gflops = t.medianMs ? flops / (t.medianMs * 1e6) : undefined;
  if (gflops) lastGflops = gflops;
  return { ...t, flops, gflops, params: m.params, buildMs: m.buildMs, peakStepBytes: peakBytes, memory: memoryNow() };
}

/** Peak tensor bytes (the engine's count) reached during one run of `f`, above what was allocated before it. */
async function peakBytesOf(f: () => void): Promise<number> {
  const before = tf.memory().numBytes;
  const check = tf.env().getBool('CHECK_COMPUTATION_FOR_ERRORS');
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  try {
    const p = await tf.profile(f);
    return p.peakBytes - before;
  } finally {
    tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', check);
  }
}

async function runTrain(task: Extract<Task, { kind: 'train' }>, o: Opts): Promise<TaskResult> {
  const m = getModel(task.preset, task.size);
  const flops = 3 * m.flopsPerImage * task.batch;
  const loss = presetLoss(m);
  const optimizer = createOptimizer({ name: 'adam', lr: 1e-4 });
  const batch = syntheticBatch(m, task.batch, task.size);
  // Freed even when a step throws (a non-finite loss), so that the next tasks do not inherit the memory.
  try {
    let lastLoss = NaN;
    const step = (): void => {
      lastLoss = trainStep(m.model, loss, optimizer, batch, undefined).loss;
    };
    // numTensors before the first step (after the synthetic batch) and after all steps: a leak check at this size.
    const tensorsBefore = tf.memory().numTensors;
    const t = timeSteps(step, o.warmup, o.reps, o.capS, estimateS(flops));
    let peakBytes: number | undefined;
    if (t.medianMs !== undefined) {
      peakBytes = await peakBytesOf(step);
    }
    const memory = memoryNow();
    const tensorsAfter = memory.numTensors;
    const gflops = t.medianMs ? flops / (t.medianMs * 1e6) : undefined;
    if (gflops) lastGflops = gflops;
    const adamTensors = 2 * m.model.trainableWeights.length;
    return {
      ...t,
      flops,
      gflops,
      params: m.params,
      buildMs: m.buildMs,
      loss: lastLoss,
      peakStepBytes: peakBytes,
      memory,
      tensorsBefore,
      tensorsAfter,
      adamTensors,
    };
  } finally {
    tf.dispose([batch.rgb, batch.depth, batch.mask]);
    optimizer.dispose();
  }
}

function runLeak(task: Extract<Task, { kind: 'leak' }>): TaskResult {
  const m = getModel(task.preset, task.size);
  const loss = presetLoss(m);
  const optimizer = createOptimizer({ name: 'adam', lr: 1e-4 });
  const batch = syntheticBatch(m, task.batch, task.size);
  try {
    // The first step creates the optimizer's moment variables; count from after it.
    trainStep(m.model, loss, optimizer, batch, undefined);
    const start = tf.memory();
    const counts: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < task.steps; i++) {
      trainStep(m.model, loss, optimizer, batch, undefined);
      heartbeat();
      counts.push(tf.memory().numTensors);
    }
    const seconds = (performance.now() - t0) / 1000;
    const end = tf.memory();
    return {
      steps: task.steps,
      seconds,
      startTensors: start.numTensors,
      endTensors: end.numTensors,
      startBytes: start.numBytes,
      endBytes: end.numBytes,
      minTensors: Math.min(...counts),
      maxTensors: Math.max(...counts),
      memory: memoryNow(),
    };
  } finally {
    tf.dispose([batch.rgb, batch.depth, batch.mask]);
    optimizer.dispose();
  }
}

interface Opts {
  warmup: number;
  reps: number;
  capS: number;
}

async function main(): Promise<void> {
  const backend = (arg('backend') ?? 'wasm') as 'wasm' | 'cpu' | 'tensorflow';
  const threads = Number(arg('threads') ?? os.cpus().length);
  const tasks = JSON.parse(arg('tasks') ?? '[]') as Task[];
  const opts: Opts = { warmup: Number(arg('warmup') ?? 2), reps: Number(arg('reps') ?? 5), capS: Number(arg('cap') ?? 60) };
  const out: ChildResult = { backend, threadsRequested: threads, results: [] };
  let info: BackendInfo;
  try {
    info = await setupBackend({ backend, threads });
  } catch (e) {
    out.error = (e as Error).message;
    process.stdout.write(`BENCH_ERROR ${out.error.replace(/\n/g, ' ')}\n`);
    return;
  }
  out.info = { name: info.name, package: info.package, threads: info.threads, simd: info.simd, reason: info.reason };
  process.stdout.write(`BENCH_INFO ${JSON.stringify(out.info)}\n`);
  for (const task of tasks) {
    const t0 = performance.now();
    log(`start ${JSON.stringify(task)}`);
    let r: TaskResult;
    try {
      switch (task.kind) {
        case 'matmul':
          r = runMatmul(task.n, 5);
          break;
        case 'infer':
          r = await runInfer(task, { ...opts, ...task.opts });
          break;
        case 'train':
          r = await runTrain(task, { ...opts, ...task.opts });
          break;
        case 'leak':
          r = runLeak(task);
          break;
        case 'profile': {
          const m = getModel(task.preset, task.size);
          r = (await profileTrainStep(m, presetLoss(m), syntheticBatch(m, task.batch, task.size), task.top ?? 25)) as unknown as TaskResult;
          break;
        }
        case 'loop': {
          const m = getModel(task.preset, task.size);
          r = (await trainingLoopWithBatcher(m, presetLoss(m), task)) as unknown as TaskResult;
          break;
        }
        case 'data':
          r = (await dataPipeline(task)) as unknown as TaskResult;
          break;
        case 'kernels':
          r = { convs: convKernels(DD169_CONV_SHAPES, task.reps) };
          break;
        case 'onnx':
          r = await runOnnx(task, { ...opts, ...task.opts }, threads, getModel(task.preset, task.size), heartbeat);
          break;
        case 'onnx-torch':
          r = await runOnnxTorch(task, { ...opts, ...task.opts }, threads, heartbeat);
          break;
      }
    } catch (e) {
      r = { error: (e as Error).stack ?? String(e) };
    }
    r.wallMs = performance.now() - t0;
    r.loadavg = os.loadavg();
    log(
      `done ${task.kind} in ${(r.wallMs / 1000).toFixed(1)} s${r.medianMs ? `, median ${r.medianMs.toFixed(0)} ms` : ''}${r.skipped ? `, skipped: ${r.skipped}` : ''}${r.error ? `, error ${String(r.error).split('\n')[0]}` : ''}`,
    );
    out.results.push({ task, result: r });
    process.stdout.write(`BENCH_TASK ${JSON.stringify({ task, result: r })}\n`);
  }
  for (const m of models.values()) m.model.dispose();
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exit(1);
    },
  );
}
