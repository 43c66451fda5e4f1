/**
 * SSIM and MS-SSIM against TensorFlow's own published test values, on TensorFlow's test images
 * (tensorflow/core/lib/ssim/testdata, copied to shared/data/real/ssim), and against the float64
 * reference in test/reference.ts on the same images.
 *
 * Expected values: tensorflow/python/ops/image_ops_test.py,
 *   class SSIMTest:           _ssim   = [[1.000000, 0.230880, 0.231153],
 *                                        [0.230880, 1.000000, 0.996828],
 *                                        [0.231153, 0.996828, 1.000000]]
 *   class MultiscaleSSIMTest: _msssim = [[1.000000, 0.091016, 0.091025],
 *                                        [0.091016, 1.000000, 0.999567],
 *                                        [0.091025, 0.999567, 1.000000]]
 * for checkerboard1-3.png, max_val 1.0 (images converted with convert_image_dtype: /255),
 * filter_size 11, filter_sigma 1.5, k1 0.01, k2 0.03; TensorFlow asserts atol 1e-4.
 */
import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { msSsimIndex, ssim, ssimIndex } from '../src';
import { Shape, refMsSsimIndex, refSsimIndex } from './reference';

const REAL = path.resolve(__dirname, '../../../../shared/data/real');
const SSIM_DIR = path.join(REAL, 'ssim');
const present = fs.existsSync(SSIM_DIR);
if (!present) {
  console.warn(`SKIPPED: TensorFlow SSIM conformance tests: ${SSIM_DIR} is absent (shared/data/real not mounted)`);
}
const describeReal = present ? describe : describe.skip;

interface Img {
  data: Float32Array;
  shape: Shape;
}

async function load(name: string): Promise<Img> {
  const { data, info } = await sharp(path.join(SSIM_DIR, name)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: Float32Array.from(data, (v) => v / 255), shape: [1, info.height, info.width, info.channels] };
}

const SSIM_TF = [
  [1.0, 0.23088, 0.231153],
  [0.23088, 1.0, 0.996828],
  [0.231153, 0.996828, 1.0],
];
const MSSSIM_TF = [
  [1.0, 0.091016, 0.091025],
  [0.091016, 1.0, 0.999567],
  [0.091025, 0.999567, 1.0],
];

describeReal("SSIM on TensorFlow's test images", () => {
  let boards: Img[] = [];
  let cats: Img[] = [];
  beforeAll(async () => {
    await setupTestBackend();
    boards = await Promise.all(['checkerboard1.png', 'checkerboard2.png', 'checkerboard3.png'].map(load));
    cats = await Promise.all(['cat_q20.jpg', 'cat_q72.jpg', 'cat_q95.jpg'].map(load));
  });

  it('checkerboards are 180x240 RGB', () => {
    for (const b of boards) expect(b.shape).toEqual([1, 180, 240, 3]);
  });

  it("ssimIndex equals TensorFlow's _ssim matrix (atol 1e-4) and the float64 reference (5e-5)", () => {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++)
      for (let j = i; j < 3; j++) {
        const a = tf.tensor4d(boards[i].data, boards[i].shape);
        const b = tf.tensor4d(boards[j].data, boards[j].shape);
        const s = ssimIndex(a, b, { maxVal: 1 });
        const v = s.dataSync()[0];
        expect(Math.abs(v - SSIM_TF[i][j])).toBeLessThan(1e-4);
        if (i !== j) {
          const ref = refSsimIndex(boards[i].data, boards[j].data, boards[i].shape, { maxVal: 1 }).value[0];
          // float32 vs float64: the variance terms cancel near SSIM = 1, so 5e-5 (TF itself allows 1e-4)
          expect(Math.abs(v - ref)).toBeLessThan(5e-5);
          expect(Math.abs(ref - SSIM_TF[i][j])).toBeLessThan(1e-4);
        }
        tf.dispose([a, b, s]);
      }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('batched ssimIndex gives one value per image, and the loss is clip((1 - ssim) / 2)', () => {
    const a = tf.tensor4d(Float32Array.from([...boards[0].data, ...boards[1].data]), [2, 180, 240, 3]);
    const b = tf.tensor4d(Float32Array.from([...boards[1].data, ...boards[2].data]), [2, 180, 240, 3]);
    const s = Array.from(ssimIndex(a, b).dataSync());
    expect(Math.abs(s[0] - 0.23088)).toBeLessThan(1e-4);
    expect(Math.abs(s[1] - 0.996828)).toBeLessThan(1e-4);
    const loss = ssim(a, b);
    expect(loss.dataSync()[0]).toBeCloseTo(((1 - 0.23088) / 2 + (1 - 0.996828) / 2) / 2, 4);
    tf.dispose([a, b, loss]);
  });

  it("msSsimIndex equals TensorFlow's _msssim matrix (atol 1e-4) and the float64 reference (1e-5)", () => {
    for (let i = 0; i < 3; i++)
      for (let j = i + 1; j < 3; j++) {
        const a = tf.tensor4d(boards[i].data, boards[i].shape);
        const b = tf.tensor4d(boards[j].data, boards[j].shape);
        const s = msSsimIndex(a, b, { maxVal: 1 });
        const v = s.dataSync()[0];
        expect(Math.abs(v - MSSSIM_TF[i][j])).toBeLessThan(1e-4);
        const ref = refMsSsimIndex(boards[i].data, boards[j].data, boards[i].shape, { maxVal: 1 }).value[0];
        expect(Math.abs(v - ref)).toBeLessThan(1e-5);
        tf.dispose([a, b, s]);
      }
    const a = tf.tensor4d(boards[1].data, boards[1].shape);
    const same = msSsimIndex(a, a);
    expect(same.dataSync()[0]).toBeCloseTo(1, 5);
    tf.dispose([a, same]);
  });

  it('cat JPEGs (69x64, odd sizes): ssimIndex and maxVal 255 agree with the float64 reference', () => {
    for (const [i, j] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ]) {
      const a = tf.tensor4d(cats[i].data, cats[i].shape);
      const b = tf.tensor4d(cats[j].data, cats[j].shape);
      const v = ssimIndex(a, b, { maxVal: 1 }).dataSync()[0];
      const ref = refSsimIndex(cats[i].data, cats[j].data, cats[i].shape, { maxVal: 1 }).value[0];
      expect(Math.abs(v - ref)).toBeLessThan(1e-5);
      expect(v).toBeGreaterThan(0.5);
      expect(v).toBeLessThan(1);
      // same images in 0..255 with maxVal 255 give the same SSIM (TF's testInt)
      const a255 = tf.mul(a, 255) as tf.Tensor4D;
      const b255 = tf.mul(b, 255) as tf.Tensor4D;
      expect(ssimIndex(a255, b255, { maxVal: 255 }).dataSync()[0]).toBeCloseTo(v, 4);
      tf.dispose([a, b, a255, b255]);
    }
  });
});
