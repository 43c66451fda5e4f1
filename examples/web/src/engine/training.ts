/**
 * Training in the page, in the engine worker (so the page stays responsive): the quickstart's recipe on the
 * procedural synthetic scenes, rendered here, with pause / resume / stop between steps, a live loss chart per term,
 * and at the end the quickstart's metrics table (constant-depth baseline, before and after training).
 */
import { tf, type Batch, type Dataset } from '@depthblocks/core';
import { Batcher, compose, randomChannelPermutation, randomHorizontalFlip, syntheticDataset } from '@depthblocks/datasets';
import { combineLosses } from '@depthblocks/losses';
import { createAccumulator, toMarkdownTable, type DepthMetrics } from '@depthblocks/metrics';
import {
  constantBaseline,
  createDepthModel,
  depthToTarget,
  evaluate,
  lineChart,
  train,
  type DepthModel,
  type DepthModelSpec,
  type StepRecord,
} from '@depthblocks/models';
import type { TrainProgress, TrainSettings } from './protocol';

/** The quickstart's protocol: caps 1e-3..10 m, Eigen crop scaled to the image, per-image averages. */
export const PROTOCOL = 'nyu-eigen';

/** The models the page trains: the quickstart's, and a small U-Net from scratch for quick runs. */
export function trainingModelSpec(settings: Pick<TrainSettings, 'model' | 'width' | 'height'>): DepthModelSpec {
  const common = {
    head: { activation: 'sigmoid' as const, outputSize: 'input' as const },
    inputSize: [settings.height, settings.width] as [number, number],
    depth: { kind: 'unit' as const, maxDepth: 10 }, // depth learnt as depth / 10 m in [0, 1]
  };
  if (settings.model === 'tiny') {
    return {
      name: 'web_unet_scratch_tiny',
      encoder: { name: 'unet_scratch', options: { baseFilters: 8, seed: 1 } },
      decoder: { name: 'unet', options: { channels: [64, 32, 16, 8], seed: 1 } },
      ...common,
    };
  }
  return {
    name: 'quickstart_unet_resnet18',
    encoder: { name: 'resnet18', options: { seed: 1 } },
    decoder: { name: 'unet', options: { channels: [128, 64, 32, 16, 16], seed: 1 } },
    ...common,
  };
}

/** Pause, resume and stop, checked between training steps. */
export class TrainingControl {
  private paused = false;
  private wake: (() => void) | null = null;
  private pausedMs = 0;
  private t0 = performance.now();
  stopped = false;
  /** Samples handed to the trainer so far. */
  samples = 0;
  /** Steps handed to the trainer so far. */
  steps = 0;

  /** `onPaused(step)` runs when training really stops at a pause: after `step` steps, before the next. */
  constructor(private readonly onPaused: (step: number) => void = () => undefined) {}

  /** Starts the clock (the first step follows). */
  begin(): void {
    this.t0 = performance.now();
    this.pausedMs = 0;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  stop(): void {
    this.stopped = true;
    this.resume();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Seconds of training so far, pauses not counted. */
  get seconds(): number {
    return (performance.now() - this.t0 - this.pausedMs) / 1000;
  }

  /**
   * Before each step: lets the worker's message queue run (a step is synchronous, so pause / stop arrive here),
   * then waits while paused. Resolves false when stopped.
   */
  async gate(): Promise<boolean> {
    await new Promise<void>((r) => setTimeout(r, 0));
    if (this.paused) {
      const t = performance.now();
      this.onPaused(this.steps);
      await new Promise<void>((r) => (this.wake = r));
      this.wake = null;
      this.pausedMs += performance.now() - t;
    }
    return !this.stopped;
  }

  /** The batches of one epoch, each after the gate; ends early when stopped. */
  async *paced(batches: AsyncIterable<Batch>): AsyncIterable<Batch> {
    for await (const b of batches) {
      if (!(await this.gate())) {
        tf.dispose([b.rgb, b.depth, b.mask]);
        return;
      }
      this.samples += b.ids.length;
      this.steps++;
      yield b;
    }
  }
}

async function constantMetrics(ds: Dataset, c: number): Promise<DepthMetrics> {
  const acc = createAccumulator(PROTOCOL);
  for (let i = 0; i < ds.length; i++) {
    const s = await ds.get(i);
    acc.add({ gt: s.depth, width: s.width, height: s.height, pred: new Float32Array(s.depth.length).fill(c) });
  }
  return acc.result().metrics;
}

async function metricsOf(dm: DepthModel, ds: Dataset, flipTTA = false): Promise<DepthMetrics> {
  return ((await evaluate(dm, ds, { protocol: PROTOCOL, flipTTA })).result as { metrics: DepthMetrics }).metrics;
}

/** The live chart: the total loss and each term per step (log scale), as the quickstart's loss.png. */
export function lossChart(history: StepRecord[]): string {
  const terms = Object.keys(history[0]?.terms ?? {});
  return lineChart(
    [
      { name: 'loss', points: history.map((r) => [r.step, r.loss]) },
      ...terms.map((k) => ({ name: k, points: history.map((r) => [r.step, r.terms[k]] as [number, number]) })),
    ],
    { title: 'training loss', xLabel: 'step', yLabel: 'loss', logY: true, width: 640, height: 300 },
  );
}

export interface TrainRun {
  dm: DepthModel;
  steps: number;
  seconds: number;
  samplesPerSecond: number;
  rows: Record<string, DepthMetrics>;
  table: string;
  stopped: boolean;
}

/**
 * Trains a model on synthetic scenes as the quickstart does (L1 + image gradients + SSIM on depth / 10 m, Adam,
 * flip and channel-permutation augmentation) and evaluates it against the constant-depth baseline.
 *
 * @example
 * const run = await trainInPage({ model: 'tiny', width: 64, height: 48, batchSize: 8, steps: 50, lr: 1e-3,
 *   trainScenes: 200, testScenes: 16, seed: 1 }, new TrainingControl(), { onStep: console.log });
 */
export async function trainInPage(
  settings: TrainSettings,
  control: TrainingControl,
  on: { onStep(p: TrainProgress): void; onChart(svg: string): void },
): Promise<TrainRun> {
  const { width, height } = settings;
  const trainSet = syntheticDataset({ count: settings.trainScenes, width, height, seed: settings.seed });
  const testSet = syntheticDataset({ count: settings.testScenes, width, height, seed: settings.seed + 1 });
  const dm = createDepthModel(trainingModelSpec(settings));
  try {
    const evaluating = settings.evaluate ?? true;
    const rows: Record<string, DepthMetrics> = {};
    if (evaluating) {
      const baselineSamples = await Promise.all(Array.from({ length: Math.min(200, trainSet.length) }, (_, i) => trainSet.get(i)));
      const c = constantBaseline(baselineSamples);
      rows[`constant ${c.toFixed(2)} m`] = await constantMetrics(testSet, c);
      rows['before training'] = await metricsOf(dm, testSet);
    }

    const terms = combineLosses({ l1: 1, grad: 1, ssim: 1 }, { ssim: { maxVal: 1 } });
    const loss = (t: tf.Tensor4D, p: tf.Tensor4D, m?: tf.Tensor4D) => {
      const y = depthToTarget(t, dm.config.depth) as tf.Tensor4D;
      const r = terms(y, p, m);
      y.dispose();
      return r;
    };
    const batcher = new Batcher(trainSet, {
      batchSize: settings.batchSize,
      seed: settings.seed,
      transform: compose(randomHorizontalFlip(0.5), randomChannelPermutation(0.25)),
    });
    const perEpoch = Math.max(1, batcher.batchesPerEpoch);
    const history: StepRecord[] = [];
    let lastChart = 0;
    control.begin();
    const result = await train({
      model: dm.model,
      loss,
      data: (epoch) => control.paced(batcher.epoch(epoch)),
      epochs: Math.ceil(settings.steps / perEpoch),
      maxSteps: settings.steps,
      optimizer: { name: settings.optimizer ?? 'adam', lr: settings.lr },
      seed: settings.seed,
      progress: false,
      onStep: (r) => {
        history.push(r);
        on.onStep({
          step: r.step,
          steps: settings.steps,
          epoch: r.epoch,
          loss: r.loss,
          terms: r.terms,
          samplesPerSecond: r.samplesPerSecond,
          seconds: control.seconds,
          paused: control.isPaused,
        });
        if (performance.now() - lastChart > 400 || r.step === settings.steps) {
          lastChart = performance.now();
          on.onChart(lossChart(history));
        }
      },
    });
    const seconds = control.seconds;
    if (history.length) on.onChart(lossChart(history));
    if (evaluating) {
      rows['after training'] = await metricsOf(dm, testSet);
      rows['after training + flip TTA'] = await metricsOf(dm, testSet, true);
    }
    return {
      dm,
      steps: result.steps,
      seconds,
      samplesPerSecond: control.samples / Math.max(seconds, 1e-9),
      rows,
      table: evaluating ? toMarkdownTable(rows) : '',
      stopped: control.stopped,
    };
  } catch (e) {
    dm.model.dispose();
    throw e;
  }
}
