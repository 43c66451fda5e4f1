/**
 * The ablation promise: every registered encoder composes with every registered decoder.
 * All 45 pairs build and run forward at 64x64 and 50x70 (not multiples of 32) from one model with a
 * dynamic input size; every pair also takes one training step (SGD) with a finite loss. Tensors are
 * counted around each pair: nothing leaks, and disposing the model frees everything it made.
 */
import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { listEncoders } from '@depthblocks/encoders';
import { listDecoders } from '@depthblocks/decoders';
import { createDepthModel } from '../src';

// the encoders of @depthblocks/encoders ('unet_scratch', which this package registers, is tested in create-model.test.ts)
const encoders = listEncoders()
  .map((e) => e.name)
  .filter((n) => n !== 'unet_scratch');
const decoders = listDecoders();
const started = Date.now();

beforeAll(async () => {
  await setupTestBackend();
});
afterAll(() => {
  console.log(`encoder x decoder matrix: ${encoders.length} x ${decoders.length} pairs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

test('the registries list 9 encoders and 5 decoders', () => {
  expect(encoders).toHaveLength(9);
  expect(decoders).toHaveLength(5);
});

describe.each(encoders)('%s', (encoder) => {
  test.each(decoders.map((d) => [d.name, d] as const))('+ %s: forward at 64x64 and 50x70, one training step, no leak', (_name, dec) => {
    const start = tf.memory().numTensors;
    const { model } = createDepthModel({ encoder, decoder: { name: dec.name, options: dec.tinyOptions } });
    const built = tf.memory().numTensors;
    for (const [h, w] of [
      [64, 64],
      [50, 70],
    ]) {
      const y = tf.tidy(() => model.predict(tf.randomUniform([1, h, w, 3], 0, 1, 'float32', 1)) as tf.Tensor);
      const s = dec.outputStride;
      // at the decoder's stride (encoders round odd sizes up or down: DenseNet's pools floor)
      expect([y.shape[0], y.shape[3]]).toEqual([1, 1]);
      expect(Math.abs(y.shape[1]! - h / s)).toBeLessThan(1);
      expect(Math.abs(y.shape[2]! - w / s)).toBeLessThan(1);
      expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
      y.dispose();
    }
    const x = tf.randomUniform([1, 50, 70, 3], 0, 1, 'float32', 2);
    const opt = tf.train.sgd(1e-3);
    const loss = opt.minimize(() => tf.mean(tf.square(tf.sub(model.apply(x, { training: true }) as tf.Tensor, 0.5))) as tf.Scalar, true)!;
    expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
    tf.dispose([loss, x]);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(built);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
