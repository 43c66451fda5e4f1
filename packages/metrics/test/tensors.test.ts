/** Tensor convenience wrappers equal the typed-array functions. */
import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { DepthAccumulator, addTensors, computeDepthMetrics, depthMetricsFromTensors } from '../src';

beforeAll(async () => {
  await setupTestBackend();
});

describe('tensor wrappers', () => {
  it('depthMetricsFromTensors = computeDepthMetrics on the same data; addTensors resizes', async () => {
    const before = tf.memory().numTensors;
    const g = Float32Array.from({ length: 48 }, (_, i) => (i % 7 === 0 ? 0 : 1 + i / 10));
    const p = Float32Array.from({ length: 48 }, (_, i) => 1.5 + (i % 5) / 4);
    const gt = tf.tensor4d(g, [1, 6, 8, 1]);
    const pred = tf.tensor4d(p, [1, 6, 8, 1]);
    expect(await depthMetricsFromTensors(gt, pred)).toEqual(computeDepthMetrics(g, p));
    const acc = new DepthAccumulator('nyu-densedepth');
    const small = tf.fill([3, 4], 2);
    const m = await addTensors(acc, gt, small);
    expect(m).not.toBeNull();
    const batch = tf.zeros([2, 6, 8, 1]);
    await expect(addTensors(acc, batch, small)).rejects.toThrow(
      /gt must be one depth map: \[H,W\], \[H,W,1\] or \[1,H,W,1\], got \[2, 6, 8, 1\]/,
    );
    tf.dispose([gt, pred, small, batch]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
