/**
 * Perceptual loss with a small frozen conv model built here (the real one is ResNet-50 from
 * @depthblocks/encoders): value against a float64 conv reference, gradient by finite differences,
 * freezing, masks.
 */
import { DepthblocksError, Rng, tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { featuresAt, kerasResnet50Preprocess, perceptual } from '../src';
import { finiteDifference, relMaxDiff } from './reference';

beforeAll(async () => {
  await setupTestBackend();
});

const H = 6;
const W = 7;
const K = 3;
const F = 4;
const rng = new Rng(11);
const kernel = Float32Array.from({ length: K * K * 3 * F }, () => rng.uniform(-0.5, 0.5)); // HWIO
const bias = Float32Array.from({ length: F }, () => rng.uniform(-0.1, 0.1));
const LO = 0;
const HI = 10;

function buildModel(): tf.LayersModel {
  const input = tf.input({ shape: [null, null, 3] });
  const a = tf.layers.conv2d({ filters: F, kernelSize: K, activation: 'tanh', name: 'conv_a' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'conv_b' }).apply(a) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: b, name: 'tiny' });
  const convA = model.getLayer('conv_a');
  const [wk, wb] = convA.getWeights();
  const values = [tf.tensor4d(kernel, wk.shape as [number, number, number, number]), tf.tensor1d(bias)];
  convA.setWeights(values);
  tf.dispose(values);
  void wb;
  return model;
}

/** float64: features of conv_a for a [H,W] depth map (batch 1). */
function refFeatures(d: ArrayLike<number>): Float64Array {
  const u = Array.from(d, (v) => Math.min(Math.max((v - LO) / (HI - LO), 0), 1));
  const ho = H - K + 1;
  const wo = W - K + 1;
  const out = new Float64Array(ho * wo * F);
  for (let y = 0; y < ho; y++)
    for (let x = 0; x < wo; x++)
      for (let f = 0; f < F; f++) {
        let s = bias[f];
        for (let i = 0; i < K; i++)
          for (let j = 0; j < K; j++) for (let c = 0; c < 3; c++) s += kernel[((i * K + j) * 3 + c) * F + f] * u[(y + i) * W + x + j];
        out[(y * wo + x) * F + f] = Math.tanh(s);
      }
  return out;
}

/** float64 perceptual loss; invalid target pixels take `fill` (the prediction, held constant). */
function refPerceptual(t: ArrayLike<number>, p: ArrayLike<number>, m: ArrayLike<number> | null, fill: ArrayLike<number>): number {
  const target = Array.from(t, (v, k) => (m && m[k] === 0 ? fill[k] : v));
  const ft = refFeatures(target);
  const fp = refFeatures(p);
  let s = 0;
  for (let k = 0; k < ft.length; k++) s += Math.abs(ft[k] - fp[k]);
  return s / ft.length;
}

describe('perceptual', () => {
  const t = Float32Array.from({ length: H * W }, () => rng.uniform(0.5, 9.5));
  const p = Float32Array.from({ length: H * W }, () => rng.uniform(0.5, 9.5));
  const m = Float32Array.from({ length: H * W }, () => (rng.bernoulli(0.7) ? 1 : 0));

  it('featuresAt cuts the model at the named layer and freezes it', () => {
    const model = buildModel();
    const phi = featuresAt(model, 'conv_a');
    const out = phi(tf.zeros([1, 8, 8, 3]) as tf.Tensor4D);
    expect(out.shape).toEqual([1, 6, 6, F]);
    expect(model.trainable).toBe(false);
    expect(model.trainableWeights.length).toBe(0);
    expect(() => featuresAt(model, 'conv2_block1_out')).toThrow(/has no layer "conv2_block1_out"/);
    out.dispose();
  });

  it('value matches the float64 reference; gradient by finite differences (with and without a mask)', () => {
    const before = tf.memory().numTensors;
    const model = buildModel();
    const weightsBefore = model.getWeights().map((w) => Array.from(w.dataSync()));
    const features = featuresAt(model, 'conv_a');
    const tt = tf.tensor4d(t, [1, H, W, 1]);
    const pt = tf.tensor4d(p, [1, H, W, 1]);
    for (const mask of [null, m]) {
      const mt = mask ? tf.tensor4d(mask, [1, H, W, 1]) : undefined;
      const fn = (x: tf.Tensor): tf.Scalar => perceptual(tt, x as tf.Tensor4D, mt, { features, depthRange: [LO, HI] });
      const v = fn(pt);
      expect(v.dataSync()[0]).toBeCloseTo(refPerceptual(t, p, mask, p), 5);
      const g = tf.grad(fn)(pt);
      const fd = finiteDifference((x) => refPerceptual(t, x, mask, p), p);
      expect(relMaxDiff(g.dataSync(), fd)).toBeLessThan(2e-3);
      tf.dispose([v, g]);
      if (mt) mt.dispose();
    }
    // frozen: the weights are untouched and not trainable
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(weightsBefore);
    tf.dispose([tt, pt]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts a LayersModel directly (its full output) and a preprocess function', () => {
    const model = buildModel();
    const tt = tf.tensor4d(t, [1, H, W, 1]);
    const v = perceptual(tt, tt, undefined, { features: model, preprocess: kerasResnet50Preprocess });
    expect(v.dataSync()[0]).toBe(0);
    expect(model.trainable).toBe(false);
    tf.dispose([tt, v]);
    model.dispose();
  });

  it('kerasResnet50Preprocess: x*255, RGB->BGR, minus the ImageNet means', () => {
    const x = tf.tensor4d([1, 0.5, 0], [1, 1, 1, 3]);
    const y = kerasResnet50Preprocess(x);
    const e = [0 - 103.939, 127.5 - 116.779, 255 - 123.68];
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(e[i], 3));
    tf.dispose([x, y]);
  });

  it('all-invalid mask: 0 with a zero gradient; missing features: clear error', () => {
    const model = buildModel();
    const features = featuresAt(model, 'conv_a');
    const tt = tf.fill([1, H, W, 1], NaN) as tf.Tensor4D;
    const pt = tf.tensor4d(p, [1, H, W, 1]);
    const mt = tf.zeros([1, H, W, 1]) as tf.Tensor4D;
    const fn = (x: tf.Tensor): tf.Scalar => perceptual(tt, x as tf.Tensor4D, mt, { features });
    expect(fn(pt).dataSync()[0]).toBe(0);
    for (const g of tf.grad(fn)(pt).dataSync()) expect(Math.abs(g)).toBe(0);
    expect(() => perceptual(pt, pt, undefined, undefined as never)).toThrow(DepthblocksError);
    expect(() => perceptual(pt, pt, undefined, undefined as never)).toThrow(/options.features is required/);
    tf.dispose([tt, pt, mt]);
    model.dispose();
  });
});
