/**
 * Streaming evaluation: accumulators that take one image at a time (never the whole test set), whose
 * partial results merge exactly into the single-pass result (exact float64 summation across images),
 * and which serialise to JSON and back, so evaluation can be split across processes or machines.
 */
import { DepthblocksError, OrdinalPair } from '@depthblocks/core';
import { DepthMetrics, METRIC_KEYS, PIXEL_SUM_KEYS, PixelSums, metricsFromSums, sumsOfValid } from './depth-metrics';
import { ExactSum } from './exact-sum';
import { OrdinalCounts, OrdinalOptions, OrdinalResult, emptyOrdinalCounts, ordinalCounts, ordinalFromCounts } from './ordinal';
import { DepthProtocol, DepthProtocolName, EvalImage, ProtocolOptions, applyProtocol, getDepthProtocol, getProtocol } from './protocols';
import { registerProtocol } from './registry';

/** The result of a depth evaluation. `metrics` are the protocol's official numbers. */
export interface EvaluationResult {
  protocol: DepthProtocolName | (string & {});
  description: string;
  averaging: 'whole-set' | 'per-image';
  /** images that contributed */
  images: number;
  /** images with no valid pixel after crop and caps (left out of both averages) */
  skipped: number;
  /** valid pixels evaluated, all images */
  pixels: number;
  metrics: DepthMetrics;
  /** metrics over all pixels stacked (the official ones for 'whole-set' protocols) */
  wholeSet: DepthMetrics;
  /** mean of per-image metrics (the official ones for 'per-image' protocols) */
  perImage: DepthMetrics;
  /**
   * nyu-densedepth: abs rel as DenseDepth's published code computes it. Its evaluate() calls
   * compute_errors(predictions, testSetDepths) while the function's parameters are (gt, pred), so its
   * mean(|gt - pred| / gt) divides by the prediction. `metrics.absRel` divides by the ground truth (the usual
   * definition); the other metrics are symmetric in the two arguments. The paper's 0.123 is this number.
   */
  asPublished?: { absRel: number; note: string };
}

/** JSON form of a {@link DepthAccumulator}. */
export interface DepthAccumulatorState {
  kind: 'depth';
  version: 1;
  protocol: DepthProtocolName | (string & {});
  options: ProtocolOptions;
  images: number;
  skipped: number;
  /** exact partials of the pixel sums over all images */
  pooled: Record<string, number[]>;
  /** exact partials of the sums of per-image metrics */
  perImage: Record<string, number[]>;
}

function sumsRecord<K extends string>(keys: readonly K[]): Record<K, ExactSum> {
  const r = {} as Record<K, ExactSum>;
  for (const k of keys) r[k] = new ExactSum();
  return r;
}

/**
 * Accumulates depth metrics under a protocol, one image at a time.
 *
 * @example
 * const acc = new DepthAccumulator('nyu-eigen');
 * for (const s of testSet) acc.add({ gt: s.depth, width: s.width, height: s.height, pred });
 * const part = JSON.stringify(acc);                 // e.g. from another process
 * const all = new DepthAccumulator('nyu-eigen').merge(DepthAccumulator.fromJSON(part));
 * console.log(all.result().metrics);
 */
export class DepthAccumulator {
  readonly protocol: DepthProtocol;
  readonly options: ProtocolOptions;
  private images = 0;
  private skipped = 0;
  private readonly pooled: Record<keyof PixelSums, ExactSum> = sumsRecord(PIXEL_SUM_KEYS);
  private readonly perImage: Record<keyof DepthMetrics, ExactSum> = sumsRecord(METRIC_KEYS);
  /** False after restoring a state saved before absRelByPrediction was summed (then asPublished is left out). */
  private hasPredictionAbsRel = true;

  constructor(protocol: DepthProtocolName | (string & {}), options: ProtocolOptions = {}) {
    this.protocol = getDepthProtocol(protocol, options);
    this.options = { ...options };
  }

  /**
   * Adds one image: applies the protocol (resize, crop, caps, scaling, clamp) and adds its sums.
   * Returns the image's own metrics, or null when it has no valid pixel (then counted as skipped).
   */
  add(image: EvalImage): DepthMetrics | null {
    const { gt, pred } = applyProtocol(this.protocol, image);
    if (gt.length === 0) {
      this.skipped++;
      return null;
    }
    const sums = sumsOfValid(gt, pred);
    const m = metricsFromSums(sums);
    for (const k of PIXEL_SUM_KEYS) this.pooled[k].add(sums[k]);
    for (const k of METRIC_KEYS) this.perImage[k].add(m[k]);
    this.images++;
    return m;
  }

  /** Adds another accumulator's images (same protocol and options); exact, order-independent. */
  merge(other: DepthAccumulator): this {
    if (
      other.protocol.name !== this.protocol.name ||
      JSON.stringify(normalise(other.options)) !== JSON.stringify(normalise(this.options))
    ) {
      throw new DepthblocksError(
        'INVALID_ARGUMENT',
        `DepthAccumulator.merge: cannot merge ${other.protocol.name} ${JSON.stringify(other.options)} into ${this.protocol.name} ${JSON.stringify(this.options)}; ` +
          'merge only partial results of one protocol with the same options',
      );
    }
    this.images += other.images;
    this.skipped += other.skipped;
    for (const k of PIXEL_SUM_KEYS) this.pooled[k].merge(other.pooled[k]);
    this.hasPredictionAbsRel &&= other.hasPredictionAbsRel;
    for (const k of METRIC_KEYS) this.perImage[k].merge(other.perImage[k]);
    return this;
  }

  /** Number of images added so far (including skipped ones). */
  get count(): number {
    return this.images + this.skipped;
  }

  /** The evaluation result. Throws when no image had a valid pixel. */
  result(): EvaluationResult {
    if (this.images === 0) {
      throw new DepthblocksError(
        'INVALID_DATA',
        `${this.protocol.name}: no image with valid pixels was added (${this.skipped} skipped); nothing to report`,
      );
    }
    const sums = {} as PixelSums;
    for (const k of PIXEL_SUM_KEYS) sums[k] = this.pooled[k].value();
    const wholeSet = metricsFromSums(sums);
    const perImage = {} as DepthMetrics;
    for (const k of METRIC_KEYS) perImage[k] = this.perImage[k].value() / this.images;
    const asPublished =
      this.protocol.name === 'nyu-densedepth' && this.hasPredictionAbsRel
        ? {
            absRel: sums.absRelByPrediction / sums.count,
            note: "DenseDepth's code divides abs rel by the prediction (compute_errors called with its arguments swapped); metrics.absRel divides by the ground truth",
          }
        : undefined;
    return {
      protocol: this.protocol.name,
      description: this.protocol.description,
      averaging: this.protocol.averaging,
      images: this.images,
      skipped: this.skipped,
      pixels: sums.count,
      metrics: this.protocol.averaging === 'whole-set' ? wholeSet : perImage,
      wholeSet,
      perImage,
      ...(asPublished ? { asPublished } : {}),
    };
  }

  /** JSON state (exact: partial sums as float64 partials). */
  toJSON(): DepthAccumulatorState {
    const pooled: Record<string, number[]> = {};
    for (const k of PIXEL_SUM_KEYS) pooled[k] = this.pooled[k].toJSON();
    const perImage: Record<string, number[]> = {};
    for (const k of METRIC_KEYS) perImage[k] = this.perImage[k].toJSON();
    return {
      kind: 'depth',
      version: 1,
      protocol: this.protocol.name,
      options: { ...this.options },
      images: this.images,
      skipped: this.skipped,
      pooled,
      perImage,
    };
  }

  /** Restores an accumulator from {@link DepthAccumulator.toJSON} (object or JSON string). */
  static fromJSON(state: DepthAccumulatorState | string): DepthAccumulator {
    const s = (typeof state === 'string' ? JSON.parse(state) : state) as DepthAccumulatorState;
    if (!s || s.kind !== 'depth' || s.version !== 1) {
      throw new DepthblocksError(
        'CORRUPT_FILE',
        `DepthAccumulator.fromJSON: not a depth accumulator state (kind ${String(s?.kind)}, version ${String(s?.version)})`,
      );
    }
    const acc = new DepthAccumulator(s.protocol, s.options);
    acc.images = s.images;
    acc.skipped = s.skipped;
    for (const k of PIXEL_SUM_KEYS) {
      if (k === 'absRelByPrediction' && s.pooled && !(k in s.pooled)) {
        acc.hasPredictionAbsRel = false; // a state from before this sum existed
        continue;
      }
      if (!Array.isArray(s.pooled?.[k])) throw new DepthblocksError('CORRUPT_FILE', `DepthAccumulator.fromJSON: missing pooled sum "${k}"`);
      acc.pooled[k] = ExactSum.fromJSON(s.pooled[k]);
    }
    for (const k of METRIC_KEYS) {
      if (!Array.isArray(s.perImage?.[k]))
        throw new DepthblocksError('CORRUPT_FILE', `DepthAccumulator.fromJSON: missing per-image sum "${k}"`);
      acc.perImage[k] = ExactSum.fromJSON(s.perImage[k]);
    }
    return acc;
  }
}

function normalise(o: ProtocolOptions): ProtocolOptions {
  return { cropMode: o.cropMode ?? 'scale', medianScaling: o.medianScaling ?? false };
}

/** The result of an ordinal (DIW) evaluation. */
export interface OrdinalEvaluationResult extends OrdinalResult {
  protocol: 'diw';
  images: number;
}

/** JSON form of an {@link OrdinalAccumulator}. */
export interface OrdinalAccumulatorState {
  kind: 'ordinal';
  version: 1;
  tau: number;
  equalMode: 'difference' | 'ratio';
  images: number;
  counts: OrdinalCounts;
}

/**
 * Accumulates WHDR / WKDR over images (the `diw` protocol). Counts are integers, so merging is exact.
 *
 * @example
 * const acc = new OrdinalAccumulator({ tau: 0 });
 * acc.add(pred, 240, 320, sample.pairs, { pairsSize: { width: sample.width, height: sample.height } });
 * acc.result().whdr;
 */
export class OrdinalAccumulator {
  readonly tau: number;
  readonly equalMode: 'difference' | 'ratio';
  private images = 0;
  private counts: OrdinalCounts = emptyOrdinalCounts();

  constructor(options: { tau?: number; equalMode?: 'difference' | 'ratio' } = {}) {
    this.tau = options.tau ?? 0;
    this.equalMode = options.equalMode ?? 'difference';
  }

  /** Adds one prediction (height x width, larger = farther) and its pairs. */
  add(
    pred: ArrayLike<number>,
    height: number,
    width: number,
    pairs: readonly OrdinalPair[],
    options: Pick<OrdinalOptions, 'pairsSize'> = {},
  ): OrdinalCounts {
    const c = ordinalCounts(pred, height, width, pairs, this.tau, { ...options, equalMode: this.equalMode });
    this.addCounts(c);
    this.images++;
    return c;
  }

  private addCounts(c: OrdinalCounts): void {
    for (const k of Object.keys(c) as (keyof OrdinalCounts)[]) this.counts[k] += c[k];
  }

  /** Adds another accumulator's counts (same tau and mode). */
  merge(other: OrdinalAccumulator): this {
    if (other.tau !== this.tau || other.equalMode !== this.equalMode) {
      throw new DepthblocksError(
        'INVALID_ARGUMENT',
        `OrdinalAccumulator.merge: tau/mode differ (${other.tau}/${other.equalMode} vs ${this.tau}/${this.equalMode})`,
      );
    }
    this.addCounts(other.counts);
    this.images += other.images;
    return this;
  }

  result(): OrdinalEvaluationResult {
    return { protocol: 'diw', images: this.images, ...ordinalFromCounts(this.counts, this.tau) };
  }

  toJSON(): OrdinalAccumulatorState {
    return { kind: 'ordinal', version: 1, tau: this.tau, equalMode: this.equalMode, images: this.images, counts: { ...this.counts } };
  }

  static fromJSON(state: OrdinalAccumulatorState | string): OrdinalAccumulator {
    const s = (typeof state === 'string' ? JSON.parse(state) : state) as OrdinalAccumulatorState;
    if (!s || s.kind !== 'ordinal' || s.version !== 1) {
      throw new DepthblocksError('CORRUPT_FILE', `OrdinalAccumulator.fromJSON: not an ordinal accumulator state (kind ${String(s?.kind)})`);
    }
    const acc = new OrdinalAccumulator({ tau: s.tau, equalMode: s.equalMode });
    acc.images = s.images;
    acc.counts = { ...emptyOrdinalCounts(), ...s.counts };
    return acc;
  }
}

/**
 * An accumulator for a protocol by name: depth protocols give a {@link DepthAccumulator}, 'diw' an
 * {@link OrdinalAccumulator}.
 *
 * @example
 * const acc = createAccumulator('nyu-densedepth');
 */
export function createAccumulator(name: 'diw', options?: { tau?: number; equalMode?: 'difference' | 'ratio' }): OrdinalAccumulator;
export function createAccumulator(name: DepthProtocolName, options?: ProtocolOptions): DepthAccumulator;
export function createAccumulator(name: string, options?: ProtocolOptions & { tau?: number }): DepthAccumulator | OrdinalAccumulator;
export function createAccumulator(name: string, options: ProtocolOptions & { tau?: number } = {}): DepthAccumulator | OrdinalAccumulator {
  const p = getProtocol(name, options);
  if (p.kind === 'ordinal') return new OrdinalAccumulator({ tau: p.tau, equalMode: p.equalMode });
  return new DepthAccumulator(name, options);
}

registerProtocol(
  'diw',
  (o = {}) => ({
    kind: 'ordinal',
    name: 'diw',
    tau: o.tau ?? 0,
    equalMode: o.equalMode ?? 'difference',
    description: 'Depth in the Wild: WHDR / WKDR on the test point pairs',
  }),
  { kind: 'ordinal', description: 'Depth in the Wild: ordinal accuracy (WHDR, WKDR) on point pairs' },
);
