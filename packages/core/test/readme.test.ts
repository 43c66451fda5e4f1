/** The README's example, as written there. */
import { Rng, batchNormTrain, readSafetensors, tf, writeSafetensors } from '../src';

test('README example: seeded data through safetensors, then batchNormTrain (tf ops: no backend installed)', () => {
  const rng = new Rng(42); // the same seed gives the same numbers everywhere
  const data = Float32Array.from({ length: 2 * 4 * 4 * 8 }, () => rng.normal());
  const bytes = writeSafetensors({ x: { shape: [2, 4, 4, 8], data } });
  const x = readSafetensors(bytes).tensors.get('x')!; // { shape, data, dtype: 'F32' }
  expect(x.dtype).toBe('F32');
  expect(x.shape).toEqual([2, 4, 4, 8]);
  expect(Array.from(x.data)).toEqual(Array.from(data));
  expect(data[0]).toBe(Math.fround(new Rng(42).normal())); // reproducible from the seed

  const [y, mean, variance] = batchNormTrain(tf.tensor(x.data, x.shape), tf.ones([8]), tf.zeros([8]), 1e-3);
  expect([y.shape, mean.shape, variance.shape]).toEqual([[2, 4, 4, 8], [8], [8]]);
  // normalised: each channel of y has mean 0 and variance ~1
  const m = tf.moments(y, [0, 1, 2]);
  expect(Math.max(...Array.from(m.mean.dataSync()).map(Math.abs))).toBeLessThan(1e-5);
  expect(Math.max(...Array.from(m.variance.dataSync()).map((v) => Math.abs(v - 1)))).toBeLessThan(1e-2);
  // nothing of the backend's is installed here: the portable path ran
  expect(tf.getKernel('DepthblocksBatchNormTrain', tf.getBackend())).toBeUndefined();
  tf.dispose([y, mean, variance, m.mean, m.variance]);
});
