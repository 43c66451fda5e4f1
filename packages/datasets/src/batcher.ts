/**
 * The batcher: shuffles by seed, loads and augments samples ahead of the consumer (prefetch), and
 * stacks them into NHWC tensors. Decoding runs on sharp's thread pool while the training step runs,
 * so training does not wait on image decoding.
 */
import { DepthblocksError, Rng, tf, type Batch, type OrdinalPair, type Sample } from '@depthblocks/core';
import { isSkippable, type Dataset, type OnError, type ValidateOptions, type ValidationReport } from './dataset';
import type { Transform } from './transforms';

// Declared in core, so that a trainer can dispose batches without depending on this package.
export { disposeBatch } from '@depthblocks/core';

/** Options of {@link Batcher}. */
export interface BatcherOptions {
  /** Samples per batch. */
  batchSize: number;
  /** Shuffle the order each epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffle and of the random transforms (default 0). */
  seed?: number;
  /** Per-sample transform (augmentation, resize, crop); gets an Rng that depends only on (seed, epoch, position). */
  transform?: Transform;
  /** Drop a last, smaller batch (default false). */
  dropLast?: boolean;
  /** Batches kept loading ahead of the consumer (default 2); 0 loads on demand. */
  prefetch?: number;
  /** A bad sample: 'throw' (default) or 'skip' it, count it in `skipped` and fill the batch from the next ones. */
  onError?: OnError;
  /**
   * Maps depth (metres) to the training target, e.g. `(d) => depthToTarget(d, { kind: 'densedepth', minDepth: 0.1, maxDepth: 10 })`
   * (`depthToTarget` from @depthblocks/core); the mask is taken from the raw depth.
   */
  depthTransform?: (depthM: Float32Array) => Float32Array;
}

/** Loader statistics, for checking that training never waits on data. */
export interface BatcherStats {
  batches: number;
  samples: number;
  skipped: number;
  /** Total milliseconds the consumer waited for a batch that was not ready yet. */
  waitMs: number;
}

type Settled = { ok: true; sample: Sample } | { ok: false; error: unknown; index: number };

function mix(seed: number, a: number, b: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(a + 0x632be5ab, 0x85ebca77) ^ Math.imul(b + 0x2545f491, 0xc2b2ae3d)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Stacks same-size samples into a Batch of tensors: rgb [N,H,W,3] in [0,1], depth [N,H,W,1]
 * (optionally mapped by `depthTransform`), mask [N,H,W,1] = 1 where the raw depth is valid (> 0, finite).
 * The caller owns the tensors: dispose them with {@link disposeBatch}.
 *
 * @example
 * const batch = samplesToBatch([await ds.get(0), await ds.get(1)]);
 * disposeBatch(batch);
 */
export function samplesToBatch(samples: Sample[], depthTransform?: (depthM: Float32Array) => Float32Array): Batch {
  if (samples.length === 0) throw new DepthblocksError('INVALID_ARGUMENT', 'samplesToBatch: no samples');
  const { width: w, height: h } = samples[0];
  for (const s of samples) {
    if (s.width !== w || s.height !== h) {
      throw new DepthblocksError(
        'SHAPE_MISMATCH',
        `Cannot batch sample '${s.id}' (${s.height}x${s.width}) with '${samples[0].id}' (${h}x${w}): ` +
          `add a resize or crop transform so every sample has the same size`,
      );
    }
    if (s.rgb.length !== w * h * 3 || s.depth.length !== w * h) {
      throw new DepthblocksError(
        'INVALID_DATA',
        `Sample '${s.id}' has rgb ${s.rgb.length} / depth ${s.depth.length} values, expected ${w * h * 3} / ${w * h} for ${h}x${w}`,
      );
    }
  }
  const n = samples.length;
  const plane = w * h;
  const rgb = new Float32Array(n * plane * 3);
  const depth = new Float32Array(n * plane);
  const mask = new Float32Array(n * plane);
  for (let k = 0; k < n; k++) {
    const s = samples[k];
    const o3 = k * plane * 3;
    for (let i = 0; i < plane * 3; i++) rgb[o3 + i] = s.rgb[i] / 255;
    const target = depthTransform ? depthTransform(s.depth) : s.depth;
    if (target.length !== plane) {
      throw new DepthblocksError('INVALID_DATA', `depthTransform returned ${target.length} values for sample '${s.id}', expected ${plane}`);
    }
    const o = k * plane;
    for (let i = 0; i < plane; i++) {
      const d = s.depth[i];
      const valid = d > 0 && Number.isFinite(d);
      mask[o + i] = valid ? 1 : 0;
      depth[o + i] = valid ? target[i] : 0;
    }
  }
  const batch: Batch = {
    ids: samples.map((s) => s.id),
    rgb: tf.tensor4d(rgb, [n, h, w, 3]),
    depth: tf.tensor4d(depth, [n, h, w, 1]),
    mask: tf.tensor4d(mask, [n, h, w, 1]),
  };
  if (samples.some((s) => s.pairs)) batch.pairs = samples.map((s): OrdinalPair[] => s.pairs ?? []);
  return batch;
}

/**
 * Turns a Dataset into batches of tensors, with seeded shuffling and augmentation and a prefetch
 * window of `prefetch` batches. Each `for await` over the batcher is one epoch (epoch 0, 1, 2, ...);
 * `epoch(e)` replays epoch `e` exactly (for resuming). Batches belong to the consumer: dispose them.
 *
 * @example
 * const ds = syntheticDataset({ count: 64, width: 64, height: 64, seed: 1 });
 * const batcher = new Batcher(ds, { batchSize: 8, seed: 1, transform: compose(randomHorizontalFlip(0.5)) });
 * for await (const batch of batcher) {
 *   // ... model.trainOnBatch(batch.rgb, batch.depth) ...
 *   disposeBatch(batch);
 * }
 */
export class Batcher implements AsyncIterable<Batch> {
  readonly dataset: Dataset;
  private readonly opts: Required<Omit<BatcherOptions, 'transform' | 'depthTransform'>> &
    Pick<BatcherOptions, 'transform' | 'depthTransform'>;
  private nextEpoch = 0;
  /** Counters over the batcher's lifetime. */
  readonly stats: BatcherStats = { batches: 0, samples: 0, skipped: 0, waitMs: 0 };
  /** The errors behind `stats.skipped`. */
  readonly skippedErrors: unknown[] = [];

  constructor(dataset: Dataset, options: BatcherOptions) {
    const bs = options.batchSize;
    if (!Number.isInteger(bs) || bs < 1)
      throw new DepthblocksError('INVALID_ARGUMENT', `Batcher: batchSize must be a positive integer, got ${bs}`);
    const prefetch = options.prefetch ?? 2;
    if (!Number.isInteger(prefetch) || prefetch < 0)
      throw new DepthblocksError('INVALID_ARGUMENT', `Batcher: prefetch must be a non-negative integer, got ${prefetch}`);
    const onError = options.onError ?? 'throw';
    if (onError !== 'throw' && onError !== 'skip')
      throw new DepthblocksError('INVALID_ARGUMENT', `Batcher: onError must be 'throw' or 'skip', got '${String(onError)}'`);
    this.dataset = dataset;
    this.opts = {
      batchSize: bs,
      shuffle: options.shuffle ?? true,
      seed: options.seed ?? 0,
      dropLast: options.dropLast ?? false,
      prefetch,
      onError,
      transform: options.transform,
      depthTransform: options.depthTransform,
    };
  }

  /** Samples skipped so far (onError: 'skip'). */
  get skipped(): number {
    return this.stats.skipped;
  }

  /** Batches in one epoch if no sample is skipped. */
  get batchesPerEpoch(): number {
    const n = this.dataset.length;
    return this.opts.dropLast ? Math.floor(n / this.opts.batchSize) : Math.ceil(n / this.opts.batchSize);
  }

  /** The sample order of epoch `e` (dataset indices). */
  order(e: number): number[] {
    const idx = Array.from({ length: this.dataset.length }, (_, i) => i);
    if (this.opts.shuffle) new Rng(mix(this.opts.seed, e, 0x5eed)).shuffle(idx);
    return idx;
  }

  /** The epoch the next `for await` will run. Set it to resume training at a given epoch. */
  get epochIndex(): number {
    return this.nextEpoch;
  }
  set epochIndex(e: number) {
    if (!Number.isInteger(e) || e < 0)
      throw new DepthblocksError('INVALID_ARGUMENT', `Batcher: epoch must be a non-negative integer, got ${e}`);
    this.nextEpoch = e;
  }

  [Symbol.asyncIterator](): AsyncIterator<Batch> {
    return this.epoch(this.nextEpoch++);
  }

  /**
   * Checks the dataset before a long run: every listed file exists and sizes agree. Throws a
   * DepthblocksError listing problems (unless `throwOnProblem: false`).
   */
  async validate(options: ValidateOptions = {}): Promise<ValidationReport> {
    if (!this.dataset.validate) return { ok: true, checked: 0, problems: [] };
    return this.dataset.validate(options);
  }

  /** Batches of epoch `e`. */
  async *epoch(e: number): AsyncGenerator<Batch> {
    const { batchSize, prefetch, onError, transform, seed } = this.opts;
    const order = this.order(e);
    const window = prefetch * batchSize;
    const inFlight: Array<Promise<Settled> | undefined> = new Array(order.length);
    let started = 0;
    const load = (pos: number): Promise<Settled> => {
      const index = order[pos];
      return this.dataset.get(index).then(
        (s) => {
          try {
            const out = transform ? transform(s, new Rng(mix(seed, e, pos))) : s;
            return { ok: true, sample: out } as Settled;
          } catch (error) {
            return { ok: false, error, index } as Settled;
          }
        },
        (error) => ({ ok: false, error, index }) as Settled,
      );
    };
    const fill = (upTo: number): void => {
      while (started < order.length && started < upTo) {
        inFlight[started] = load(started);
        started++;
      }
    };
    let pending: Sample[] = [];
    for (let pos = 0; pos < order.length; pos++) {
      // Keep `prefetch` batches' worth of samples loading beyond the one being assembled.
      fill(pos + 1 + window);
      const t0 = performance.now();
      const r = await inFlight[pos]!;
      this.stats.waitMs += performance.now() - t0;
      inFlight[pos] = undefined;
      if (!r.ok) {
        if (onError === 'skip' && isSkippable(r.error)) {
          this.stats.skipped++;
          this.skippedErrors.push(r.error);
          continue;
        }
        throw r.error;
      }
      pending.push(r.sample);
      if (pending.length === batchSize) {
        const batch = samplesToBatch(pending, this.opts.depthTransform);
        this.stats.batches++;
        this.stats.samples += pending.length;
        pending = [];
        yield batch;
      }
    }
    if (pending.length > 0 && !this.opts.dropLast) {
      const batch = samplesToBatch(pending, this.opts.depthTransform);
      this.stats.batches++;
      this.stats.samples += pending.length;
      yield batch;
    }
  }
}
