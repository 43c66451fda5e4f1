/** The README's examples, as written there. */
import { batchNormTrain, setupBackend, tf } from '../src';

test('README example: setupBackend, and a convolution trains on wasm', async () => {
  const info = await setupBackend({ backend: 'wasm', threads: 1 });
  expect(info.name).toBe('wasm');
  const x = tf.randomNormal([1, 32, 32, 3]);
  const w = tf.variable(tf.randomNormal([3, 3, 3, 8]));
  const before = w.dataSync().slice();
  const opt = tf.train.adam(1e-3);
  opt.minimize(() => tf.mean(tf.square(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'))) as tf.Scalar);
  expect(Array.from(w.dataSync()).some((v, i) => v !== before[i])).toBe(true);
  tf.dispose([x, w]);
  opt.dispose();
});

test('README example: batchNormTrain and its gradient', async () => {
  await setupBackend({ backend: 'wasm', threads: 1 });
  const x = tf.randomNormal([2, 8, 8, 16]);
  const gamma = tf.ones([16]);
  const beta = tf.zeros([16]);
  const [y, mean, variance] = batchNormTrain(x, gamma, beta, 1e-3); // per-channel statistics of the batch
  const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.relu(batchNormTrain(t, gamma, beta, 1e-3)[0])))(x);
  expect([y.shape, mean.shape, variance.shape, dx.shape]).toEqual([[2, 8, 8, 16], [16], [16], [2, 8, 8, 16]]);
  // normalised: each channel of y has mean 0 and variance ~1
  const m = tf.moments(y, [0, 1, 2]);
  expect(Math.max(...Array.from(m.mean.dataSync()).map(Math.abs))).toBeLessThan(1e-5);
  expect(Math.max(...Array.from(m.variance.dataSync()).map((v) => Math.abs(v - 1)))).toBeLessThan(1e-2);
  tf.dispose([x, gamma, beta, y, mean, variance, dx, m.mean, m.variance]);
});
