/**
 * The training kernels and gradients depthblocks adds, checked against the cpu backend (tfjs' reference
 * kernels) and, for dilation, against an undilated convolution with an explicitly zero-dilated filter.
 */
import { tf } from '@depthblocks/core';
import { setupBackend, wasmKernelTuning } from '../src/node';

type Grads = number[][];

/** Runs `f` on a backend and returns the value and the gradients w.r.t. the inputs as plain arrays. */
async function gradsOn(
  backend: 'wasm' | 'cpu',
  f: (...xs: tf.Tensor[]) => tf.Scalar,
  inputs: { shape: number[]; values: Float32Array }[],
): Promise<{ value: number; grads: Grads }> {
  if (backend === 'cpu') await tf.setBackend('cpu');
  else await setupBackend({ backend: 'wasm', threads: 1 });
  const xs = inputs.map((i) => tf.tensor(i.values, i.shape));
  const { value, grads } = tf.valueAndGrads(f)(xs);
  const out = { value: (await value.data())[0], grads: await Promise.all(grads.map(async (g) => Array.from(await g.data()))) };
  tf.dispose([value, ...grads, ...xs]);
  return out;
}

function rand(shape: number[], seed: number): { shape: number[]; values: Float32Array } {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    values[i] = s / 4294967296 - 0.5;
  }
  return { shape, values };
}

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function expectSameOnBothBackends(
  f: (...xs: tf.Tensor[]) => tf.Scalar,
  inputs: { shape: number[]; values: Float32Array }[],
  tol = 1e-4,
): Promise<void> {
  const w = await gradsOn('wasm', f, inputs);
  const c = await gradsOn('cpu', f, inputs);
  expect(Math.abs(w.value - c.value)).toBeLessThan(tol * Math.max(1, Math.abs(c.value)));
  w.grads.forEach((g, i) => {
    const scale = Math.max(1, ...c.grads[i].map(Math.abs));
    expect(maxAbsDiff(g, c.grads[i]) / scale).toBeLessThan(tol);
    expect(c.grads[i].some((v) => v !== 0)).toBe(true); // the gradient is not trivially zero
  });
}

// a loss that weights every output element differently, so every gradient entry is exercised
const weighted = (y: tf.Tensor): tf.Scalar => tf.sum(tf.mul(y, tf.linspace(-1, 2, y.size).reshape(y.shape))) as tf.Scalar;

beforeAll(async () => {
  await setupBackend({ backend: 'wasm', threads: 1 });
});

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

// every Conv2DBackpropInput route on every case: 'auto' as used, then each route forced
describe.each(['auto', 'conv', 'col2im', 'col2im-js'] as const)('Conv2D gradients on wasm match cpu (backprop input: %s)', (route) => {
  beforeAll(() => {
    wasmKernelTuning.backpropInput = route;
  });
  afterAll(() => {
    wasmKernelTuning.backpropInput = 'auto';
  });
  const cases: [string, number[], number[], number, Pad][] = [
    ['3x3 stride 1 same', [2, 9, 11, 3], [3, 3, 3, 4], 1, 'same'],
    ['3x3 stride 1 same, channels 6 (SIMD body and tail)', [2, 6, 7, 6], [3, 3, 6, 5], 1, 'same'],
    ['3x3 stride 2 same (odd size)', [1, 9, 11, 3], [3, 3, 3, 5], 2, 'same'],
    ['7x7 stride 2 valid', [1, 16, 15, 3], [7, 7, 3, 8], 2, 'valid'],
    ['1x1 stride 1', [2, 5, 6, 8], [1, 1, 8, 4], 1, 'valid'],
    ['1x1 stride 2', [1, 7, 7, 4], [1, 1, 4, 6], 2, 'same'],
    ['3x3 stride 1 valid', [1, 8, 8, 2], [3, 3, 2, 3], 1, 'valid'],
    ['1x1 stride 2 odd size', [2, 9, 7, 5], [1, 1, 5, 3], 2, 'valid'],
    ['1x1 stride 2 same odd size', [1, 9, 7, 5], [1, 1, 5, 3], 2, 'same'],
    ['1x1 stride 3', [1, 10, 8, 2], [1, 1, 2, 4], 3, 'valid'],
    // few output pixels relative to the filter: the matmul + col2im route
    ['3x3 stride 1 same, deep (col2im)', [2, 2, 3, 24], [3, 3, 24, 40], 1, 'same'],
    ['3x3 stride 2 same, deep odd (col2im)', [1, 5, 3, 16], [3, 3, 16, 32], 2, 'same'],
    ['5x5 stride 2 valid, deep (col2im)', [1, 9, 9, 4], [5, 5, 4, 64], 2, 'valid'],
    [
      '3x3 stride 1 explicit padding',
      [1, 7, 8, 3],
      [3, 3, 3, 4],
      1,
      [
        [0, 0],
        [1, 2],
        [0, 1],
        [0, 0],
      ],
    ],
    [
      '3x3 stride 2 explicit padding',
      [2, 9, 8, 3],
      [3, 3, 3, 5],
      2,
      [
        [0, 0],
        [2, 1],
        [1, 0],
        [0, 0],
      ],
    ],
    [
      '7x7 stride 2 explicit padding (stem)',
      [1, 15, 13, 3],
      [7, 7, 3, 8],
      2,
      [
        [0, 0],
        [3, 3],
        [3, 3],
        [0, 0],
      ],
    ],
    [
      '3x3 deep explicit padding (col2im)',
      [1, 3, 2, 16],
      [3, 3, 16, 48],
      1,
      [
        [0, 0],
        [1, 1],
        [2, 0],
        [0, 0],
      ],
    ],
  ];
  test.each(cases)('%s', async (_name, xs, ws, stride, pad) => {
    await expectSameOnBothBackends(
      (x, w) => weighted(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad)),
      [rand(xs, 1), rand(ws, 2)],
    );
  });
});

describe('depthwise conv gradients on wasm match cpu', () => {
  const cases: [string, number[], number[], number, Pad][] = [
    ['3x3 stride 1 multiplier 1', [2, 8, 9, 4], [3, 3, 4, 1], 1, 'same'],
    ['3x3 stride 2 multiplier 1', [1, 9, 9, 3], [3, 3, 3, 1], 2, 'same'],
    ['5x5 stride 2 multiplier 2', [1, 10, 11, 3], [5, 5, 3, 2], 2, 'same'],
    ['3x3 stride 2 valid', [1, 9, 8, 3], [3, 3, 3, 1], 2, 'valid'],
    ['5x5 stride 2 multiplier 1, batch 2, channels 6 (SIMD body and tail)', [2, 11, 10, 6], [5, 5, 6, 1], 2, 'same'],
    [
      '3x3 stride 1 explicit padding',
      [1, 7, 6, 2],
      [3, 3, 2, 1],
      1,
      [
        [0, 0],
        [0, 2],
        [1, 1],
        [0, 0],
      ],
    ],
  ];
  test.each(cases)('%s', async (_name, xs, ws, stride, pad) => {
    await expectSameOnBothBackends(
      (x, w) => weighted(tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad)),
      [rand(xs, 3), rand(ws, 4)],
    );
  });
});

/** A filter [KH,KW,C,Q] with (d-1) zeros inserted between taps: the undilated equivalent of dilation d. */
function dilateFilter(w: tf.Tensor4D, d: number): tf.Tensor4D {
  const [kh, kw, c, q] = w.shape;
  const kd = (kh - 1) * d + 1;
  const kwd = (kw - 1) * d + 1;
  const buf = tf.buffer([kd, kwd, c, q]);
  const v = w.arraySync();
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++) for (let a = 0; a < c; a++) for (let b = 0; b < q; b++) buf.set(v[i][j][a][b], i * d, j * d, a, b);
  return buf.toTensor() as tf.Tensor4D;
}

describe.each(['wasm', 'cpu'] as const)('dilated convolutions train on %s (wasm: kernels dilate; cpu: space-to-batch)', (backend) => {
  beforeAll(async () => {
    if (backend === 'cpu') await tf.setBackend('cpu');
    else await setupBackend({ backend: 'wasm', threads: 1 });
  });
  afterAll(async () => {
    await setupBackend({ backend: 'wasm', threads: 1 });
  });
  const cases: [string, number[], number[], number, 'same' | 'valid', boolean][] = [
    ['depthwise 3x3 d2 same, multiplier 2', [1, 9, 9, 2], [3, 3, 2, 2], 2, 'same', true],
    ['depthwise 3x3 d3 valid, batch 2', [2, 12, 10, 3], [3, 3, 3, 1], 3, 'valid', true],
    ['conv 3x3 d2 same', [1, 9, 10, 3], [3, 3, 3, 4], 2, 'same', false],
    ['conv 3x3 d3 valid', [2, 12, 11, 2], [3, 3, 2, 3], 3, 'valid', false],
    ['conv 3x3 d4 same odd', [1, 13, 7, 2], [3, 3, 2, 2], 4, 'same', false],
    ['depthwise 3x3 d2 same', [1, 10, 9, 3], [3, 3, 3, 1], 2, 'same', true],
    ['depthwise 5x5 d2 same', [1, 11, 12, 2], [5, 5, 2, 1], 2, 'same', true],
  ];
  test.each(cases)('%s equals the zero-dilated undilated conv', async (_n, xs, ws, d, pad, depthwise) => {
    const x = tf.tensor4d(rand(xs, 5).values, xs as [number, number, number, number]);
    const w = tf.tensor4d(rand(ws, 6).values, ws as [number, number, number, number]);
    const conv = depthwise ? tf.depthwiseConv2d : tf.conv2d;
    const dilated = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => weighted(conv(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad, 'NHWC', d)))(
      [x, w],
    );
    const wd = dilateFilter(w, d);
    const explicit = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) =>
      weighted(conv(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad, 'NHWC', 1)),
    )([x, wd]);
    expect(Math.abs(dilated.value.dataSync()[0] - explicit.value.dataSync()[0])).toBeLessThan(1e-3);
    expect(maxAbsDiff(Array.from(dilated.grads[0].dataSync()), Array.from(explicit.grads[0].dataSync()))).toBeLessThan(1e-4);
    // the filter gradient is the explicit one sampled at the dilated taps
    const sampled = tf.stridedSlice(explicit.grads[1], [0, 0, 0, 0], wd.shape, [d, d, 1, 1]);
    expect(maxAbsDiff(Array.from(dilated.grads[1].dataSync()), Array.from(sampled.dataSync()))).toBeLessThan(1e-4);
    tf.dispose([x, w, wd, sampled, dilated.value, ...dilated.grads, explicit.value, ...explicit.grads]);
  });

  test('a dilated tfjs-layers Conv2D (fused path) trains', () => {
    const before = tf.memory().numTensors;
    const input = tf.input({ shape: [12, 12, 3] });
    const y = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same', useBias: true })
      .apply(input) as tf.SymbolicTensor;
    const z = tf.layers.depthwiseConv2d({ kernelSize: 3, dilationRate: 2, padding: 'same' }).apply(y) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: z });
    const x = tf.randomNormal([1, 12, 12, 3]);
    const opt = tf.train.sgd(0.01);
    const w0 = model.getWeights()[0].dataSync().slice();
    const loss = opt.minimize(() => tf.mean(tf.square(model.apply(x) as tf.Tensor)) as tf.Scalar, true);
    expect(Number.isFinite(loss!.dataSync()[0])).toBe(true);
    expect(maxAbsDiff(Array.from(model.getWeights()[0].dataSync()), Array.from(w0))).toBeGreaterThan(0);
    tf.dispose([loss!, x]);
    model.dispose();
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** Bilinear resize as an explicit float64 linear map (TensorFlow's sampling), and its transpose. */
function resizeReference(inH: number, inW: number, outH: number, outW: number, alignCorners: boolean, halfPixel: boolean): number[][] {
  const ratio = (i: number, o: number): number => (alignCorners && o > 1 ? (i - 1) / (o - 1) : i / o);
  const taps = (i: number, r: number, size: number): [number, number][] => {
    const src = halfPixel ? Math.max(0, (i + 0.5) * r - 0.5) : i * r;
    const lo = Math.min(Math.floor(src), size - 1);
    const hi = Math.min(lo + 1, size - 1);
    const f = src - lo;
    return [
      [lo, 1 - f],
      [hi, f],
    ];
  };
  const m: number[][] = [];
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const row = new Array(inH * inW).fill(0);
      for (const [r, wr] of taps(y, ratio(inH, outH), inH))
        for (const [c, wc] of taps(x, ratio(inW, outW), inW)) row[r * inW + c] += wr * wc;
      m.push(row);
    }
  }
  return m;
}

describe('bilinear resize gradient (both backends) equals the transpose of the resize map', () => {
  const cases: [number, number, number, number, boolean, boolean][] = [
    [3, 4, 11, 13, false, false],
    [3, 4, 11, 13, true, false],
    [3, 4, 11, 13, false, true],
    [5, 7, 10, 14, false, true],
    [6, 5, 3, 2, false, true],
  ];
  test.each(cases)('%dx%d -> %dx%d alignCorners=%s halfPixelCenters=%s', async (ih, iw, oh, ow, ac, hp) => {
    const m = resizeReference(ih, iw, oh, ow, ac, hp);
    const dyv = rand([oh * ow], 12).values;
    const expected = new Array(ih * iw).fill(0);
    m.forEach((row, o) => row.forEach((w, i) => (expected[i] += w * dyv[o])));
    for (const backend of ['wasm', 'cpu'] as const) {
      if (backend === 'cpu') await tf.setBackend('cpu');
      else await setupBackend({ backend: 'wasm', threads: 1 });
      const x = tf.zeros([1, ih, iw, 1]);
      const dy = tf.tensor4d(dyv, [1, oh, ow, 1]);
      const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeBilinear(a as tf.Tensor4D, [oh, ow], ac, hp), dy)))(x);
      expect(g.shape).toEqual([1, ih, iw, 1]);
      expect(maxAbsDiff(Array.from(g.dataSync()), expected)).toBeLessThan(1e-5);
      tf.dispose([x, dy, g]);
    }
    await setupBackend({ backend: 'wasm', threads: 1 });
  });
});

describe('max pooling gradient on wasm matches an explicit argmax reference', () => {
  test.each([
    [1, 6, 7, 4, 3, 2, 'same'],
    [2, 9, 5, 3, 3, 2, 'same'],
    [1, 8, 8, 3, 2, 2, 'valid'],
  ] as [number, number, number, number, number, number, 'same' | 'valid'][])('%dx%dx%dx%d pool %d/%d %s', async (n, h, w, c, k, s, pad) => {
    const xv = rand([n * h * w * c], 13).values;
    const info = tf.backend_util.computePool2DInfo([n, h, w, c], [k, k], [s, s], 1, pad);
    const { outHeight: oh, outWidth: ow, padInfo } = info;
    const dyv = Float32Array.from({ length: n * oh * ow * c }, (_, i) => i + 1);
    const ref = new Array(xv.length).fill(0);
    for (let b = 0; b < n; b++)
      for (let ch = 0; ch < c; ch++)
        for (let oy = 0; oy < oh; oy++)
          for (let ox = 0; ox < ow; ox++) {
            let best = -Infinity;
            let at = -1;
            for (let i = 0; i < k; i++)
              for (let j = 0; j < k; j++) {
                const y = oy * s + i - padInfo.top;
                const x = ox * s + j - padInfo.left;
                if (y < 0 || y >= h || x < 0 || x >= w) continue;
                const idx = ((b * h + y) * w + x) * c + ch;
                if (xv[idx] > best) {
                  best = xv[idx];
                  at = idx;
                }
              }
            ref[at] += dyv[((b * oh + oy) * ow + ox) * c + ch];
          }
    const x = tf.tensor4d(xv, [n, h, w, c]);
    const dy = tf.tensor4d(dyv, [n, oh, ow, c]);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, k, s, pad), dy)))(x);
    expect(maxAbsDiff(Array.from(g.dataSync()), ref)).toBe(0);
    tf.dispose([x, dy, g]);
  });
});

describe('batch norm gradient (broadcasting, no tile) matches tfjs-style reference on both backends', () => {
  // (without a scale tensor, tfjs 4.22's engine fails while saving the absent input for backprop, before any
  // gradient runs; tfjs-layers always passes one)
  test.each([true])('with scale: %s', async (withScale) => {
    const f = (x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor): tf.Scalar =>
      weighted(
        tf.batchNorm(
          x as tf.Tensor4D,
          mean as tf.Tensor1D,
          variance as tf.Tensor1D,
          offset as tf.Tensor1D,
          withScale ? (scale as tf.Tensor1D) : undefined,
          1e-3,
        ),
      );
    const inputs = [
      rand([2, 5, 4, 3], 21),
      rand([3], 22),
      { shape: [3], values: Float32Array.of(0.5, 1.5, 2) },
      rand([3], 23),
      rand([3], 24),
    ];
    // analytic reference in float64
    const [xs, ms, vs, ss] = inputs.map((i) => Array.from(i.values));
    const n = 2 * 5 * 4;
    const wgt = Array.from(tf.linspace(-1, 2, n * 3).dataSync());
    const ref = { x: new Array(n * 3).fill(0), mean: [0, 0, 0], variance: [0, 0, 0], scale: [0, 0, 0], offset: [0, 0, 0] };
    for (let p = 0; p < n; p++)
      for (let c = 0; c < 3; c++) {
        const i = p * 3 + c;
        const inv = 1 / Math.sqrt(vs[c] + 1e-3);
        const sc = withScale ? ss[c] : 1;
        ref.x[i] = wgt[i] * sc * inv;
        ref.mean[c] -= wgt[i] * sc * inv;
        ref.variance[c] += wgt[i] * sc * (xs[i] - ms[c]) * -0.5 * inv ** 3;
        ref.scale[c] += wgt[i] * (xs[i] - ms[c]) * inv;
        ref.offset[c] += wgt[i];
      }
    for (const backend of ['wasm', 'cpu'] as const) {
      const g = await gradsOn(backend, f, inputs);
      const expected = [ref.x, ref.mean, ref.variance, withScale ? ref.scale : [0, 0, 0], ref.offset];
      g.grads.forEach((gr, k) => {
        if (k === 3 && !withScale) return;
        expect(maxAbsDiff(gr, expected[k])).toBeLessThan(1e-4);
      });
    }
    await setupBackend({ backend: 'wasm', threads: 1 });
  });
});

describe('every op the models train through has a gradient on wasm that matches cpu', () => {
  const hardSwish = (x: tf.Tensor): tf.Tensor => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
  test('batch norm, pooling, resize (both pixel-centre modes), concat, activations', async () => {
    const f = (x: tf.Tensor, w: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor): tf.Scalar => {
      const x4 = x as tf.Tensor4D;
      let y = tf.conv2d(x4, w as tf.Tensor4D, 2, 'same'); // strided conv
      const { mean, variance } = tf.moments(y, [0, 1, 2]);
      y = tf.batchNorm(y, mean, variance, offset as tf.Tensor1D, scale as tf.Tensor1D, 1.001e-5);
      y = tf.leakyRelu(y, 0.2);
      const mp = tf.maxPool(y, 3, 2, 'same');
      const ap = tf.avgPool(y, 2, 2, 'valid');
      const g = tf.mean(y, [1, 2], true); // global average pooling
      const se = tf.mul(ap, tf.sigmoid(g)); // squeeze-excite style gating
      const upA = tf.image.resizeBilinear(se as tf.Tensor4D, [mp.shape[1], mp.shape[2]], true, false);
      const upH = tf.image.resizeBilinear(se as tf.Tensor4D, [mp.shape[1], mp.shape[2]], false, true);
      const cat = tf.concat([mp, upA, upH, hardSwish(mp)], 3);
      const up = tf.image.resizeBilinear(cat as tf.Tensor4D, [x4.shape[1], x4.shape[2]], false, true);
      return weighted(tf.sigmoid(up));
    };
    await expectSameOnBothBackends(f, [rand([2, 11, 13, 3], 7), rand([3, 3, 3, 4], 8), rand([4], 9), rand([4], 10)], 2e-4);
  });

  test('gather and scatter (ranking loss) and elementwise math', async () => {
    const f = (z: tf.Tensor): tf.Scalar => {
      const flat = tf.reshape(z, [-1]);
      const a = tf.gather(flat, tf.tensor1d([0, 5, 7, 7, 11], 'int32'));
      const b = tf.gather(flat, tf.tensor1d([3, 2, 9, 1, 4], 'int32'));
      const r = tf.tensor1d([1, -1, 1, 0, -1]);
      const d = tf.sub(a, b);
      const ordinal = tf.log1p(tf.exp(tf.neg(tf.mul(r, d))));
      const eq = tf.square(d);
      const rank = tf.sum(tf.where(tf.equal(r, 0), eq, ordinal));
      const sc = tf.scatterND(tf.tensor2d([[1], [3]], [2, 1], 'int32'), tf.slice(flat, [2], [2]), [6]);
      const gn = tf.gatherND(
        tf.reshape(z, [3, 4]),
        tf.tensor2d(
          [
            [0, 1],
            [2, 3],
            [0, 1],
          ],
          [3, 2],
          'int32',
        ),
      );
      return tf.addN([
        rank,
        tf.sum(tf.mul(sc, tf.range(0, 6))),
        tf.sum(tf.mul(gn, tf.tensor1d([1, 2, 3]))),
        tf.sum(tf.abs(tf.sub(z, 0.1))),
        tf.sum(tf.sqrt(tf.add(tf.square(z), 1))),
      ]) as tf.Scalar;
    };
    await expectSameOnBothBackends(f, [rand([3, 4], 11)]);
  });
});
