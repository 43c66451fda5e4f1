/** Bilinear resize: hand-computed values and agreement with tf.image.resizeBilinear(halfPixelCenters). */
import { Rng, tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { resizeBilinear } from '../src';

beforeAll(async () => {
  await setupTestBackend();
});

describe('resizeBilinear', () => {
  it('hand-computed: [0, 1] -> 4 samples at source x = -0.25, 0.25, 0.75, 1.25 -> [0, 0.25, 0.75, 1]', () => {
    expect(Array.from(resizeBilinear([0, 1], 1, 2, 1, 4))).toEqual([0, 0.25, 0.75, 1]);
    expect(Array.from(resizeBilinear([0, 1, 2, 3], 2, 2, 1, 1))).toEqual([1.5]);
  });
  it('matches tf.image.resizeBilinear(alignCorners false, halfPixelCenters true) up and down', () => {
    const rng = new Rng(3);
    for (const [h, w, H, W] of [
      [6, 8, 12, 16],
      [7, 5, 20, 9],
      [12, 16, 5, 7],
      [9, 9, 9, 4],
    ]) {
      const src = Float32Array.from({ length: h * w }, () => rng.uniform(0, 10));
      const ours = resizeBilinear(src, h, w, H, W);
      const t = tf.tensor4d(src, [1, h, w, 1]);
      const r = tf.image.resizeBilinear(t, [H, W], false, true);
      const theirs = r.dataSync();
      for (let i = 0; i < ours.length; i++) expect(Math.abs(ours[i] - theirs[i])).toBeLessThan(1e-5);
      tf.dispose([t, r]);
    }
  });
  it('errors on a wrong source length', () => {
    expect(() => resizeBilinear([1, 2, 3], 2, 2, 4, 4)).toThrow(/source has 3 values, expected 2x2 = 4/);
  });
});
