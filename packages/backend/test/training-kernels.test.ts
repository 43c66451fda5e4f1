/**
 * Training-mode batch norm (one kernel, wasm SIMD and JS), ReLU's gradient from its output, and the frugal
 * backprop. References: a float64 batch norm written out here, tfjs' own composite (tf.moments + tf.batchNorm,
 * differentiated by tfjs), tfjs' own Engine.gradients, and tfjs' step-based ReLU gradient.
 */
import { batchNormTrain, exactResizeBilinearGrad, tf } from '@depthblocks/core';
import { setupBackend, useFrugalGradients } from '../src/node';
import { simdKernels } from '../src/simd/simd-kernels';

function rand(n: number, seed: number, offset = 0, scale = 1): Float32Array {
  let s = seed >>> 0;
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = offset + scale * (s / 4294967296 - 0.5);
  }
  return v;
}

/** float64 batch norm over the last axis. */
function reference(x: Float32Array, c: number, g: Float32Array, b: Float32Array, eps: number) {
  const p = x.length / c;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let i = 0; i < x.length; i++) mean[i % c] += x[i] / p;
  for (let i = 0; i < x.length; i++) variance[i % c] += (x[i] - mean[i % c]) ** 2 / p;
  const y = Array.from(x, (v, i) => (g[i % c] * (v - mean[i % c])) / Math.sqrt(variance[i % c] + eps) + b[i % c]);
  return { y, mean: Array.from(mean), variance: Array.from(variance) };
}

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m / scale;
}

const composite = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor => {
  const { mean, variance } = tf.moments(x, x.shape.map((_, i) => i).slice(0, -1));
  return tf.batchNorm(x, mean, variance, b, g, eps);
};

// shapes: channels a multiple of 4 (SIMD only), not (SIMD + scalar tail), and fewer than 4 (tail only)
const cases: { shape: number[]; offset: number }[] = [
  { shape: [2, 5, 7, 32], offset: 0 },
  { shape: [3, 4, 6, 13], offset: 0 },
  { shape: [2, 3, 3, 3], offset: 0 },
  { shape: [2, 6, 6, 8], offset: 1000 }, // a large mean must not cancel the variance
];

describe.each(['wasm', 'cpu'] as const)('batchNormTrain on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'cpu') {
      await setupBackend({ backend: 'cpu' });
    } else {
      await setupBackend({ backend: 'wasm', threads: 1 });
    }
  });

  test('the wasm backend uses the SIMD module', () => {
    if (backend === 'wasm') expect(simdKernels(tf.backend())).not.toBeNull();
    else expect(simdKernels(tf.backend())).toBeNull();
  });

  test.each(cases)('forward matches float64 ($shape, mean offset $offset)', ({ shape, offset }) => {
    const c = shape[shape.length - 1];
    const n = shape.reduce((a, b) => a * b, 1);
    const xv = rand(n, 7, offset, 4);
    const gv = rand(c, 8, 1);
    const bv = rand(c, 9);
    const [y, mean, variance] = batchNormTrain(tf.tensor(xv, shape), tf.tensor(gv), tf.tensor(bv), 1e-3);
    const ref = reference(xv, c, gv, bv, 1e-3);
    expect(maxRelErr(y.dataSync(), ref.y)).toBeLessThan(offset ? 2e-3 : 1e-5);
    expect(maxRelErr(mean.dataSync(), ref.mean)).toBeLessThan(1e-6);
    expect(maxRelErr(variance.dataSync(), ref.variance)).toBeLessThan(offset ? 1e-3 : 1e-5);
    tf.dispose([y, mean, variance]);
  });

  test.each(cases.slice(0, 3))('gradients match tfjs differentiating tf.moments + tf.batchNorm ($shape)', ({ shape }) => {
    const c = shape[shape.length - 1];
    const n = shape.reduce((a, b) => a * b, 1);
    const x = tf.tensor(rand(n, 3, 0, 2), shape);
    const g = tf.tensor(rand(c, 4, 1));
    const b = tf.tensor(rand(c, 5));
    const w = tf.tensor(rand(n, 6), shape); // weights every output differently
    const loss =
      (bn: typeof composite) =>
      (...t: tf.Tensor[]): tf.Scalar =>
        tf.sum(tf.mul(bn(t[0], t[1], t[2], 1e-3), w));
    const ours = tf.grads(loss((a, gg, bb, e) => batchNormTrain(a, gg, bb, e)[0]))([x, g, b]);
    const ref = tf.grads(loss(composite))([x, g, b]);
    ours.forEach((o, i) => {
      expect(maxRelErr(o.dataSync(), ref[i].dataSync())).toBeLessThan(1e-4);
      expect(ref[i].dataSync().some((v) => Math.abs(v) > 1e-3)).toBe(true);
    });
    tf.dispose([x, g, b, w, ...ours, ...ref]);
  });

  test('ReLU gradient from the output equals dy * step(x), zeros included', () => {
    const x = tf.tensor([-2, -0, 0, 0.5, 3, -1e-9, 1e-9, 7], [2, 4]);
    const dy = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 4]);
    const g = tf.grad((t: tf.Tensor) => tf.relu(t))(x, dy);
    expect(Array.from(g.dataSync())).toEqual([0, 0, 0, 4, 5, 0, 7, 8]);
    const big = tf.tensor(rand(1003, 11), [1003]); // SIMD body and scalar tail
    const d2 = tf.tensor(rand(1003, 12), [1003]);
    const ours = tf.grad((t: tf.Tensor) => tf.relu(t))(big, d2);
    const ref = tf.mul(d2, tf.step(big));
    expect(maxRelErr(ours.dataSync(), ref.dataSync())).toBe(0);
    tf.dispose([x, dy, g, big, d2, ours, ref]);
  });

  test('LeakyReLU gradient equals tfjs formula where(x > 0, dy, alpha * dy), NaN included', () => {
    const x = tf.tensor([-2, -0, 0, 0.5, NaN, -1e-9, 1e-9, 7, 3, -4], [10]);
    const dy = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [10]);
    const g = tf.grad((t: tf.Tensor) => tf.leakyRelu(t, 0.2))(x, dy);
    const ref = tf.where(tf.greater(x, 0), dy, tf.mul(dy, 0.2));
    expect(Array.from(g.dataSync())).toEqual(Array.from(ref.dataSync()));
    expect(g.dataSync()[0]).toBeCloseTo(0.2);
    tf.dispose([x, dy, g, ref]);
  });

  test('no tensor leaks in forward and backward', () => {
    const x = tf.tensor(rand(2 * 4 * 4 * 8, 1), [2, 4, 4, 8]);
    const g = tf.ones([8]);
    const b = tf.zeros([8]);
    const before = tf.memory().numTensors;
    const grads = tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.relu(batchNormTrain(a, gg, bb, 1e-5)[0])))([x, g, b]);
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, g, b]);
  });

  test('split on the last axis (the gradient of a channel concatenation) and on another axis', () => {
    const x = tf.tensor(rand(2 * 3 * 4 * 17, 13), [2, 3, 4, 17]);
    const parts = tf.split(x, [3, 8, 6], 3);
    const ref = [
      tf.slice(x, [0, 0, 0, 0], [2, 3, 4, 3]),
      tf.slice(x, [0, 0, 0, 3], [2, 3, 4, 8]),
      tf.slice(x, [0, 0, 0, 11], [2, 3, 4, 6]),
    ];
    parts.forEach((p, i) => expect(Array.from(p.dataSync())).toEqual(Array.from(ref[i].dataSync())));
    const rows = tf.split(x, [1, 2], 1);
    expect(Array.from(rows[1].dataSync())).toEqual(Array.from(tf.slice(x, [0, 1, 0, 0], [2, 2, 4, 17]).dataSync()));
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.concat([t, tf.mul(t, 2)], 3), tf.linspace(0, 1, 34))))(x);
    const w = tf.linspace(0, 1, 34).arraySync() as number[];
    expect(Array.from(g.dataSync().slice(0, 17))).toEqual(
      w.slice(0, 17).map((a, k) => Math.fround(Math.fround(a) + Math.fround(Math.fround(w[17 + k]) * 2))),
    );
    tf.dispose([x, g, ...parts, ...ref, ...rows]);
  });

  test('resize2d may use tf.image.resizeBilinear: its gradient is exact here', () => {
    expect(exactResizeBilinearGrad()).toBe(true);
    expect(exactResizeBilinearGrad('webgl')).toBe(true); // the webgl kernel too (checked in Chromium: browser-gradients.test.ts)
    expect(exactResizeBilinearGrad('webgpu')).toBe(false);
  });
});

describe('frugal backprop', () => {
  beforeAll(async () => {
    await setupBackend({ backend: 'wasm', threads: 1 });
  });
  afterEach(() => {
    useFrugalGradients(true);
  });

  // a small DenseNet-like chain: concatenations, batch norm, ReLU, convolutions, a shared input; each layer in
  // a tidy, as tfjs-layers runs layers (so the forward pass keeps only what backprop needs)
  const net = (x: tf.Tensor4D, ws: tf.Tensor4D[], g: tf.Tensor1D[], b: tf.Tensor1D[]): tf.Scalar => {
    let h: tf.Tensor4D = x;
    for (let i = 0; i < ws.length; i++) {
      const hi = h;
      h = tf.tidy(() => {
        const z = tf.relu(batchNormTrain(hi, g[i], b[i], 1e-3)[0]) as tf.Tensor4D;
        return tf.concat([hi, tf.conv2d(z, ws[i], 1, 'same')], 3);
      });
    }
    return tf.mean(tf.square(tf.sub(h, tf.mean(x)))) as tf.Scalar;
  };
  const setup = () => {
    const x = tf.variable(tf.tensor4d(rand(2 * 12 * 12 * 8, 21), [2, 12, 12, 8]));
    const ws: tf.Variable[] = [];
    const g: tf.Variable[] = [];
    const b: tf.Variable[] = [];
    for (let i = 0; i < 6; i++) {
      ws.push(tf.variable(tf.tensor4d(rand(9 * (8 + 4 * i) * 4, 30 + i, 0, 0.3), [3, 3, 8 + 4 * i, 4])));
      g.push(tf.variable(tf.tensor1d(rand(8 + 4 * i, 40 + i, 1))));
      b.push(tf.variable(tf.tensor1d(rand(8 + 4 * i, 50 + i))));
    }
    return { x, ws, g, b, all: [x, ...ws, ...g, ...b] };
  };

  test('gives the same gradients as tfjs, holds less memory, leaks nothing', async () => {
    const v = setup();
    const run = (frugal: boolean) => {
      useFrugalGradients(frugal);
      const before = tf.memory().numTensors;
      const out = tf.variableGrads(() => net(v.x as any, v.ws as any, v.g as any, v.b as any), v.all);
      const grads = v.all.map((t) => Array.from(out.grads[t.name].dataSync()));
      const value = out.value.dataSync()[0];
      tf.dispose([out.value, ...Object.values(out.grads)]);
      expect(tf.memory().numTensors).toBe(before);
      return { grads, value };
    };
    const peakOf = async (frugal: boolean): Promise<number> => {
      useFrugalGradients(frugal);
      const p = await tf.profile(() => {
        const out = tf.variableGrads(() => net(v.x as any, v.ws as any, v.g as any, v.b as any), v.all);
        tf.dispose([out.value, ...Object.values(out.grads)]);
      });
      return p.peakBytes;
    };
    const a = run(true);
    const b = run(false);
    expect(a.value).toBe(b.value);
    a.grads.forEach((g, i) => expect(g).toEqual(b.grads[i])); // same kernels in the same order: bit-identical
    const frugalPeak = await peakOf(true);
    const tfjsPeak = await peakOf(false);
    expect(frugalPeak).toBeLessThan(0.85 * tfjsPeak);
    tf.dispose(v.all);
  });

  test('keeps the caller dy, supports gradients w.r.t. intermediate-free inputs and nested gradients', () => {
    const x = tf.tensor([1, 2, 3]);
    const dy = tf.tensor([1, 0.5, 2]);
    const g = tf.grad((t: tf.Tensor) => tf.mul(tf.square(t), 3))(x, dy);
    expect(Array.from(g.dataSync())).toEqual([6, 6, 36]);
    expect(dy.isDisposed).toBe(false);
    // second derivative of x^3 is 6x (the inner gradient is recorded by the outer one: tfjs' own path)
    const d2 = tf.grad((t: tf.Tensor) => tf.sum(tf.grad((u: tf.Tensor) => tf.sum(tf.pow(u, 3)))(t)))(x);
    expect(Array.from(d2.dataSync())).toEqual([6, 12, 18]);
    // a gradient that passes dy through unchanged to two inputs
    const y = tf.tensor([4, 5, 6]);
    const [ga, gb] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.add(tf.clone(a), b)))([x, y]);
    expect(Array.from(ga.dataSync())).toEqual([1, 1, 1]);
    expect(Array.from(gb.dataSync())).toEqual([1, 1, 1]);
    // the same tensor twice: its gradient accumulates
    const [gc] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.clone(a), a), a)))([x]);
    expect(Array.from(gc.dataSync())).toEqual([4, 8, 12]);
    tf.dispose([x, y, dy, g, d2, ga, gb, gc]);
  });

  test('an error from f leaves no tape behind and the next gradient works', () => {
    expect(() => tf.grad(() => tf.scalar(1) as tf.Scalar)(tf.scalar(2))).toThrow(/Cannot compute gradient/);
    const g = tf.grad((t: tf.Tensor) => tf.square(t))(tf.scalar(3));
    expect(g.dataSync()[0]).toBe(6);
    g.dispose();
  });
});

describe('wasm SIMD resize gradient agrees with the JS kernel (cpu), batch 2, channels 6', () => {
  test.each([
    [false, true],
    [true, false],
    [false, false],
  ])('alignCorners=%s halfPixelCenters=%s', async (ac, hp) => {
    const dyv = rand(2 * 9 * 13 * 6, 17);
    const grad = async (backend: 'wasm' | 'cpu'): Promise<Float32Array> => {
      await setupBackend({ backend, threads: 1 });
      const x = tf.zeros([2, 5, 7, 6]);
      const dy = tf.tensor4d(dyv, [2, 9, 13, 6]);
      const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeBilinear(a as tf.Tensor4D, [9, 13], ac, hp), dy)))(x);
      const out = g.dataSync() as Float32Array;
      tf.dispose([x, dy, g]);
      return out;
    };
    const w = await grad('wasm');
    const c = await grad('cpu');
    expect(maxRelErr(w, c)).toBeLessThan(1e-6);
    expect(c.some((v) => Math.abs(v) > 0.1)).toBe(true);
    await setupBackend({ backend: 'wasm', threads: 1 });
  });
});
