/** A loss term written outside depthblocks, registered as 'edge_l1': L1 weighted up where the target has edges. */
import { tf } from '@depthblocks/core';
import { imageGradients, l1, registerLoss } from '@depthblocks/losses';

/**
 * mean(|y - y^| (1 + |dx y| + |dy y|)) over valid pixels, as a plain `LossFn`.
 *
 * @example
 * combineLosses({ l1: 0.1, edge_l1: 1 });
 */
export function edgeL1(yTrue: tf.Tensor4D, yPred: tf.Tensor4D, mask?: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const { dx, dy } = imageGradients(yTrue);
    const w = tf.add(1, tf.add(tf.abs(dx), tf.abs(dy))) as tf.Tensor4D;
    return l1(tf.mul(yTrue, w) as tf.Tensor4D, tf.mul(yPred, w) as tf.Tensor4D, mask);
  });
}

registerLoss('edge_l1', () => edgeL1, { description: 'L1 weighted by the target edges (a test loss term)' });
