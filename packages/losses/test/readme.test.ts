/** The README example, run as written (with setupTestBackend instead of setupBackend). */
import { depthToTarget, tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { DENSEDEPTH_WEIGHTS, combineLosses, validMask } from '../src';

beforeAll(async () => {
  await setupTestBackend();
});

it('README example runs and a training step lowers the DenseDepth loss', () => {
  const loss = combineLosses(DENSEDEPTH_WEIGHTS, { ssim: { maxVal: 100 } });
  const norm = { kind: 'densedepth', minDepth: 0.1, maxDepth: 10 } as const; // y = 10 / clip(d, 0.1, 10) = 1000 / clip(cm, 10, 1000)

  const depth = tf.randomUniform([2, 32, 32, 1], 0.5, 9, 'float32', 1) as tf.Tensor4D;
  const mask = validMask(depth);
  const yTrue = depthToTarget(depth, norm) as tf.Tensor4D;
  const yPred = tf.variable(tf.fill([2, 32, 32, 1], 10)) as tf.Variable<tf.Rank.R4>; // a stand-in for a model output

  const { total, terms } = loss(yTrue, yPred, mask);
  const before = total.dataSync()[0];
  expect(Object.keys(terms).sort()).toEqual(['grad', 'l1', 'ssim']);

  const optimizer = tf.train.adam(0.5);
  for (let i = 0; i < 5; i++) optimizer.minimize(() => loss.scalar(yTrue, yPred, mask));
  const after = loss.scalar(yTrue, yPred, mask);
  expect(after.dataSync()[0]).toBeLessThan(before);
  tf.dispose([depth, mask, yTrue, yPred, total, after, ...Object.values(terms)]);
  optimizer.dispose();
});
