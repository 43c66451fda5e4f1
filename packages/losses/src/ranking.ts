/**
 * Ranking loss of Depth in the Wild (Chen et al. 2016) on ordinal point pairs, including '=' pairs.
 */
import { DepthblocksError, OrdinalPair, checkRank, tf } from '@depthblocks/core';
import type { LossContext } from './types';
import { registerLoss } from './registry';

/** Where the pair coordinates live, when not in the prediction's own pixel grid. */
export interface PairsSize {
  width: number;
  height: number;
}

/**
 * Flat indices into a [N,H,W,1] map for every pair, with coordinates rescaled from `from` to the map
 * size by floor and clamped (as the DIW code rescales to the network size). Returns A indices, B
 * indices and labels.
 */
export function pairIndices(
  pairs: OrdinalPair[][],
  shape: readonly number[],
  from?: PairsSize,
): { a: Int32Array; b: Int32Array; labels: Float32Array } {
  const [n, h, w] = shape;
  if (pairs.length !== n) {
    throw new DepthblocksError(
      'SHAPE_MISMATCH',
      `ranking: got pair lists for ${pairs.length} images, but the batch has ${n}; pass one list (possibly empty) per image`,
    );
  }
  const sy = from ? h / from.height : 1;
  const sx = from ? w / from.width : 1;
  const total = pairs.reduce((s, p) => s + p.length, 0);
  const a = new Int32Array(total);
  const b = new Int32Array(total);
  const labels = new Float32Array(total);
  let k = 0;
  const coord = (v: number, scale: number, size: number, name: string, img: number): number => {
    if (!Number.isFinite(v) || v < 0 || (from === undefined && v > size - 1)) {
      throw new DepthblocksError(
        'INVALID_ARGUMENT',
        `ranking: pair coordinate ${name} = ${v} of image ${img} is outside the ${h}x${w} map; coordinates are 0-based pixels ` +
          '(pass context.pairsSize when they refer to another image size)',
      );
    }
    return Math.min(Math.floor(v * scale), size - 1);
  };
  for (let i = 0; i < n; i++) {
    for (const p of pairs[i]) {
      if (p.relation !== 1 && p.relation !== -1 && p.relation !== 0) {
        throw new DepthblocksError(
          'INVALID_ARGUMENT',
          `ranking: relation must be 1 (A farther), -1 (A closer) or 0 (equal), got ${String(p.relation)} in image ${i}`,
        );
      }
      const ya = coord(p.ya, sy, h, 'ya', i);
      const xa = coord(p.xa, sx, w, 'xa', i);
      const yb = coord(p.yb, sy, h, 'yb', i);
      const xb = coord(p.xb, sx, w, 'xb', i);
      a[k] = (i * h + ya) * w + xa;
      b[k] = (i * h + yb) * w + xb;
      labels[k] = p.relation;
      k++;
    }
  }
  return { a, b, labels };
}

/**
 * tf.gather on a 1-D tensor with a gradient that works on every backend (the stock GatherV2 gradient
 * needs UnsortedSegmentSum, which the wasm backend lacks): scatter-add of dy into the indices.
 */
function gatherFlat(x: tf.Tensor1D, indices: Int32Array): tf.Tensor1D {
  const length = x.shape[0];
  const f = tf.customGrad((...args) => {
    const input = args[0] as tf.Tensor;
    const idx = tf.tensor1d(indices, 'int32');
    const value = tf.gather(input, idx);
    idx.dispose();
    return {
      value,
      gradFunc: (dy: tf.Tensor) => tf.scatterND(tf.tensor2d(indices, [indices.length, 1], 'int32'), dy, [length]),
    };
  });
  return f(x) as tf.Tensor1D;
}

/**
 * The ranking loss on explicit pairs: for each pair with label r and predicted depths zA, zB,
 * `log(1 + exp(-r (zA - zB)))` when r != 0 and `(zA - zB)^2` when r = 0 (+1: A farther); mean over all
 * pairs of the batch. No pairs: 0 (with a zero gradient).
 *
 * @example
 * const loss = rankingLoss(yPred, [[{ ya: 3, xa: 4, yb: 10, xb: 2, relation: 1 }]]);
 */
export function rankingLoss(yPred: tf.Tensor4D, pairs: OrdinalPair[][], pairsSize?: PairsSize): tf.Scalar {
  checkRank(yPred.shape, 4, 'ranking: yPred');
  if (yPred.shape[3] !== 1) {
    throw new DepthblocksError('INVALID_ARGUMENT', `ranking: yPred must have 1 channel, got shape [${yPred.shape.join(', ')}]`);
  }
  const { a, b, labels } = pairIndices(pairs, yPred.shape, pairsSize);
  // no pairs: 0, still connected to yPred so that tf.grad / optimizer.minimize see a (zero) gradient
  if (labels.length === 0) return tf.tidy(() => tf.mul(tf.sum(yPred), 0) as tf.Scalar);
  return tf.tidy(() => {
    const flat = tf.reshape(yPred, [-1]) as tf.Tensor1D;
    const diff = tf.sub(gatherFlat(flat, a), gatherFlat(flat, b));
    const r = tf.tensor1d(labels);
    const ordinal = tf.softplus(tf.neg(tf.mul(r, diff)));
    const equal = tf.square(diff);
    const perPair = tf.where(tf.equal(r, 0), equal, ordinal);
    return tf.mean(perPair) as tf.Scalar;
  });
}

/**
 * The ranking loss in the common loss signature: `yTrue` and `mask` are not used; the pairs come from
 * `context.pairs` (one list per batch item), in `context.pairsSize` coordinates if given.
 *
 * @example
 * const loss = ranking(batch.depth, yPred, undefined, { pairs: batch.pairs });
 */
export function ranking(yTrue: tf.Tensor4D | null, yPred: tf.Tensor4D, mask?: tf.Tensor4D, context?: LossContext): tf.Scalar {
  void yTrue;
  void mask;
  if (context?.pairs === undefined) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      'ranking: needs ordinal pairs: pass context = { pairs } (one OrdinalPair[] per batch item, e.g. batch.pairs)',
    );
  }
  return rankingLoss(yPred, context.pairs, context.pairsSize);
}

declare module './registry' {
  interface LossTermOptionsByName {
    ranking: undefined;
  }
}

registerLoss('ranking', () => (t, p, m, c) => ranking(t, p, m, c), {
  description: 'Ordinal ranking loss on point pairs (Depth in the Wild); needs context.pairs',
});
