import { tf, DepthblocksError } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import {
  groupedConv2d,
  GroupedConv2D,
  dilatedConv2d,
  DilatedConv2D,
  FreezableBatchNormalization,
  HardSwish,
  HardSigmoid,
  Preprocess,
  SeededGlorotUniform,
} from '../src';

beforeAll(async () => {
  await setupTestBackend();
});

/** Plain-loop float64 grouped convolution, 'valid' padding: x [N,H,W,C], k [kh,kw,C/g,O]. */
function refGrouped(
  x: number[],
  xs: number[],
  k: number[],
  ks: number[],
  groups: number,
  stride: number,
): { y: Float64Array; shape: number[] } {
  const [n, h, w, c] = xs;
  const [kh, kw, cg, o] = ks;
  const og = o / groups;
  const oh = Math.floor((h - kh) / stride) + 1;
  const ow = Math.floor((w - kw) / stride) + 1;
  const y = new Float64Array(n * oh * ow * o);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let oc = 0; oc < o; oc++) {
          const g = Math.floor(oc / og);
          let s = 0;
          for (let di = 0; di < kh; di++)
            for (let dj = 0; dj < kw; dj++)
              for (let ci = 0; ci < cg; ci++) {
                const xv = x[((b * h + i * stride + di) * w + j * stride + dj) * c + g * cg + ci];
                s += xv * k[((di * kw + dj) * cg + ci) * o + oc];
              }
          y[((b * oh + i) * ow + j) * o + oc] = s;
        }
  return { y, shape: [n, oh, ow, o] };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe.each(['depthwise', 'split'] as const)('groupedConv2d (%s)', (impl) => {
  test('matches a float64 loop reference (values), 4 groups, stride 2, valid, Cout != Cin', () => {
    const x = tf.randomNormal([2, 7, 6, 8], 0, 1, 'float32', 1) as tf.Tensor4D;
    const k = tf.randomNormal([3, 3, 2, 12], 0, 1, 'float32', 2) as tf.Tensor4D;
    const y = groupedConv2d(x, k, 4, 2, 'valid', 1, impl);
    const ref = refGrouped(Array.from(x.dataSync()), x.shape, Array.from(k.dataSync()), k.shape, 4, 2);
    expect(y.shape).toEqual(ref.shape);
    expect(maxAbsDiff(y.dataSync(), ref.y)).toBeLessThan(1e-4);
    tf.dispose([x, k, y]);
  });

  test('gradients match per-group tf.conv2d on explicit slices', () => {
    const x = tf.randomNormal([1, 6, 6, 8], 0, 1, 'float32', 3) as tf.Tensor4D;
    const k = tf.randomNormal([3, 3, 2, 8], 0, 1, 'float32', 4) as tf.Tensor4D;
    const w = tf.randomNormal([1, 6, 6, 8], 0, 1, 'float32', 5);
    const f = (xx: tf.Tensor, kk: tf.Tensor) =>
      tf.sum(tf.mul(groupedConv2d(xx as tf.Tensor4D, kk as tf.Tensor4D, 4, 1, 'same', 1, impl), w));
    const g = (xx: tf.Tensor, kk: tf.Tensor) => {
      const outs = [0, 1, 2, 3].map((gi) =>
        tf.conv2d(
          tf.slice(xx as tf.Tensor4D, [0, 0, 0, 2 * gi], [-1, -1, -1, 2]),
          tf.slice(kk as tf.Tensor4D, [0, 0, 0, 2 * gi], [-1, -1, -1, 2]),
          1,
          'same',
        ),
      );
      return tf.sum(tf.mul(tf.concat(outs, 3), w));
    };
    const [gx, gk] = tf.grads(f)([x, k]);
    const [rx, rk] = tf.grads(g)([x, k]);
    expect(maxAbsDiff(gx.dataSync(), rx.dataSync())).toBeLessThan(1e-4);
    expect(maxAbsDiff(gk.dataSync(), rk.dataSync())).toBeLessThan(1e-4);
    // and the kernel gradient is not trivially zero
    expect(tf.max(tf.abs(gk)).dataSync()[0]).toBeGreaterThan(0.1);
    tf.dispose([x, k, w, gx, gk, rx, rk]);
  });

  test('dilated (rate 2) equals per-group dilatedConv2d, values and gradients', () => {
    const x = tf.randomNormal([1, 7, 9, 8], 0, 1, 'float32', 13) as tf.Tensor4D;
    const k = tf.randomNormal([3, 3, 4, 6], 0, 1, 'float32', 14) as tf.Tensor4D;
    const w = tf.randomNormal([1, 7, 9, 6], 0, 1, 'float32', 15);
    const f = (xx: tf.Tensor, kk: tf.Tensor) =>
      tf.sum(tf.mul(groupedConv2d(xx as tf.Tensor4D, kk as tf.Tensor4D, 2, 1, 'same', 2, impl), w));
    const g = (xx: tf.Tensor, kk: tf.Tensor) => {
      const outs = [0, 1].map((gi) =>
        dilatedConv2d(
          tf.slice(xx as tf.Tensor4D, [0, 0, 0, 4 * gi], [-1, -1, -1, 4]),
          tf.slice(kk as tf.Tensor4D, [0, 0, 0, 3 * gi], [-1, -1, -1, 3]),
          2,
        ),
      );
      return tf.sum(tf.mul(tf.concat(outs, 3), w));
    };
    expect(Math.abs(f(x, k).dataSync()[0] - g(x, k).dataSync()[0])).toBeLessThan(1e-3);
    const [gx, gk] = tf.grads(f)([x, k]);
    const [rx, rk] = tf.grads(g)([x, k]);
    expect(maxAbsDiff(gx.dataSync(), rx.dataSync())).toBeLessThan(1e-4);
    expect(maxAbsDiff(gk.dataSync(), rk.dataSync())).toBeLessThan(1e-4);
    tf.dispose([x, k, w, gx, gk, rx, rk]);
  });
});

describe('GroupedConv2D', () => {
  test('layer: kernel [k, k, Cin/groups, filters], output shape, bad channel count', () => {
    const layer = new GroupedConv2D({ name: 'g', filters: 16, kernelSize: 3, groups: 4, strides: 2, padding: 'valid', useBias: true });
    const out = layer.apply(tf.input({ shape: [9, 9, 8] })) as tf.SymbolicTensor;
    expect(out.shape).toEqual([null, 4, 4, 16]);
    expect(layer.weights.map((w) => w.shape)).toEqual([[3, 3, 2, 16], [16]]);
    const bad = new GroupedConv2D({ name: 'g2', filters: 16, kernelSize: 3, groups: 4 });
    expect(() => bad.apply(tf.input({ shape: [9, 9, 6] }))).toThrow(DepthblocksError);
    expect(() => new GroupedConv2D({ name: 'g3', filters: 10, kernelSize: 3, groups: 4 })).toThrow(/divisible/);
  });
});

describe('dilatedConv2d', () => {
  /** Reference: an ordinary conv with the kernel explicitly spread out with zeros, after symmetric padding. */
  function reference(x: tf.Tensor4D, k: tf.Tensor4D, rate: number, depthwise: boolean): tf.Tensor4D {
    const [kh, kw, c, o] = k.shape;
    const eh = (kh - 1) * rate + 1;
    const ew = (kw - 1) * rate + 1;
    const kd = tf.buffer([eh, ew, c, o]);
    const kv = k.arraySync();
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++) for (let a = 0; a < c; a++) for (let b = 0; b < o; b++) kd.set(kv[i][j][a][b], i * rate, j * rate, a, b);
    const p = ((kh - 1) * rate) / 2;
    const xp = tf.pad(x, [
      [0, 0],
      [p, p],
      [p, p],
      [0, 0],
    ]);
    return depthwise
      ? tf.depthwiseConv2d(xp, kd.toTensor() as tf.Tensor4D, 1, 'valid')
      : tf.conv2d(xp, kd.toTensor() as tf.Tensor4D, 1, 'valid');
  }

  test.each([
    [2, false, 9, 7],
    [4, false, 10, 13],
    [2, true, 8, 5],
  ])('rate %d depthwise=%s on %dx%d matches a zero-spread kernel, values and gradients', (rate, depthwise, h, w) => {
    const x = tf.randomNormal([2, h, w, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
    const k = tf.randomNormal([3, 3, 3, depthwise ? 1 : 4], 0, 1, 'float32', 7) as tf.Tensor4D;
    const y = dilatedConv2d(x, k, rate, depthwise);
    const r = reference(x, k, rate, depthwise);
    expect(y.shape).toEqual([2, h, w, depthwise ? 3 : 4]);
    expect(maxAbsDiff(y.dataSync(), r.dataSync())).toBeLessThan(1e-4);
    const wt = tf.randomNormal(y.shape, 0, 1, 'float32', 8);
    const gx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(dilatedConv2d(xx as tf.Tensor4D, k, rate, depthwise), wt)))(x);
    const rx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(reference(xx as tf.Tensor4D, k, rate, depthwise), wt)))(x);
    expect(maxAbsDiff(gx.dataSync(), rx.dataSync())).toBeLessThan(1e-3);
    const gk = tf.grad((kk: tf.Tensor) => tf.sum(tf.mul(dilatedConv2d(x, kk as tf.Tensor4D, rate, depthwise), wt)))(k);
    // reference kernel gradient by finite structure: d/dk[i,j,a,b] = sum over positions of x_pad[.., y + i*rate, x + j*rate, a] * wt
    const xp = tf
      .pad(x, [
        [0, 0],
        [rate, rate],
        [rate, rate],
        [0, 0],
      ])
      .arraySync() as number[][][][];
    const wv = wt.arraySync() as number[][][][];
    const gkv = gk.arraySync() as number[][][][];
    let m = 0;
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        for (let a = 0; a < 3; a++)
          for (let b = 0; b < (depthwise ? 1 : 4); b++) {
            let s = 0;
            for (let n = 0; n < 2; n++)
              for (let yy = 0; yy < h; yy++)
                for (let xx = 0; xx < w; xx++) s += xp[n][yy + i * rate][xx + j * rate][a] * wv[n][yy][xx][depthwise ? a : b];
            m = Math.max(m, Math.abs(s - gkv[i][j][a][b]));
          }
    expect(m).toBeLessThan(1e-3);
    tf.dispose([x, k, y, r, wt, gx, rx, gk]);
  });

  test('layer keeps the spatial size and names its weights like Keras', () => {
    const l = new DilatedConv2D({ name: 'd', filters: 5, kernelSize: 3, dilationRate: 2, useBias: true });
    const out = l.apply(tf.input({ shape: [11, 12, 4] })) as tf.SymbolicTensor;
    expect(out.shape).toEqual([null, 11, 12, 5]);
    expect(l.weights.map((w) => w.originalName)).toEqual(['d/kernel', 'd/bias']);
    const dw = new DilatedConv2D({ name: 'dw', kernelSize: 5, dilationRate: 2, depthwise: true });
    dw.apply(tf.input({ shape: [11, 12, 4] }));
    expect(dw.weights.map((w) => [w.originalName, w.shape])).toEqual([['dw/depthwise_kernel', [5, 5, 4, 1]]]);
  });
});

describe('FreezableBatchNormalization', () => {
  test('training mode: batch statistics, moving averages with the unbiased variance', () => {
    const bn = new FreezableBatchNormalization({ name: 'bn', momentum: 0.9, epsilon: 1e-5 });
    const input = tf.input({ shape: [1, 2, 1] });
    const model = tf.model({ inputs: input, outputs: bn.apply(input) as tf.SymbolicTensor });
    const x = tf.tensor4d([1, 2, 3, 6], [2, 1, 2, 1]); // mean 3, biased var 3.5, unbiased 14/3
    const y = model.apply(x, { training: true }) as tf.Tensor;
    const expected = [1, 2, 3, 6].map((v) => (v - 3) / Math.sqrt(3.5 + 1e-5));
    expect(maxAbsDiff(y.dataSync(), expected)).toBeLessThan(1e-5);
    const [, , mm, mv] = bn.getWeights();
    expect(mm.dataSync()[0]).toBeCloseTo(0.1 * 3, 5);
    expect(mv.dataSync()[0]).toBeCloseTo(0.9 * 1 + 0.1 * (14 / 3), 5);
    tf.dispose([x, y, mm, mv]);
  });

  test('frozen: inference mode even with training=true, statistics unchanged, gamma/beta not trainable', () => {
    const bn = new FreezableBatchNormalization({ name: 'bn2', epsilon: 1e-3 });
    const input = tf.input({ shape: [1, 2, 1] });
    const model = tf.model({ inputs: input, outputs: bn.apply(input) as tf.SymbolicTensor });
    bn.setWeights([tf.tensor1d([2]), tf.tensor1d([0.5]), tf.tensor1d([1]), tf.tensor1d([4])]);
    bn.trainable = false;
    expect(model.trainableWeights).toHaveLength(0);
    const x = tf.tensor4d([1, 2, 3, 6], [2, 1, 2, 1]);
    const y = model.apply(x, { training: true }) as tf.Tensor;
    const expected = [1, 2, 3, 6].map((v) => (2 * (v - 1)) / Math.sqrt(4 + 1e-3) + 0.5);
    expect(maxAbsDiff(y.dataSync(), expected)).toBeLessThan(1e-5);
    const w = bn.getWeights();
    expect([w[2].dataSync()[0], w[3].dataSync()[0]]).toEqual([1, 4]);
    tf.dispose([x, y, ...w]);
  });
});

describe('activations and preprocessing', () => {
  test('hard swish / hard sigmoid: x * relu6(x + 3) / 6', () => {
    const xs = [-4, -3, -1, 0, 0.5, 3, 5];
    const x = tf.tensor4d(xs, [1, 1, 7, 1]);
    const hs = new HardSwish().apply(x) as tf.Tensor;
    const hsig = new HardSigmoid().apply(x) as tf.Tensor;
    const relu6 = (v: number) => Math.min(6, Math.max(0, v));
    expect(
      maxAbsDiff(
        hs.dataSync(),
        xs.map((v) => (v * relu6(v + 3)) / 6),
      ),
    ).toBeLessThan(1e-6);
    expect(
      maxAbsDiff(
        hsig.dataSync(),
        xs.map((v) => relu6(v + 3) / 6),
      ),
    ).toBeLessThan(1e-6);
    tf.dispose([x, hs, hsig]);
  });

  test('imagenet, caffe (BGR, x255 - mean) and channel adaptation', () => {
    const x = tf.tensor4d([0.2, 0.5, 0.9], [1, 1, 1, 3]);
    const im = new Preprocess({ mode: 'imagenet' }).apply(x) as tf.Tensor;
    expect(maxAbsDiff(im.dataSync(), [(0.2 - 0.485) / 0.229, (0.5 - 0.456) / 0.224, (0.9 - 0.406) / 0.225])).toBeLessThan(1e-5);
    const cf = new Preprocess({ mode: 'caffe' }).apply(x) as tf.Tensor;
    expect(maxAbsDiff(cf.dataSync(), [0.9 * 255 - 103.939, 0.5 * 255 - 116.779, 0.2 * 255 - 123.68])).toBeLessThan(1e-3);
    const x5 = tf.tensor4d([0.1, 0.2, 0.3, 0.4, 0.5], [1, 1, 1, 5]);
    const im5 = new Preprocess({ mode: 'imagenet', channels: 5 }).apply(x5) as tf.Tensor;
    expect(
      maxAbsDiff(im5.dataSync(), [
        (0.1 - 0.485) / 0.229,
        (0.2 - 0.456) / 0.224,
        (0.3 - 0.406) / 0.225,
        (0.4 - 0.485) / 0.229,
        (0.5 - 0.456) / 0.224,
      ]),
    ).toBeLessThan(1e-5);
    expect(() => new Preprocess({ mode: 'bgr' as never })).toThrow(/Unknown preprocessing 'bgr'/);
    tf.dispose([x, im, cf, x5, im5]);
  });

  test('SeededGlorotUniform: within the Glorot limit, deterministic by seed', () => {
    const a = new SeededGlorotUniform({ seed: 3 }).apply([3, 3, 16, 32]);
    const b = new SeededGlorotUniform({ seed: 3 }).apply([3, 3, 16, 32]);
    const c = new SeededGlorotUniform({ seed: 4 }).apply([3, 3, 16, 32]);
    const limit = Math.sqrt(6 / (9 * 16 + 9 * 32));
    const av = a.dataSync();
    expect(Math.max(...av.map(Math.abs))).toBeLessThanOrEqual(limit);
    const mean = av.reduce((s, v) => s + v, 0) / av.length;
    const variance = av.reduce((s, v) => s + v * v, 0) / av.length;
    expect(Math.abs(mean)).toBeLessThan(0.01 * limit * 10);
    expect(variance).toBeCloseTo((limit * limit) / 3, 3); // U(-l, l) has variance l^2 / 3
    expect(maxAbsDiff(av, b.dataSync())).toBe(0);
    expect(maxAbsDiff(av, c.dataSync())).toBeGreaterThan(0);
    tf.dispose([a, b, c]);
  });
});

test('a model with every custom layer saves and loads in the tfjs format', async () => {
  const input = tf.input({ shape: [8, 8, 3] });
  let x = new Preprocess({ name: 'pre', mode: 'imagenet' }).apply(input) as tf.SymbolicTensor;
  x = new GroupedConv2D({ name: 'gc', filters: 8, kernelSize: 3, groups: 1, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  x = new GroupedConv2D({ name: 'gc2', filters: 8, kernelSize: 3, groups: 4, padding: 'same', seed: 9 }).apply(x) as tf.SymbolicTensor;
  x = new FreezableBatchNormalization({ name: 'bn' }).apply(x) as tf.SymbolicTensor;
  x = new HardSwish({ name: 'hs' }).apply(x) as tf.SymbolicTensor;
  x = new DilatedConv2D({ name: 'dc', filters: 4, kernelSize: 3, dilationRate: 2 }).apply(x) as tf.SymbolicTensor;
  x = new HardSigmoid({ name: 'hsig' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ name: 'c', filters: 2, kernelSize: 1, kernelInitializer: new SeededGlorotUniform({ seed: 1 }) })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: x });
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })),
  );
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
  const inp = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 2);
  const a = model.predict(inp) as tf.Tensor;
  const b = loaded.predict(inp) as tf.Tensor;
  expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBe(0);
  expect(loaded.layers.map((l) => l.getClassName())).toContain('GroupedConv2D');
  tf.dispose([inp, a, b]);
  model.dispose();
  loaded.dispose();
});
