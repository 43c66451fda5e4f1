/**
 * Data pipeline throughput: the synthetic renderer and decoding PNG/JPEG files (NYU-like folders) through the
 * Batcher, and a short training loop fed by the Batcher to see whether training waits on data.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { depthToTarget, tf } from '@depthblocks/core';
import {
  Batcher,
  RgbdListDataset,
  disposeBatch,
  encodeDepthPng,
  encodeRgb,
  renderSyntheticSample,
  syntheticDataset,
  type Dataset,
} from '@depthblocks/datasets';
import { createOptimizer, trainStep, type DepthModel, type TrainLoss } from '@depthblocks/models';
import type { Size } from './types';

/** DenseDepth's target, 1000 / clip(depth_cm, 10, 1000). */
const DENSEDEPTH = { kind: 'densedepth', minDepth: 0.1, maxDepth: 10 } as const;

export interface PipelineRate {
  samples: number;
  seconds: number;
  samplesPerSecond: number;
  waitMs: number;
}

async function drain(ds: Dataset, batch: number): Promise<PipelineRate> {
  const b = new Batcher(ds, { batchSize: batch, seed: 1, prefetch: 2, depthTransform: (d) => depthToTarget(d, DENSEDEPTH) });
  const t0 = performance.now();
  let samples = 0;
  for await (const x of b.epoch(0)) {
    samples += x.ids.length;
    disposeBatch(x);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { samples, seconds, samplesPerSecond: samples / seconds, waitMs: b.stats.waitMs };
}

/** Writes `count` synthetic samples as NYU-like files: <root>/data/nyu2_train/scene_k/i.jpg and i.png (16-bit mm). */
async function writeNyuLikeFiles(root: string, count: number, size: Size): Promise<{ id: string; rgbPath: string; depthPath: string }[]> {
  const entries = [];
  for (let i = 0; i < count; i++) {
    const s = renderSyntheticSample(1000 + i, size[1], size[0]);
    const dir = path.join(root, 'data', 'nyu2_train', `scene_${i % 4}`);
    fs.mkdirSync(dir, { recursive: true });
    const rgbPath = path.join(dir, `${i}.jpg`);
    const depthPath = path.join(dir, `${i}.png`);
    fs.writeFileSync(rgbPath, await encodeRgb(s.rgb, s.width, s.height, 'jpeg', 95));
    fs.writeFileSync(depthPath, await encodeDepthPng(s.depth, s.width, s.height, 1 / 1000));
    entries.push({ id: `scene_${i % 4}/${i}`, rgbPath, depthPath });
  }
  return entries;
}

/**
 * Samples/s of the synthetic renderer alone, of the Batcher over it, and (files: true) of the Batcher over
 * JPEG + 16-bit PNG files decoded by sharp.
 */
export async function dataPipeline(task: { size: Size; batch: number; samples: number; files: boolean }): Promise<Record<string, unknown>> {
  const [h, w] = task.size;
  const t0 = performance.now();
  const n = Math.max(4, Math.floor(task.samples / 2));
  for (let i = 0; i < n; i++) renderSyntheticSample(i, w, h);
  const renderMs = (performance.now() - t0) / n;
  const synthetic = await drain(syntheticDataset({ count: task.samples, width: w, height: h, seed: 3 }), task.batch);
  const out: Record<string, unknown> = { renderMsPerSample: renderMs, synthetic };
  if (task.files) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-bench-'));
    try {
      const entries = await writeNyuLikeFiles(root, task.samples, task.size);
      const ds = new RgbdListDataset(entries, { name: 'nyu-like files', depthScale: 1 / 1000 });
      out.files = { ...(await drain(ds, task.batch)), format: 'JPEG q95 RGB + 16-bit PNG depth (mm), decoded by sharp' };
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
  out.tensorsAfter = tf.memory().numTensors;
  return out;
}

/**
 * A short training loop fed by a Batcher over the synthetic set at the model's size: step times, the Batcher's
 * waitMs, and the loop's time outside the steps (data work done on the main thread between steps).
 */
export async function trainingLoopWithBatcher(
  m: DepthModel,
  loss: TrainLoss,
  task: { size: Size; batch: number; steps: number },
): Promise<Record<string, unknown>> {
  const [h, w] = task.size;
  const ds = syntheticDataset({ count: task.batch * (task.steps + 1), width: w, height: h, seed: 5 });
  const batcher = new Batcher(ds, { batchSize: task.batch, seed: 2, prefetch: 2, depthTransform: (d) => depthToTarget(d, DENSEDEPTH) });
  const optimizer = createOptimizer({ name: 'adam', lr: 1e-4 });
  const stepMs: number[] = [];
  let first = true;
  let loopStart = 0;
  let waitAtStart = 0;
  try {
    for await (const b of batcher.epoch(0)) {
      const t0 = performance.now();
      try {
        trainStep(m.model, loss, optimizer, b, undefined);
      } finally {
        disposeBatch(b);
      }
      if (first) {
        // The first batch and step (optimizer state creation) are not part of the steady state.
        first = false;
        loopStart = performance.now();
        waitAtStart = batcher.stats.waitMs;
        continue;
      }
      stepMs.push(performance.now() - t0);
    }
  } finally {
    optimizer.dispose();
  }
  const loopMs = performance.now() - loopStart;
  const steps = stepMs.reduce((s, x) => s + x, 0);
  return {
    steps: stepMs.length,
    stepMs,
    loopMs,
    sumStepMs: steps,
    outsideStepsMs: loopMs - steps,
    waitMs: batcher.stats.waitMs - waitAtStart,
    prefetch: 2,
  };
}
