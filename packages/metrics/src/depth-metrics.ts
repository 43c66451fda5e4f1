/**
 * The standard depth metrics on typed arrays, in float64 (JS numbers): d1..d3, abs rel, sq rel, rmse,
 * rmse log, log10, silog. Pure JS, no tensors.
 */
import { DepthblocksError } from '@depthblocks/core';

/** The metrics of one image or one set. */
export interface DepthMetrics {
  /** fraction with max(y/p, p/y) < 1.25 */
  d1: number;
  /** < 1.25^2 */
  d2: number;
  /** < 1.25^3 */
  d3: number;
  /** mean |y - p| / y */
  absRel: number;
  /** mean (y - p)^2 / y */
  sqRel: number;
  /** sqrt(mean (y - p)^2) */
  rmse: number;
  /** sqrt(mean (ln y - ln p)^2) */
  rmseLog: number;
  /** mean |log10 y - log10 p| */
  log10: number;
  /** 100 sqrt(mean e^2 - mean(e)^2), e = ln p - ln y */
  silog: number;
}

/** Raw sums over the valid pixels, from which every metric follows (and which add across images). */
export interface PixelSums {
  count: number;
  d1: number;
  d2: number;
  d3: number;
  absRel: number;
  /** sum |y - p| / p: abs rel with the arguments swapped, as DenseDepth's evaluation computes it */
  absRelByPrediction: number;
  sqRel: number;
  sqErr: number;
  sqLogErr: number;
  log10Err: number;
  logDiff: number;
  logDiffSq: number;
}

export const PIXEL_SUM_KEYS: readonly (keyof PixelSums)[] = [
  'count',
  'd1',
  'd2',
  'd3',
  'absRel',
  'absRelByPrediction',
  'sqRel',
  'sqErr',
  'sqLogErr',
  'log10Err',
  'logDiff',
  'logDiffSq',
];
export const METRIC_KEYS: readonly (keyof DepthMetrics)[] = ['d1', 'd2', 'd3', 'absRel', 'sqRel', 'rmse', 'rmseLog', 'log10', 'silog'];

// Module-level aliases: hot loops then avoid global lookups (slow inside vm contexts such as jest's).
const { abs, log, log10: lg10, max, sqrt } = Math;
const isFiniteNumber = Number.isFinite;

const T1 = 1.25;
const T2 = 1.25 ** 2;
const T3 = 1.25 ** 3;

/** Empty sums. */
export function emptySums(): PixelSums {
  return {
    count: 0,
    d1: 0,
    d2: 0,
    d3: 0,
    absRel: 0,
    absRelByPrediction: 0,
    sqRel: 0,
    sqErr: 0,
    sqLogErr: 0,
    log10Err: 0,
    logDiff: 0,
    logDiffSq: 0,
  };
}

/**
 * Sums over pixel pairs that are already selected as valid (gt > 0 and pred > 0, both finite).
 * Throws INVALID_DATA naming the first offending value otherwise.
 *
 * @example
 * const s = sumsOfValid([1, 2], [1.1, 2]); // { count: 2, d1: 2, absRel: 0.1, ... }
 */
export function sumsOfValid(gt: ArrayLike<number>, pred: ArrayLike<number>): PixelSums {
  if (gt.length !== pred.length) {
    throw new DepthblocksError(
      'SHAPE_MISMATCH',
      `depth metrics: ground truth has ${gt.length} values but the prediction has ${pred.length}; resize the prediction to the ground truth`,
    );
  }
  const s = emptySums();
  for (let i = 0; i < gt.length; i++) {
    const y = gt[i];
    const p = pred[i];
    if (!(p > 0) || !isFiniteNumber(p)) {
      throw new DepthblocksError(
        'INVALID_DATA',
        `depth metrics: prediction at valid pixel ${i} is ${p}; predictions must be finite and > 0 where the ground truth is valid ` +
          '(clamp the prediction, e.g. to [1e-3, maxDepth], or use a protocol that clamps)',
      );
    }
    if (!(y > 0) || !isFiniteNumber(y)) {
      throw new DepthblocksError(
        'INVALID_DATA',
        `depth metrics: ground truth at pixel ${i} is ${y}; select valid pixels (finite, > 0) first`,
      );
    }
    const ratio = max(y / p, p / y);
    if (ratio < T1) s.d1++;
    if (ratio < T2) s.d2++;
    if (ratio < T3) s.d3++;
    const diff = y - p;
    s.absRel += abs(diff) / y;
    s.absRelByPrediction += abs(diff) / p;
    s.sqRel += (diff * diff) / y;
    s.sqErr += diff * diff;
    const e = log(p) - log(y);
    s.sqLogErr += e * e;
    s.log10Err += abs(lg10(y) - lg10(p));
    s.logDiff += e;
    s.logDiffSq += e * e;
  }
  s.count = gt.length;
  return s;
}

/**
 * Metrics from raw sums (count must be > 0).
 *
 * @example
 * const m = metricsFromSums(sumsOfValid(gt, pred));
 */
export function metricsFromSums(s: PixelSums): DepthMetrics {
  const n = s.count;
  if (!(n > 0)) {
    throw new DepthblocksError(
      'INVALID_DATA',
      'depth metrics: no valid pixels; metrics are undefined (check the mask, the depth caps and the crop)',
    );
  }
  const meanE = s.logDiff / n;
  return {
    d1: s.d1 / n,
    d2: s.d2 / n,
    d3: s.d3 / n,
    absRel: s.absRel / n,
    sqRel: s.sqRel / n,
    rmse: sqrt(s.sqErr / n),
    rmseLog: sqrt(s.sqLogErr / n),
    log10: s.log10Err / n,
    silog: 100 * sqrt(max(0, s.logDiffSq / n - meanE * meanE)),
  };
}

/**
 * Selects the valid pixels: gt finite and > 0, and mask > 0 where a mask is given.
 *
 * @example
 * const { gt: g, pred: p } = selectValid(gt, pred, mask); // Float64Arrays of the valid pairs
 */
export function selectValid(
  gt: ArrayLike<number>,
  pred: ArrayLike<number>,
  mask?: ArrayLike<number> | null,
): { gt: Float64Array; pred: Float64Array } {
  if (gt.length !== pred.length || (mask && mask.length !== gt.length)) {
    throw new DepthblocksError(
      'SHAPE_MISMATCH',
      `depth metrics: ground truth (${gt.length}), prediction (${pred.length})${mask ? ` and mask (${mask.length})` : ''} must have the same length; resize the prediction first (resizeBilinear)`,
    );
  }
  let n = 0;
  for (let i = 0; i < gt.length; i++) if (gt[i] > 0 && isFiniteNumber(gt[i]) && (!mask || mask[i] > 0)) n++;
  const g = new Float64Array(n);
  const p = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < gt.length; i++) {
    if (gt[i] > 0 && isFiniteNumber(gt[i]) && (!mask || mask[i] > 0)) {
      g[k] = gt[i];
      p[k++] = pred[i];
    }
  }
  return { gt: g, pred: p };
}

/**
 * All metrics of one depth map against its ground truth, over the pixels where gt is finite and > 0
 * (and `mask` > 0 if given). No crop, no caps: for a protocol use an accumulator.
 *
 * @example
 * const m = computeDepthMetrics(gt, pred); // { d1, d2, d3, absRel, sqRel, rmse, rmseLog, log10, silog }
 */
export function computeDepthMetrics(gt: ArrayLike<number>, pred: ArrayLike<number>, mask?: ArrayLike<number> | null): DepthMetrics {
  const v = selectValid(gt, pred, mask);
  return metricsFromSums(sumsOfValid(v.gt, v.pred));
}

/** Single metrics, each over the valid pixels (gt > 0, mask > 0). @example d1(gt, pred) */
export const d1 = (gt: ArrayLike<number>, pred: ArrayLike<number>, mask?: ArrayLike<number> | null): number =>
  computeDepthMetrics(gt, pred, mask).d1;
/** @example d2(gt, pred) */
export const d2 = (gt: ArrayLike<number>, pred: ArrayLike<number>, mask?: ArrayLike<number> | null): number =>
  computeDepthMetrics(gt, pred, mask).d2;
/** @example d3(gt, pred) */
export const d3 = (gt: ArrayLike<number>, pred: ArrayLike<number>, mask?: ArrayLike<number> | null): number =>
  computeDepthMetrics(gt, pred, mask).d3;
/** @example absRel(gt, pred) */
export const absRel = (gt: ArrayLike<number>, pred: ArrayLike<number>, mask?: ArrayLike<number> | null): number =>
  computeDepthMetrics(gt, pred, mask).absRel;
/** @example sqRel(gt, pred) */
export const sqRel = (gt: ArrayLike<number>, pred: ArrayLike<number>, mask?: ArrayLike<number> | null): number =>
  computeDepthMetrics(gt, pred, mask).sqRel;
/** @example rmse(gt, pred) */
export const rmse = (gt: ArrayLike<number>, pred: ArrayLike<number>, mask?: ArrayLike<number> | null): number =>
  computeDepthMetrics(gt, pred, mask).rmse;
/** @example rmseLog(gt, pred) */
export const rmseLog = (gt: ArrayLike<number>, pred: ArrayLike<number>, mask?: ArrayLike<number> | null): number =>
  computeDepthMetrics(gt, pred, mask).rmseLog;
/** @example log10(gt, pred) */
export const log10 = (gt: ArrayLike<number>, pred: ArrayLike<number>, mask?: ArrayLike<number> | null): number =>
  computeDepthMetrics(gt, pred, mask).log10;
/** @example silog(gt, pred) */
export const silog = (gt: ArrayLike<number>, pred: ArrayLike<number>, mask?: ArrayLike<number> | null): number =>
  computeDepthMetrics(gt, pred, mask).silog;
