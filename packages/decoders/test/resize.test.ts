import { tf, DepthblocksError } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { Resize2D, resize2d, interpolationMatrix } from '../src';

beforeAll(async () => {
  await setupTestBackend();
});

/**
 * Independent float64 reference: TensorFlow's resize_bilinear per output pixel, written from its
 * definition (not from the library's matrices).
 */
function refBilinear(img: number[][], outH: number, outW: number, mode: 'half' | 'corners' | 'legacy'): number[][] {
  const inH = img.length;
  const inW = img[0].length;
  const src = (o: number, inS: number, outS: number) => {
    if (mode === 'corners') return outS > 1 ? (o * (inS - 1)) / (outS - 1) : 0;
    if (mode === 'half') return ((o + 0.5) * inS) / outS - 0.5;
    return (o * inS) / outS;
  };
  const out: number[][] = [];
  for (let i = 0; i < outH; i++) {
    const y = src(i, inH, outH);
    const y0 = Math.floor(y);
    const ly = y - y0;
    const ya = Math.min(Math.max(y0, 0), inH - 1);
    const yb = Math.min(Math.max(y0 + 1, 0), inH - 1);
    const row: number[] = [];
    for (let j = 0; j < outW; j++) {
      const x = src(j, inW, outW);
      const x0 = Math.floor(x);
      const lx = x - x0;
      const xa = Math.min(Math.max(x0, 0), inW - 1);
      const xb = Math.min(Math.max(x0 + 1, 0), inW - 1);
      const top = img[ya][xa] * (1 - lx) + img[ya][xb] * lx;
      const bot = img[yb][xa] * (1 - lx) + img[yb][xb] * lx;
      row.push(top * (1 - ly) + bot * ly);
    }
    out.push(row);
  }
  return out;
}

function run(img: number[][], size: [number, number], opts: Parameters<typeof resize2d>[2]): number[][] {
  return tf.tidy(() => {
    const x = tf.tensor4d(img.flat(), [1, img.length, img[0].length, 1]);
    return resize2d(x, size, opts).squeeze([0, 3]).arraySync() as number[][];
  });
}

function expectClose(a: number[][], b: number[][], tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  a.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - b[i][j])).toBeLessThan(tol)));
}

describe('resize2d: values against hand-computed bilinear interpolation', () => {
  test('1-D, 3 -> 5, TF2 / PyTorch align_corners=False (half-pixel centres)', () => {
    // scale 0.6: src = (o + 0.5) * 0.6 - 0.5 = -0.2, 0.4, 1.0, 1.6, 2.2 (clamped at the ends)
    expectClose(run([[1, 2, 4]], [1, 5], { halfPixelCenters: true }), [[1, 1.4, 2, 3.2, 4]]);
  });
  test('1-D, 3 -> 5, align_corners=True', () => {
    // src = o * 2/4 = 0, 0.5, 1, 1.5, 2
    expectClose(run([[1, 2, 4]], [1, 5], { alignCorners: true }), [[1, 1.5, 2, 3, 4]]);
  });
  test('1-D, 3 -> 5, TF1 legacy (neither)', () => {
    // src = o * 0.6 = 0, 0.6, 1.2, 1.8, 2.4
    expectClose(run([[1, 2, 4]], [1, 5], { alignCorners: false, halfPixelCenters: false }), [[1, 1.6, 2.4, 3.6, 4]]);
  });
  test('1-D down-sampling 5 -> 2, half-pixel (PyTorch align_corners=False)', () => {
    // src = 0.75 -> 0.25*1 + 0.75*2; src = 3.25 -> 0.75*8 + 0.25*16
    expectClose(run([[1, 2, 4, 8, 16]], [1, 2], { halfPixelCenters: true }), [[1.75, 10]]);
  });
  test('2-D, 2x2 -> 4x4 in both modes', () => {
    const half = run(
      [
        [1, 2],
        [3, 4],
      ],
      [4, 4],
      { halfPixelCenters: true },
    );
    expect(half[0][0]).toBeCloseTo(1, 6);
    expect(half[1][1]).toBeCloseTo(1.75, 6); // .75*(.75*1+.25*2) + .25*(.75*3+.25*4)
    expect(half[1][2]).toBeCloseTo(2.25, 6);
    expect(half[3][3]).toBeCloseTo(4, 6);
    const corners = run(
      [
        [1, 2],
        [3, 4],
      ],
      [4, 4],
      { alignCorners: true },
    );
    expect(corners[1][1]).toBeCloseTo(2, 6); // 2/3*(4/3) + 1/3*(10/3)
    expect(corners[1][2]).toBeCloseTo(21 / 9, 6);
    expect(corners[3][0]).toBeCloseTo(3, 6);
  });
  test('random 5x7 -> 9x4 and -> 3x11 agree with the float64 reference in all three modes', () => {
    const img = Array.from({ length: 5 }, (_, i) => Array.from({ length: 7 }, (_, j) => Math.sin(i * 1.3 + j * 0.7) * 3 + i));
    for (const size of [
      [9, 4],
      [3, 11],
      [1, 1],
    ] as [number, number][]) {
      expectClose(run(img, size, { halfPixelCenters: true }), refBilinear(img, size[0], size[1], 'half'));
      expectClose(run(img, size, { alignCorners: true }), refBilinear(img, size[0], size[1], 'corners'));
      expectClose(run(img, size, { alignCorners: false, halfPixelCenters: false }), refBilinear(img, size[0], size[1], 'legacy'));
    }
  });
  test('agrees with tf.image.resizeBilinear forward (multi-channel, batch 2)', () => {
    tf.tidy(() => {
      const x = tf.randomUniform([2, 6, 5, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      for (const [ac, hp] of [
        [false, true],
        [true, false],
        [false, false],
      ]) {
        const a = resize2d(x, [11, 13], { alignCorners: ac, halfPixelCenters: hp });
        const b = tf.image.resizeBilinear(x, [11, 13], ac, hp);
        expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
      }
    });
  });
  test('nearest: PyTorch legacy nearest (floor(o * in/out)) and x2 replication', () => {
    expectClose(run([[1, 2, 3]], [1, 6], { interpolation: 'nearest', halfPixelCenters: false }), [[1, 1, 2, 2, 3, 3]]);
    // 3 -> 5: floor(o * 0.6) = 0,0,1,1,2
    expectClose(run([[1, 2, 3]], [1, 5], { interpolation: 'nearest', halfPixelCenters: false }), [[1, 1, 2, 2, 3]]);
  });
  test('interpolation matrix rows sum to one', () => {
    const m = interpolationMatrix(7, 3, 'bilinear', { alignCorners: false, halfPixelCenters: true });
    for (let r = 0; r < 3; r++) expect(m.slice(r * 7, r * 7 + 7).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });
});

describe('resize2d: gradient', () => {
  test('nearest by whole factors (x2, x3 x 2, batch 2, 5 channels): values and gradient are pixel repetition', () => {
    for (const [fh, fw] of [
      [2, 2],
      [3, 2],
    ]) {
      for (const halfPixelCenters of [false, true]) {
        const [n, h, w, c] = [2, 3, 4, 5];
        const x = tf.randomNormal([n, h, w, c], 0, 1, 'float32', 3) as tf.Tensor4D;
        const wts = tf.randomNormal([n, h * fh, w * fw, c], 0, 1, 'float32', 4);
        const y = resize2d(x, [h * fh, w * fw], { interpolation: 'nearest', halfPixelCenters });
        const g = tf.grad((t: tf.Tensor) =>
          tf.sum(tf.mul(resize2d(t as tf.Tensor4D, [h * fh, w * fw], { interpolation: 'nearest', halfPixelCenters }), wts)),
        )(x);
        const xv = x.arraySync();
        const yv = y.arraySync();
        const wv = wts.arraySync() as number[][][][];
        const gv = g.arraySync() as number[][][][];
        for (let b = 0; b < n; b++) {
          for (let i = 0; i < h * fh; i++)
            for (let j = 0; j < w * fw; j++) expect(yv[b][i][j]).toEqual(xv[b][Math.floor(i / fh)][Math.floor(j / fw)]);
          for (let i = 0; i < h; i++) {
            for (let j = 0; j < w; j++) {
              for (let k = 0; k < c; k++) {
                let sum = 0;
                for (let a = 0; a < fh; a++) for (let d = 0; d < fw; d++) sum += wv[b][i * fh + a][j * fw + d][k];
                expect(gv[b][i][j][k]).toBeCloseTo(sum, 4);
              }
            }
          }
        }
        tf.dispose([x, wts, y, g]);
      }
    }
  });

  test('matches finite differences of the float64 reference (half-pixel, non-square)', () => {
    const h = 3;
    const w = 4;
    const outH = 5;
    const outW = 7;
    const wts = Array.from({ length: outH * outW }, (_, i) => Math.cos(i * 0.37));
    const img = Array.from({ length: h }, (_, i) => Array.from({ length: w }, (_, j) => i * 0.5 - j * 0.25));
    const lossRef = (m: number[][]) =>
      refBilinear(m, outH, outW, 'half')
        .flat()
        .reduce((s, v, i) => s + v * wts[i], 0);
    const grad = tf.tidy(() => {
      const x = tf.tensor4d(img.flat(), [1, h, w, 1]);
      const wt = tf.tensor4d(wts, [1, outH, outW, 1]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(resize2d(t as tf.Tensor4D, [outH, outW], { halfPixelCenters: true }), wt)))(x);
      return Array.from(g.dataSync());
    });
    const eps = 1e-4;
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const plus = img.map((r) => [...r]);
        const minus = img.map((r) => [...r]);
        plus[i][j] += eps;
        minus[i][j] -= eps;
        const fd = (lossRef(plus) - lossRef(minus)) / (2 * eps);
        expect(Math.abs(grad[i * w + j] - fd)).toBeLessThan(1e-4);
      }
    }
  });
});

describe('Resize2D layer', () => {
  test('[x, reference] resizes to the reference size, symbolically and at run time', () => {
    const x = tf.input({ shape: [null, null, 5] });
    const ref = tf.input({ shape: [null, null, 2] });
    const y = new Resize2D({ halfPixelCenters: true }).apply([x, ref]) as tf.SymbolicTensor;
    expect(y.shape).toEqual([null, null, null, 5]);
    const fixed = new Resize2D({}).apply([tf.input({ shape: [4, 4, 3] }), tf.input({ shape: [7, 9, 1] })]) as tf.SymbolicTensor;
    expect(fixed.shape).toEqual([null, 7, 9, 3]);
    const model = tf.model({ inputs: [x, ref], outputs: y });
    const out = model.predict([tf.ones([2, 4, 6, 5]), tf.zeros([2, 13, 7, 2])]) as tf.Tensor;
    expect(out.shape).toEqual([2, 13, 7, 5]);
    expect(out.max().dataSync()[0]).toBeCloseTo(1, 6);
    tf.dispose([out, model]);
  });
  test('scale and size modes; config round-trips', () => {
    const layer = new Resize2D({ scale: 2, alignCorners: true, name: 'r' });
    expect((layer.apply(tf.input({ shape: [5, 7, 3] })) as tf.SymbolicTensor).shape).toEqual([null, 10, 14, 3]);
    const cfg = layer.getConfig();
    expect(cfg).toMatchObject({ alignCorners: true, halfPixelCenters: false, interpolation: 'bilinear', scale: [2, 2] });
    const copy = Resize2D.fromConfig(Resize2D, cfg) as Resize2D;
    expect(copy.alignCorners).toBe(true);
    expect(copy.scale).toEqual([2, 2]);
    const sized = new Resize2D({ size: [3, 4] });
    expect((sized.apply(tf.input({ shape: [null, null, 2] })) as tf.SymbolicTensor).shape).toEqual([null, 3, 4, 2]);
  });
  test('bad arguments raise DepthblocksError with the value', () => {
    expect(() => new Resize2D({ alignCorners: true, halfPixelCenters: true })).toThrow(DepthblocksError);
    expect(() => new Resize2D({ size: [0, 3] })).toThrow(/\[0,3\]/);
    expect(() => new Resize2D({ interpolation: 'bicubic' as 'nearest' })).toThrow(/bicubic/);
    expect(() => new Resize2D({}).apply(tf.input({ shape: [4, 4, 1] }))).toThrow(/size or scale/);
  });
  test('no tensor leak', () => {
    const x = tf.ones([1, 5, 5, 2]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    resize2d(x, [9, 3]).dispose();
    resize2d(x, [5, 5]).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
