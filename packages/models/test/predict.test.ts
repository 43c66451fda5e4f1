import { tf, DepthblocksError } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { predict, targetToDepth, depthToTarget, DepthModel, resolveConfig } from '../src';

beforeAll(async () => {
  await setupTestBackend();
});

/**
 * A model whose output is a fixed function of the input: y[j] = 1 * x[j] + 10 * x[j+1] on channel 0
 * (a 1x2 conv, 'same' padding pads one zero on the right).
 */
function shiftModel(width = 4): tf.LayersModel {
  const input = tf.input({ shape: [1, width, 3] });
  const conv = tf.layers.conv2d({ filters: 1, kernelSize: [1, 2], padding: 'same', useBias: false, name: 'shift' });
  const model = tf.model({ inputs: input, outputs: conv.apply(input) as tf.SymbolicTensor });
  const k = new Float32Array(2 * 3);
  k[0] = 1; // kernel [0, 0, c=0, 0]
  k[3] = 10; // kernel [0, 1, c=0, 0]
  conv.setWeights([tf.tensor4d(k, [1, 2, 3, 1])]);
  return model;
}

function rgbRow(values: number[]): tf.Tensor4D {
  const data = values.flatMap((v) => [v, 0.5, 0.25]);
  return tf.tensor4d(data, [1, 1, values.length, 3]);
}

describe('predict', () => {
  test('without TTA: f(x) = x[j] + 10 x[j+1]', () => {
    const model = shiftModel();
    const x = rgbRow([1, 2, 3, 4]);
    const y = predict(model, x);
    expect(Array.from(y.dataSync())).toEqual([21, 32, 43, 4]);
    tf.dispose([y, x, model]);
  });
  test('flip TTA averages f(x) and flip(f(flip(x))): hand-computed [11, 22, 33, 19]', () => {
    // f(x) = [21, 32, 43, 4]; flip(f(flip(x)))[j] = x[j] + 10 x[j-1] = [1, 12, 23, 34]
    const model = shiftModel();
    const x = rgbRow([1, 2, 3, 4]);
    const before = tf.memory().numTensors;
    const y = predict(model, x, { flipTTA: true });
    expect(Array.from(y.dataSync())).toEqual([11, 22, 33, 19]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, model]);
  });
  test('uses the DepthModel config normalisation (unit, maxDepth 10 -> x10) and accepts [H, W, C]', () => {
    const model = shiftModel();
    const dm: DepthModel = {
      model,
      config: resolveConfig({ encoder: 'resnet18', decoder: 'unet', depth: { kind: 'unit', maxDepth: 10 } }),
    };
    const x = rgbRow([1, 2, 3, 4]).squeeze([0]) as tf.Tensor3D;
    const y = predict(dm, x, { flipTTA: true });
    expect(y.shape).toEqual([1, 1, 4, 1]);
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([110, 220, 330, 190][i], 4));
    tf.dispose([y, x, model]);
  });
  test('TTA averages in metres (after the inverse-depth normalisation), as DenseDepth does', () => {
    const model = shiftModel();
    const x = rgbRow([1, 2, 3, 4]);
    const y = predict(model, x, { flipTTA: true, depth: { kind: 'densedepth', minDepth: 0.1, maxDepth: 10 } });
    // 0.5 * (10 / f + 10 / g), f = [21, 32, 43, 4], g = [1, 12, 23, 34]; 10 / 1 = 10 (cap), 10 / 4 = 2.5
    const f = [21, 32, 43, 4];
    const g = [1, 12, 23, 34];
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(0.5 * (10 / f[i] + 10 / g[i]), 5));
    tf.dispose([y, x, model]);
  });
  test("outputSize 'input' resizes to the RGB size; batches larger than batchSize are split", () => {
    const input = tf.input({ shape: [4, 6, 3] });
    const pooled = tf.layers.averagePooling2d({ poolSize: 2 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({
      inputs: input,
      outputs: tf.layers.conv2d({ filters: 1, kernelSize: 1, kernelInitializer: 'ones' }).apply(pooled) as tf.SymbolicTensor,
    });
    const x = tf.randomUniform([5, 4, 6, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const small = predict(model, x, { batchSize: 2 });
    expect(small.shape).toEqual([5, 2, 3, 1]);
    const whole = model.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(small, whole))).dataSync()[0]).toBeLessThan(1e-6);
    const big = predict(model, x, { outputSize: 'input' });
    expect(big.shape).toEqual([5, 4, 6, 1]);
    tf.dispose([small, whole, big, x, model]);
  });
  test('bad input raises DepthblocksError naming the shapes', () => {
    const model = shiftModel();
    const x1 = tf.zeros([1, 1, 4, 1]) as tf.Tensor4D;
    expect(() => predict(model, x1)).toThrow(/3 channels, got an image with 1/);
    const x2 = tf.zeros([1, 1, 5, 3]) as tf.Tensor4D;
    expect(() => predict(model, x2)).toThrow(/1x4 images, got 1x5/);
    const x3 = tf.zeros([4, 3]);
    expect(() => predict(model, x3 as unknown as tf.Tensor3D)).toThrow(DepthblocksError);
    tf.dispose([x1, x2, x3, model]);
  });
});

describe('depth normalisations', () => {
  test('densedepth: depth = clip(10 / y, 0.1, 10) and target = 10 / clip(depth, 0.1, 10)', () => {
    const n = { kind: 'densedepth', minDepth: 0.1, maxDepth: 10 } as const;
    const y = tf.tensor1d([1, 2, 50, 200, 0.5]);
    expect(Array.from(targetToDepth(y, n).dataSync())).toEqual([10, 5, 0.2, 0.1, 10].map(Math.fround));
    // y = 1000 / clip(depth_cm, 10, 1000): 0.05 m -> 10 cm -> 100; 2 m -> 5; 20 m -> 1
    const t = depthToTarget(tf.tensor1d([0.05, 2, 20]), n);
    Array.from(t.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([100, 5, 1][i], 4));
    tf.dispose([y, t]);
  });
  test('unit, log, none', () => {
    const d = tf.tensor1d([0.5, 2, 12]);
    const unit = { kind: 'unit', maxDepth: 10 } as const;
    const u = depthToTarget(d, unit);
    Array.from(u.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([0.05, 0.2, 1][i], 6));
    const back = targetToDepth(u, unit);
    Array.from(back.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([0.5, 2, 10][i], 5));
    const l = depthToTarget(d, { kind: 'log' });
    Array.from(targetToDepth(l, { kind: 'log' }).dataSync()).forEach((v, i) => expect(v).toBeCloseTo([0.5, 2, 12][i], 4));
    expect(Array.from(targetToDepth(d, { kind: 'none' }).dataSync())).toEqual([0.5, 2, 12]);
    expect(() => targetToDepth(d, { kind: 'unit', maxDepth: -1 })).toThrow(/maxDepth: must be > 0, got number -1/);
    expect(() => targetToDepth(d, { kind: 'inverse' } as never)).toThrow(/kind: /);
    tf.dispose([d, u, back, l]);
  });
});
