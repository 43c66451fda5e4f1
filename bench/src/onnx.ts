/**
 * ONNX Runtime tasks of the bench child (one.ts): a preset exported by depthblocks (export time, file size,
 * inference time in onnxruntime-node at the child's threads), and the same DenseDepth-169 exported by PyTorch
 * (bench/torch/densedepth.py --export-onnx) timed in the same way, with the op counts of both graphs before and
 * after ONNX Runtime's own optimisations (what would show an extra transpose or an unfused batch norm).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '@depthblocks/core';
import { decodeOnnxModel, exportOnnx, loadOnnxModel, type DepthModel } from '@depthblocks/models';
import { median } from './stats';
import type { Size, Task, TaskResult } from './types';

interface Opts {
  warmup: number;
  reps: number;
  capS: number;
}

/** Op counts of an ONNX file's graph (domain-qualified for contrib ops). */
function opCounts(bytes: Uint8Array): Record<string, number> {
  const ops: Record<string, number> = {};
  for (const n of decodeOnnxModel(bytes).graph.node) {
    const k = n.domain ? `${n.domain}:${n.op_type}` : n.op_type;
    ops[k] = (ops[k] ?? 0) + 1;
  }
  return ops;
}

/** Times an async step: warm-up, then `reps` timed runs; skipped when a warm-up run exceeds the cap. */
async function timeAsync(step: () => Promise<void>, o: Opts, heartbeat: () => void) {
  const warmupMs: number[] = [];
  for (let i = 0; i < o.warmup; i++) {
    const t0 = performance.now();
    await step();
    heartbeat();
    warmupMs.push(performance.now() - t0);
    if (warmupMs[i] > o.capS * 1000)
      return { warmupMs, timesMs: [], skipped: `one run took ${(warmupMs[i] / 1000).toFixed(1)} s > cap ${o.capS} s` };
  }
  const timesMs: number[] = [];
  for (let i = 0; i < o.reps; i++) {
    const t0 = performance.now();
    await step();
    heartbeat();
    timesMs.push(performance.now() - t0);
  }
  return { warmupMs, timesMs, medianMs: median(timesMs) };
}

const ort = () => require('onnxruntime-node');
const sessionOptions = (threads: number, optimizedModelFilePath?: string) => ({
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  ...(optimizedModelFilePath ? { optimizedModelFilePath } : {}),
});

/** The graph ONNX Runtime runs after its optimisations (NCHWc convolutions, fusions): op counts. */
async function optimizedOps(model: string | Uint8Array, threads: number): Promise<Record<string, number>> {
  const file = path.join(os.tmpdir(), `depthblocks-bench-opt-${process.pid}.onnx`);
  const s = await ort().InferenceSession.create(model, { ...sessionOptions(threads, file), logSeverityLevel: 3 });
  await s.release();
  const ops = opCounts(fs.readFileSync(file));
  fs.rmSync(file, { force: true });
  return ops;
}

/** depthblocks' export of a preset, timed in ONNX Runtime. */
export async function runOnnx(
  task: Extract<Task, { kind: 'onnx' }>,
  o: Opts,
  threads: number,
  m: DepthModel,
  heartbeat: () => void,
): Promise<TaskResult> {
  const t0 = performance.now();
  const exported = await exportOnnx(m, { output: 'raw' });
  const exportMs = performance.now() - t0;
  const bytes = exported.model.length + (exported.externalData?.data.length ?? 0);
  const t1 = performance.now();
  const session = await loadOnnxModel(exported, { threads });
  const sessionMs = performance.now() - t1;
  const x = tf.randomUniform([task.batch, task.size[0], task.size[1], 3], 0, 1, 'float32', 5) as tf.Tensor4D;
  try {
    const t = await timeAsync(async () => (await session.run(x)).dispose(), o, heartbeat);
    const graph = task.graph ? { ops: exported.stats.ops, optimizedOps: await optimizedOps(exported.model, threads) } : undefined;
    return { ...t, exportMs, bytes, sessionMs, nodes: exported.stats.nodes, foldedBatchNorms: exported.stats.foldedBatchNorms, graph };
  } finally {
    x.dispose();
    await session.release();
  }
}

/** DenseDepth-169 exported by PyTorch (torch.onnx.export, opset 17), timed in ONNX Runtime the same way. */
export async function runOnnxTorch(
  task: Extract<Task, { kind: 'onnx-torch' }>,
  o: Opts,
  threads: number,
  heartbeat: () => void,
): Promise<TaskResult> {
  const python = ['/usr/bin/python3', 'python3'].find(
    (p) => spawnSync(p, ['-c', 'import torch, torchvision'], { encoding: 'utf8' }).status === 0,
  );
  if (!python) return { skipped: 'PyTorch not available (python3 -c "import torch, torchvision" failed)' };
  const file = path.join(os.tmpdir(), `depthblocks-bench-torch-${process.pid}.onnx`);
  const script = path.resolve(__dirname, '..', 'torch', 'densedepth.py');
  const r = spawnSync(python, [script, '--export-onnx', `${task.size[0]}x${task.size[1]}:${file}`], { encoding: 'utf8', timeout: 600_000 });
  const line = r.stdout?.split('\n').find((l) => l.startsWith('TORCH_EXPORT '));
  if (!line) return { error: `torch.onnx.export failed (exit ${r.status}): ${(r.stderr ?? '').split('\n').slice(-3).join(' | ')}` };
  const exported = JSON.parse(line.slice(13)) as { seconds: number; bytes: number; opset: number };
  heartbeat();
  try {
    const bytes = fs.readFileSync(file);
    const t1 = performance.now();
    const session = await ort().InferenceSession.create(file, sessionOptions(threads));
    const sessionMs = performance.now() - t1;
    const dims = [1, 3, task.size[0], task.size[1]];
    const input = new (ort().Tensor)(
      'float32',
      Float32Array.from({ length: dims.reduce((a, b) => a * b) }, (_, i) => (i % 251) / 251),
      dims,
    );
    const t = await timeAsync(async () => void (await session.run({ [session.inputNames[0]]: input })), o, heartbeat);
    await session.release();
    return {
      ...t,
      exportMs: exported.seconds * 1000,
      bytes: exported.bytes,
      opset: exported.opset,
      sessionMs,
      graph: { ops: opCounts(bytes), optimizedOps: await optimizedOps(file, threads) },
    };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

export type { Size };
