/**
 * Weighted sums of named loss terms, so a loss ablation is a change of one object.
 */
import { DepthblocksError, parseWithSchema, tf } from '@depthblocks/core';
import { lossRegistry, lossWeightsSchema, type LossTermName, type LossTermOptionsByName, type LossWeights } from './registry';
import type { LossContext, LossFn } from './types';

/** Options of each term, by its name (`ssim: { maxVal: 100 }`). `perceptual.features` is required when perceptual is used. */
export type CombineOptions = { [K in LossTermName]?: LossTermOptionsByName[K] } & {
  /** Options of terms registered by other packages, by name. */
  [name: string]: unknown;
  /** Throw DepthblocksError('NON_FINITE_LOSS') when the total is NaN or infinite (reads the value back: a sync). Default false. */
  checkFinite?: boolean;
};

/** What a combined loss returns: the weighted total and each term's unweighted value (for logging). */
export interface LossBreakdown {
  total: tf.Scalar;
  terms: Record<string, tf.Scalar>;
}

/** A combined loss: call it for `{ total, terms }`; `.scalar` is the same loss returning only the total. */
export interface CombinedLoss {
  (yTrue: tf.Tensor4D, yPred: tf.Tensor4D, mask?: tf.Tensor4D, context?: LossContext): LossBreakdown;
  /** The total alone, in the common loss signature (for optimizer.minimize / model.compile). */
  scalar: LossFn;
  /** The weights, as given (aliases resolved). */
  weights: Readonly<Record<string, number>>;
}

/** DenseDepth's loss weights: 0.1 * L1 + 1 * gradient + 1 * SSIM (use with `ssim: { maxVal: 100 }`). */
export const DENSEDEPTH_WEIGHTS: Readonly<LossWeights> = { l1: 0.1, grad: 1, ssim: 1 };

/**
 * Builds a weighted sum of named loss terms. The result gives the total and each unweighted term;
 * `.scalar` gives the total only. All tensors returned are new: dispose them (or call inside tf.tidy).
 *
 * @example
 * const loss = combineLosses({ l1: 0.1, grad: 1, ssim: 1 }, { ssim: { maxVal: 100 } }); // DenseDepth
 * const { total, terms } = loss(yTrue, yPred, mask);
 * optimizer.minimize(() => loss.scalar(yTrue, model.predict(x) as tf.Tensor4D, mask));
 */
export function combineLosses(weights: LossWeights, options: CombineOptions = {}): CombinedLoss {
  const checked = parseWithSchema(lossWeightsSchema, weights, 'combineLosses weights') as Record<string, number | undefined>;
  const resolved: Record<string, number> = {};
  for (const [rawName, w] of Object.entries(checked)) {
    if (w === undefined) continue;
    const name = lossRegistry.get(rawName).spec.aliasOf ?? rawName;
    if (name in resolved) {
      throw new DepthblocksError('INVALID_ARGUMENT', `combineLosses: "${rawName}" and "${name}" name the same term; give only one`);
    }
    resolved[name] = w;
  }
  const active = Object.entries(resolved).filter(([, w]) => w !== 0);
  if (active.length === 0) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `combineLosses: no term has a non-zero weight (got ${JSON.stringify(weights)}); give at least one, e.g. { l1: 1 }`,
    );
  }
  const fns = active.map(([name, w]) => ({ name, w, fn: (lossRegistry.get(name).factory as (o: unknown) => LossFn)(options[name]) }));

  const run = (yTrue: tf.Tensor4D, yPred: tf.Tensor4D, mask?: tf.Tensor4D, context?: LossContext): LossBreakdown => {
    const terms: Record<string, tf.Scalar> = {};
    try {
      for (const { name, fn } of fns) terms[name] = fn(yTrue, yPred, mask, context);
    } catch (e) {
      Object.values(terms).forEach((t) => t.dispose());
      throw e;
    }
    const total = tf.tidy(() =>
      fns.reduce<tf.Tensor>((acc, { name, w }) => tf.add(acc, tf.mul(terms[name], w)), tf.scalar(0)),
    ) as tf.Scalar;
    if (options.checkFinite) {
      const v = total.dataSync()[0];
      if (!Number.isFinite(v)) {
        const parts = Object.entries(terms)
          .map(([k, t]) => `${k}=${t.dataSync()[0]}`)
          .join(', ');
        total.dispose();
        Object.values(terms).forEach((t) => t.dispose());
        throw new DepthblocksError(
          'NON_FINITE_LOSS',
          `combined loss is ${v} (${parts}); check the inputs for NaN/Inf and the masks, or lower the learning rate`,
        );
      }
    }
    return { total, terms };
  };
  const combined = run as CombinedLoss;
  combined.scalar = (yTrue, yPred, mask, context) =>
    tf.tidy(() => {
      const { total } = run(yTrue, yPred, mask, context);
      return total;
    });
  combined.weights = Object.freeze({ ...resolved });
  return combined;
}
