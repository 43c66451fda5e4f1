import { tf } from '@depthblocks/core';
import { abs0, checkPair, cleanTarget, resolveMask } from './mask';
import { registerLoss } from './registry';

/**
 * Image gradients as `tf.image.image_gradients`: forward differences
 * `dy[i,j] = x[i+1,j] - x[i,j]`, `dx[i,j] = x[i,j+1] - x[i,j]`, with the last row of `dy` and the last
 * column of `dx` zero. Shapes equal the input's.
 *
 * @example
 * const { dy, dx } = imageGradients(depth);
 */
export function imageGradients(x: tf.Tensor4D): { dy: tf.Tensor4D; dx: tf.Tensor4D } {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const dy =
      h > 1
        ? tf.concat(
            [tf.sub(tf.slice(x, [0, 1, 0, 0], [n, h - 1, w, c]), tf.slice(x, [0, 0, 0, 0], [n, h - 1, w, c])), tf.zeros([n, 1, w, c])],
            1,
          )
        : tf.zerosLike(x);
    const dx =
      w > 1
        ? tf.concat(
            [tf.sub(tf.slice(x, [0, 0, 1, 0], [n, h, w - 1, c]), tf.slice(x, [0, 0, 0, 0], [n, h, w - 1, c])), tf.zeros([n, h, 1, c])],
            2,
          )
        : tf.zerosLike(x);
    return { dy: dy as tf.Tensor4D, dx: dx as tf.Tensor4D };
  });
}

/**
 * Where a forward difference is valid: both of its pixels are valid. Returns `{ my, mx }`, `[N,H,W,1]`,
 * zero on the last row / column (like the gradients themselves).
 */
export function gradientMasks(mask: tf.Tensor4D): { my: tf.Tensor4D; mx: tf.Tensor4D } {
  return tf.tidy(() => {
    const [n, h, w] = mask.shape;
    const my =
      h > 1
        ? tf.concat(
            [
              tf.mul(tf.slice(mask, [0, 1, 0, 0], [n, h - 1, w, 1]), tf.slice(mask, [0, 0, 0, 0], [n, h - 1, w, 1])),
              tf.zeros([n, 1, w, 1]),
            ],
            1,
          )
        : tf.zerosLike(mask);
    const mx =
      w > 1
        ? tf.concat(
            [
              tf.mul(tf.slice(mask, [0, 0, 1, 0], [n, h, w - 1, 1]), tf.slice(mask, [0, 0, 0, 0], [n, h, w - 1, 1])),
              tf.zeros([n, h, 1, 1]),
            ],
            2,
          )
        : tf.zerosLike(mask);
    return { my: my as tf.Tensor4D, mx: mx as tf.Tensor4D };
  });
}

/**
 * Image-gradient (edge) loss, DenseDepth's `mean(|dy y - dy y^| + |dx y - dx y^|)`: the sum of the
 * absolute differences of forward differences, divided by the number of valid pixels (times channels).
 * Without a mask this is exactly DenseDepth's term (the zero last row / column included in the mean).
 * With a mask, a difference counts only when both of its pixels are valid. All-invalid: 0.
 *
 * @example
 * const loss = gradient(yTrue, yPred, mask);
 */
export function gradient(yTrue: tf.Tensor4D, yPred: tf.Tensor4D, mask?: tf.Tensor4D): tf.Scalar {
  checkPair(yTrue, yPred, 'gradient');
  return tf.tidy(() => {
    const m = resolveMask(yTrue, mask, 'gradient');
    const t = imageGradients(cleanTarget(yTrue, m));
    const p = imageGradients(yPred);
    const { my, mx } = gradientMasks(m);
    const sum = tf.add(tf.sum(tf.mul(abs0(tf.sub(t.dy, p.dy)), my)), tf.sum(tf.mul(abs0(tf.sub(t.dx, p.dx)), mx)));
    const count = tf.mul(tf.sum(m), yTrue.shape[3]);
    return tf.div(sum, tf.maximum(count, 1)) as tf.Scalar;
  });
}

declare module './registry' {
  interface LossTermOptionsByName {
    grad: undefined;
    gradient: undefined;
  }
}

const gradientTerm = () => (t: tf.Tensor4D, p: tf.Tensor4D, m?: tf.Tensor4D) => gradient(t, p, m);
registerLoss('grad', gradientTerm, { description: 'Image-gradient loss: mean |dx y - dx y^| + |dy y - dy y^| (DenseDepth)' });
registerLoss('gradient', gradientTerm, { description: "Another name of 'grad'", aliasOf: 'grad' });
