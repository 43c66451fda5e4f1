/**
 * One trainer for every model, loss and dataset, in any runtime: Adam/AdamW/SGD with weight decay, learning-rate
 * schedules, encoder frozen for the first N epochs, gradient clipping, periodic evaluation, a progress line, a
 * log of every step and evaluation (to a callback), checkpoints and exact resume (to a {@link CheckpointStore}),
 * and a clear stop on a non-finite loss. Node's entry adds checkpoint files and a JSONL log file (trainer-node.ts).
 */
import { DepthblocksError, Rng, disposeBatch, tf, type Batch } from '@depthblocks/core';
import type { LossBreakdown, LossFn } from '@depthblocks/losses';
import { decodeCheckpoint, encodeCheckpoint, restoreCheckpoint, type CheckpointState, type CheckpointStore } from './checkpoint';
import { createOptimizer, type OptimizerOptions, type TrainOptimizer } from './optimizer';
import { Progress } from './progress';
import { createSchedule, type ScheduleOptions } from './schedule';

/**
 * A loss as @depthblocks/losses makes them: a {@link LossFn} (a scalar), or a combined loss that returns
 * `{ total, terms }` for logging each term.
 */
export type TrainLoss = (...args: Parameters<LossFn>) => ReturnType<LossFn> | LossBreakdown;

/** Where batches come from: a Batcher (which has `epoch(e)`), or a function of the epoch. */
export type BatchSource = { epoch(e: number): AsyncIterable<Batch>; batchesPerEpoch?: number } | ((epoch: number) => AsyncIterable<Batch>);

/** Something that can be frozen (an Encoder from @depthblocks/encoders). */
export interface Freezable {
  freeze(): void;
  unfreeze(): void;
}

export interface TrainOptions {
  model: tf.LayersModel;
  loss: TrainLoss;
  data: BatchSource;
  epochs: number;
  optimizer?: OptimizerOptions;
  schedule?: ScheduleOptions;
  /** Freeze `encoder` for the first `epochs` epochs, then train everything (Maastricht brief: 2). */
  freezeEncoder?: { encoder: Freezable; epochs: number };
  /** Clip gradients to this global L2 norm. */
  clipGradNorm?: number;
  /** Runs after every `evalEvery` epochs; its numbers go to the log, and `monitor` feeds the plateau schedule. */
  evaluate?: (model: tf.LayersModel, epoch: number) => Promise<Record<string, number>>;
  evalEvery?: number;
  /** Metric that the plateau schedule watches (default: the epoch's mean training loss, 'loss'). */
  monitor?: string;
  /** Where checkpoints go (e.g. `memoryCheckpoint()`). Written at every epoch end and every `checkpointEvery` steps. */
  checkpoint?: CheckpointStore;
  checkpointEvery?: number;
  /** Continue from `checkpoint` if it holds one (weights, optimizer, step, epoch, RNG, schedule). */
  resume?: boolean;
  /** Receives one entry per step and one per evaluation (Node's `logFile` writes them as JSONL). */
  onLog?: (entry: TrainLogEntry) => void;
  /**
   * Progress on stderr (default; redrawn in place on a terminal, throttled lines otherwise, nothing in a browser),
   * `false` for none, or a function that receives each line.
   */
  progress?: boolean | ((line: string) => void);
  /** Stop after this many steps in total (for quick runs and tests). */
  maxSteps?: number;
  /** Stop after the step that passes this many seconds of training (a time budget). */
  maxSeconds?: number;
  /**
   * Stops training cleanly when aborted (e.g. on SIGINT): the step in progress finishes, a checkpoint is
   * written at that step (with `checkpoint`), and train() returns with `interrupted` set.
   */
  signal?: AbortSignal;
  /** Lines that are always worth saying (resumed from where; stopped where), whatever `progress` is. */
  log?: (line: string) => void;
  /**
   * Called once when training resumes from `checkpoint`, before the first step, with where it resumes and the
   * trainer's `log` line writer (Node's `logFile` uses it to drop log records the checkpoint does not hold).
   */
  onResume?: (resumed: ResumeInfo, say: (line: string) => void) => void;
  /** Seed of the trainer's RNG (saved in checkpoints; given to `onStep`). */
  seed?: number;
  /** Stored in checkpoints so that a model can be rebuilt from them. */
  modelConfig?: unknown;
  onStep?: (record: StepRecord) => void;
}

export interface StepRecord {
  step: number;
  epoch: number;
  loss: number;
  terms: Record<string, number>;
  lr: number;
  gradNorm?: number;
  samplesPerSecond: number;
}

/** One line of the training log: a step (its {@link StepRecord}) or an evaluation (its metrics). */
export interface TrainLogEntry {
  type: 'step' | 'eval';
  /** ISO 8601 time. */
  time: string;
  step: number;
  epoch: number;
  [field: string]: unknown;
}

export interface EvalRecord {
  epoch: number;
  step: number;
  metrics: Record<string, number>;
}

/** Where training resumed: the checkpoint's step and epoch, and the batches of that epoch already done. */
export interface ResumeInfo {
  step: number;
  epoch: number;
  stepInEpoch: number;
  /** The checkpoint store's name (a file path in Node). */
  checkpoint: string;
}

export interface TrainResult {
  steps: number;
  epochs: number;
  history: StepRecord[];
  evals: EvalRecord[];
  seconds: number;
  samplesPerSecond: number;
  checkpoint?: string;
  /** Where training resumed from, when it did. */
  resumed?: ResumeInfo;
  /** Set when `signal` stopped training: the step and epoch of the checkpoint written (if any). */
  interrupted?: { step: number; epoch: number; reason: string; checkpoint?: string };
}

function epochIterable(data: BatchSource, epoch: number): AsyncIterable<Batch> {
  return typeof data === 'function' ? data(epoch) : data.epoch(epoch);
}

/** The tf.Variables the optimizer updates: the model's trainable weights (frozen layers excluded). */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Resizes the target and mask to the prediction's size (nearest, so depth values stay exact). */
function matchSize(t: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  return t.shape[1] === h && t.shape[2] === w ? t : tf.image.resizeNearestNeighbor(t, [h, w], false, true);
}

/**
 * Trains a model.
 *
 * @example
 * const result = await train({
 *   model, data: batcher, epochs: 5,
 *   loss: combineLosses({ l1: 0.1, grad: 1, ssim: 1 }, { ssim: { maxVal: 100 } }),
 *   optimizer: { name: 'adam', lr: 1e-4 }, checkpoint: memoryCheckpoint(), onLog: (e) => chart.add(e),
 * });
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const { model, loss, data, epochs } = options;
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new DepthblocksError('INVALID_ARGUMENT', `epochs must be a positive integer, got ${epochs}`);
  if (options.clipGradNorm !== undefined && !(options.clipGradNorm > 0)) {
    throw new DepthblocksError('INVALID_ARGUMENT', `clipGradNorm must be > 0, got ${options.clipGradNorm}`);
  }
  const optimizer: TrainOptimizer = createOptimizer(options.optimizer);
  const baseLr = optimizer.lr;
  const schedule = createSchedule(options.schedule);
  const rng = new Rng(options.seed ?? 0);
  const evalEvery = options.evalEvery ?? 1;
  const perEpoch = typeof data === 'function' ? undefined : data.batchesPerEpoch;
  const totalSteps = options.maxSteps ?? (perEpoch ? perEpoch * epochs : 0);
  const history: StepRecord[] = [];
  const evals: EvalRecord[] = [];
  const onLog = options.onLog;
  const progress = new Progress(options.progress, totalSteps, epochs);
  const say = (line: string): void => (options.log ? options.log(line) : progress.note(line));

  let step = 0;
  let startEpoch = 0;
  let skipInEpoch = 0;
  let resumed: TrainResult['resumed'];
  let lastCheckpointStep: number | null = null;
  const stored = options.resume && options.checkpoint ? await options.checkpoint.read() : null;
  if (stored && options.checkpoint) {
    const ckpt = decodeCheckpoint(stored, options.checkpoint.name);
    await restoreCheckpoint(ckpt, model, optimizer, options.checkpoint.name);
    step = ckpt.state.step;
    startEpoch = ckpt.state.epoch;
    skipInEpoch = ckpt.state.stepInEpoch;
    lastCheckpointStep = step;
    if (ckpt.state.rng) rng.setState(ckpt.state.rng as ReturnType<Rng['getState']>);
    if (ckpt.state.schedule) Object.assign(schedule.state, ckpt.state.schedule);
    resumed = { step, epoch: startEpoch, stepInEpoch: skipInEpoch, checkpoint: options.checkpoint.name };
    say(`resuming from ${options.checkpoint.name}: step ${step}, epoch ${startEpoch + 1} (batch ${skipInEpoch} of the epoch done)`);
    options.onResume?.(resumed, say);
  }

  const writeCheckpoint = async (epoch: number, stepInEpoch: number): Promise<void> => {
    if (!options.checkpoint) return;
    const state: CheckpointState = {
      step,
      epoch,
      stepInEpoch,
      lr: optimizer.lr,
      rng: rng.getState(),
      schedule: { ...schedule.state },
      modelConfig: options.modelConfig,
    };
    await options.checkpoint.write(await encodeCheckpoint(model, optimizer, state));
    lastCheckpointStep = step;
  };

  let frozen: boolean | null = null;
  const setFrozen = (f: boolean): void => {
    if (!options.freezeEncoder || frozen === f) return;
    if (f) options.freezeEncoder.encoder.freeze();
    else options.freezeEncoder.encoder.unfreeze();
    frozen = f;
  };

  const t0 = performance.now();
  let samples = 0;
  let lastSamplesPerSecond = 0;
  let interrupted: TrainResult['interrupted'];
  const stop = async (epoch: number, inEpoch: number): Promise<void> => {
    await writeCheckpoint(epoch, inEpoch);
    const reason = String(options.signal?.reason ?? 'abort');
    interrupted = { step, epoch, reason, checkpoint: options.checkpoint?.name };
    say(`stopped (${reason}) at step ${step}, epoch ${epoch + 1}${options.checkpoint ? `; checkpoint: ${options.checkpoint.name}` : ''}`);
  };
  try {
    outer: for (let epoch = startEpoch; epoch < epochs; epoch++) {
      setFrozen(options.freezeEncoder ? epoch < options.freezeEncoder.epochs : false);
      let inEpoch = 0;
      let epochLoss = 0;
      let epochSteps = 0;
      if (options.signal?.aborted) {
        await stop(epoch, 0);
        break outer;
      }
      for await (const batch of epochIterable(data, epoch)) {
        if (epoch === startEpoch && inEpoch < skipInEpoch) {
          disposeBatch(batch);
          inEpoch++;
          continue;
        }
        if (options.signal?.aborted) {
          disposeBatch(batch);
          await stop(epoch, inEpoch);
          break outer;
        }
        optimizer.lr = schedule.lrAt(baseLr, step, epoch, totalSteps);
        const tStep = performance.now();
        let result: { loss: number; terms: Record<string, number>; gradNorm?: number };
        try {
          result = trainStep(model, loss, optimizer, batch, options.clipGradNorm, step, epoch);
        } catch (e) {
          throw withCheckpointFacts(e, options.checkpoint?.name, lastCheckpointStep);
        } finally {
          disposeBatch(batch);
        }
        const n = batch.ids.length;
        samples += n;
        step++;
        inEpoch++;
        epochLoss += result.loss;
        epochSteps++;
        lastSamplesPerSecond = (1000 * n) / Math.max(1e-3, performance.now() - tStep);
        const record: StepRecord = {
          step,
          epoch,
          loss: result.loss,
          terms: result.terms,
          lr: optimizer.lr,
          gradNorm: result.gradNorm,
          samplesPerSecond: lastSamplesPerSecond,
        };
        history.push(record);
        onLog?.({ type: 'step', time: new Date().toISOString(), ...record });
        progress.step(record, (performance.now() - t0) / 1000, samples);
        options.onStep?.(record);
        if (options.checkpointEvery && step % options.checkpointEvery === 0) await writeCheckpoint(epoch, inEpoch);
        const overTime = options.maxSeconds !== undefined && (performance.now() - t0) / 1000 >= options.maxSeconds;
        if (options.signal?.aborted) {
          await stop(epoch, inEpoch);
          break outer;
        }
        if ((options.maxSteps && step >= options.maxSteps) || overTime) {
          if (overTime) progress.note(`time budget of ${options.maxSeconds} s reached at step ${step}`);
          await writeCheckpoint(epoch, inEpoch);
          break outer;
        }
      }
      skipInEpoch = 0;
      const metrics: Record<string, number> = { loss: epochSteps ? epochLoss / epochSteps : NaN };
      if (options.evaluate && (epoch + 1) % evalEvery === 0) {
        Object.assign(metrics, await options.evaluate(model, epoch));
        evals.push({ epoch, step, metrics });
        onLog?.({ type: 'eval', time: new Date().toISOString(), epoch, step, ...metrics });
        progress.note(
          `epoch ${epoch + 1} eval: ${Object.entries(metrics)
            .map(([k, v]) => `${k} ${fmt(v)}`)
            .join(' ')}`,
        );
      }
      if (schedule.observe(metrics[options.monitor ?? 'loss']))
        progress.note(`learning rate reduced to ${schedule.lrAt(baseLr, step, epoch, totalSteps)}`);
      await writeCheckpoint(epoch + 1, 0);
    }
  } finally {
    progress.done();
    optimizer.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    steps: step,
    epochs,
    history,
    evals,
    seconds,
    samplesPerSecond: samples / Math.max(seconds, 1e-9),
    checkpoint: options.checkpoint?.name,
    resumed,
    interrupted,
  };
}

/** A NON_FINITE_LOSS error completed with what is true about checkpoints: the last good one, or none yet. */
function withCheckpointFacts(e: unknown, checkpoint: string | undefined, lastStep: number | null): unknown {
  if (!(e instanceof DepthblocksError) || e.code !== 'NON_FINITE_LOSS') return e;
  const facts = !checkpoint
    ? ' No checkpoint file was given, so nothing was saved: the run starts over.'
    : lastStep === null
      ? ` No checkpoint has been written yet (${checkpoint} is written at epoch ends and every checkpointEvery steps), so a new run starts from the beginning.`
      : ` The last good state is the checkpoint ${checkpoint} at step ${lastStep}; running again resumes from it.`;
  return new DepthblocksError(e.code, e.message + facts, { ...e.details, checkpoint, checkpointStep: lastStep });
}

/**
 * One optimisation step. Throws DepthblocksError('NON_FINITE_LOSS') naming the step and the term, without
 * changing any weight, when the loss or a term is NaN or infinite.
 */
export function trainStep(
  model: tf.LayersModel,
  loss: TrainLoss,
  optimizer: TrainOptimizer,
  batch: Batch,
  clipGradNorm: number | undefined,
  step = 0,
  epoch = 0,
): { loss: number; terms: Record<string, number>; gradNorm?: number } {
  const vars = trainableVariables(model);
  if (vars.length === 0) throw new DepthblocksError('INVALID_ARGUMENT', 'The model has no trainable weights (is everything frozen?)');
  let terms: Record<string, tf.Scalar> = {};
  const { value, grads } = outOfMemoryAsError(batch, step, () =>
    tf.variableGrads(() => {
      const pred = model.apply(batch.rgb, { training: true }) as tf.Tensor4D;
      if (pred.rank !== 4) throw new DepthblocksError('INVALID_RANK', `The model must output [N,H,W,1], got shape [${pred.shape}]`);
      const [, h, w] = pred.shape;
      const out = loss(matchSize(batch.depth, h, w), pred, matchSize(batch.mask, h, w), {
        pairs: batch.pairs,
        pairsSize: { height: batch.rgb.shape[1], width: batch.rgb.shape[2] },
      });
      if (out instanceof tf.Tensor) return out;
      terms = Object.fromEntries(Object.entries(out.terms).map(([k, t]) => [k, tf.keep(t)]));
      return out.total;
    }, vars),
  );
  const lossValue = value.dataSync()[0];
  const termValues = Object.fromEntries(Object.entries(terms).map(([k, t]) => [k, t.dataSync()[0]]));
  tf.dispose([value, ...Object.values(terms)]);
  if (!Number.isFinite(lossValue)) {
    tf.dispose(Object.values(grads));
    const bad = Object.entries(termValues).find(([, v]) => !Number.isFinite(v));
    throw new DepthblocksError(
      'NON_FINITE_LOSS',
      `Loss became ${lossValue} at step ${step + 1} (epoch ${epoch + 1})` +
        (bad ? `; term '${bad[0]}' = ${bad[1]}` : `; terms: ${JSON.stringify(termValues)}`) +
        '. The weights were not updated. Check the data (NaN or zero depth not masked?) or lower the learning rate.',
      { step: step + 1, epoch: epoch + 1, term: bad?.[0], terms: termValues },
    );
  }
  let gradNorm: number | undefined;
  let applied: Record<string, tf.Tensor> = grads;
  if (clipGradNorm !== undefined) {
    gradNorm = Math.sqrt(tf.tidy(() => tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))).dataSync()[0]));
    if (gradNorm > clipGradNorm) {
      const scale = clipGradNorm / gradNorm;
      applied = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)]));
      tf.dispose(Object.values(grads));
    }
  }
  optimizer.apply(applied, vars);
  tf.dispose(Object.values(applied));
  return { loss: lossValue, terms: termValues, gradNorm };
}

/**
 * The wasm backend's memory is limited to 4 GB (wasm32); past it, the wasm code aborts with a bare
 * RuntimeError. Say what happened and what to do instead.
 */
function outOfMemoryAsError<T>(batch: Batch, step: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const msg = (e as Error)?.message ?? String(e);
    if (tf.getBackend() === 'wasm' && /memory access out of bounds|Aborted\(|out of memory|Cannot enlarge memory/i.test(msg)) {
      throw new DepthblocksError(
        'OUT_OF_MEMORY',
        `The wasm backend ran out of memory in training step ${step + 1} (batch [${batch.rgb.shape}]): wasm is limited to 4 GB. ` +
          'Lower the batch size or the input size, or install @tensorflow/tfjs-node (or -gpu) for this model and size. ' +
          `(${msg.split('\n')[0]})`,
        { step: step + 1, shape: batch.rgb.shape },
      );
    }
    throw e;
  }
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 || v === 0 ? v.toFixed(2) : v.toPrecision(4);
}
