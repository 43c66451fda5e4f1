/**
 * Every loss term: value against a float64 reference written from the formula (test/reference.ts),
 * gradient against central finite differences of that reference, masks, all-invalid masks, leaks.
 */
import { DepthblocksError, Rng, tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { berhu, gradient, imageGradients, l1, mse, msSsim, rankingLoss, ranking, scaleInvariant, ssim, validMask } from '../src';
import type { OrdinalPair } from '@depthblocks/core';
import {
  Shape,
  finiteDifference,
  refBerhu,
  refGradient,
  refL1,
  refMse,
  refMsSsimLoss,
  refRanking,
  refScaleInvariant,
  refSsimLoss,
  relMaxDiff,
} from './reference';

beforeAll(async () => {
  await setupTestBackend();
});

function randomArray(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.uniform(lo, hi));
}
function randomMask(rng: Rng, n: number, p: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.bernoulli(p) ? 1 : 0));
}

type TermFn = (t: tf.Tensor4D, p: tf.Tensor4D, m?: tf.Tensor4D) => tf.Scalar;
type RefFn = (t: ArrayLike<number>, p: ArrayLike<number>, m: ArrayLike<number> | null, s: Shape) => number;

/** Value, gradient (vs finite differences of the reference), leak check, for one term. */
function checkTerm(
  fn: TermFn,
  ref: RefFn,
  t: Float32Array,
  p: Float32Array,
  m: Float32Array | null,
  s: Shape,
  tol = { value: 1e-5, grad: 2e-3 },
): void {
  const before = tf.memory().numTensors;
  const tt = tf.tensor4d(t, s);
  const pt = tf.tensor4d(p, s);
  const mt = m ? tf.tensor4d(m, [s[0], s[1], s[2], 1]) : undefined;
  const value = fn(tt, pt, mt);
  const expected = ref(t, p, m, s);
  expect(Math.abs(value.dataSync()[0] - expected)).toBeLessThanOrEqual(tol.value * Math.max(1, Math.abs(expected)));
  const g = tf.grad((x: tf.Tensor) => fn(tt, x as tf.Tensor4D, mt))(pt);
  const gTf = g.dataSync();
  const gFd = finiteDifference((x) => ref(t, x, m, s), p);
  expect(relMaxDiff(gTf, gFd)).toBeLessThan(tol.grad);
  if (m) {
    // no gradient reaches invalid pixels
    for (let k = 0; k < s[0] * s[1] * s[2]; k++) if (m[k] === 0) for (let c = 0; c < s[3]; c++) expect(Math.abs(gTf[k * s[3] + c])).toBe(0);
  }
  tf.dispose([tt, pt, value, g]);
  if (mt) mt.dispose();
  expect(tf.memory().numTensors).toBe(before);
}

/** An all-invalid mask (and NaN in the invalid ground truth): value 0, finite zero gradient. */
function checkEmptyMask(fn: TermFn, s: Shape, lo = 0.5, hi = 5): void {
  const rng = new Rng(99);
  const n = s[0] * s[1] * s[2] * s[3];
  const t = Float32Array.from({ length: n }, () => NaN);
  const tt = tf.tensor4d(t, s);
  const pt = tf.tensor4d(randomArray(rng, n, lo, hi), s);
  const mt = tf.zeros([s[0], s[1], s[2], 1]) as tf.Tensor4D;
  const v = fn(tt, pt, mt);
  expect(v.dataSync()[0]).toBe(0);
  const g = tf.grad((x: tf.Tensor) => fn(tt, x as tf.Tensor4D, mt))(pt);
  for (const x of g.dataSync()) expect(Math.abs(x)).toBe(0);
  tf.dispose([tt, pt, mt, v, g]);
}

describe('l1 / mse', () => {
  const s: Shape = [2, 5, 6, 1];
  const rng = new Rng(1);
  const n = 60;
  const t = randomArray(rng, n, 0.5, 5);
  const p = randomArray(rng, n, 0.5, 5);
  const m = randomMask(rng, n, 0.7);

  it('l1 matches the float64 reference with and without a mask, gradient by finite differences', () => {
    checkTerm(l1, refL1, t, p, null, s);
    checkTerm(l1, refL1, t, p, m, s);
  });
  it('mse matches the reference and its finite-difference gradient', () => {
    checkTerm(mse, refMse, t, p, null, s);
    checkTerm(mse, refMse, t, p, m, s);
  });
  it('hand-computed: l1([1,2,3,4],[2,2,5,0]) = 7/4, mse = 21/4, masked last = 3/3 and 5/3', () => {
    const a = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const b = tf.tensor4d([2, 2, 5, 0], [1, 2, 2, 1]);
    const mk = tf.tensor4d([1, 1, 1, 0], [1, 2, 2, 1]);
    expect(l1(a, b).dataSync()[0]).toBeCloseTo(1.75, 6);
    expect(mse(a, b).dataSync()[0]).toBeCloseTo(5.25, 6);
    expect(l1(a, b, mk).dataSync()[0]).toBeCloseTo(1, 6);
    expect(mse(a, b, mk).dataSync()[0]).toBeCloseTo(5 / 3, 6);
    tf.dispose([a, b, mk]);
  });
  it('all-invalid masks give 0 with a zero gradient, NaN ground truth is ignored', () => {
    checkEmptyMask(l1, s);
    checkEmptyMask(mse, s);
  });
  it('rejects mismatched shapes and masks with a clear error', () => {
    const a = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    const b = tf.zeros([1, 4, 5, 1]) as tf.Tensor4D;
    expect(() => l1(a, b)).toThrow(/yTrue \[1, 4, 4, 1\] and yPred \[1, 4, 5, 1\]/);
    expect(() => l1(a, a, b)).toThrow(DepthblocksError);
    expect(() => l1(a, a, b)).toThrow(/mask must have shape \[1, 4, 4, 1\]/);
    tf.dispose([a, b]);
  });
});

describe('gradient (image gradients)', () => {
  it("imageGradients equals TensorFlow's ImageGradientsTest example", () => {
    // tensorflow/python/ops/image_ops_test.py ImageGradientsTest.testImageGradients
    const img = tf.tensor4d([1, 3, 4, 2, 8, 7, 5, 6], [1, 2, 4, 1]);
    const { dy, dx } = imageGradients(img);
    expect(Array.from(dy.dataSync())).toEqual([7, 4, 1, 4, 0, 0, 0, 0]);
    expect(Array.from(dx.dataSync())).toEqual([2, 1, -2, 0, -1, -2, 1, 0]);
    tf.dispose([img, dy, dx]);
  });
  it('matches the reference and finite differences, with and without a mask, 2 channels', () => {
    const s: Shape = [2, 5, 6, 2];
    const rng = new Rng(2);
    const n = 120;
    const t = randomArray(rng, n, 0, 5);
    const p = randomArray(rng, n, 0, 5);
    checkTerm(gradient, refGradient, t, p, null, s);
    checkTerm(gradient, refGradient, t, p, randomMask(rng, 60, 0.7), s);
  });
  it('hand-computed: t = [[0,1],[2,3]], p = 0: (|1| + |2| + |2| + |1| ... ) / 4', () => {
    // dy_t = [[2,2],[0,0]], dx_t = [[1,0],[1,0]] -> sum |.| = 2+2+1+1 = 6 over 4 pixels
    const a = tf.tensor4d([0, 1, 2, 3], [1, 2, 2, 1]);
    const b = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
    expect(gradient(a, b).dataSync()[0]).toBeCloseTo(1.5, 6);
    tf.dispose([a, b]);
  });
  it('all-invalid mask gives 0', () => checkEmptyMask(gradient, [1, 4, 4, 1]));
});

describe('ssim / msSsim losses', () => {
  it('ssim loss matches the float64 reference, gradient by finite differences (maxVal 100, masked)', () => {
    const s: Shape = [2, 13, 14, 1];
    const rng = new Rng(3);
    const n = 2 * 13 * 14;
    const t = randomArray(rng, n, 1, 100);
    const p = Float32Array.from(t, (v) => v + rng.uniform(-20, 20));
    const ref: RefFn = (a, b, m, sh) => refSsimLoss(a, b, m, sh, { maxVal: 100 });
    const fn: TermFn = (a, b, m) => ssim(a, b, m, { maxVal: 100 });
    checkTerm(fn, ref, t, p, null, s, { value: 1e-4, grad: 5e-3 });
    // a mask with invalid pixels only near the border leaves some full windows
    const mask = new Float32Array(2 * 13 * 14).fill(1);
    mask[0] = 0;
    mask[13 * 14 + 13 * 14 - 1] = 0;
    checkTerm(fn, ref, t, p, mask, s, { value: 1e-4, grad: 5e-3 });
  });
  it('ssim is 0 loss for identical images and errors clearly on images smaller than the window', () => {
    const a = tf.randomUniform([1, 12, 12, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    expect(ssim(a, a).dataSync()[0]).toBeCloseTo(0, 6);
    const small = tf.zeros([1, 8, 12, 1]) as tf.Tensor4D;
    expect(() => ssim(small, small)).toThrow(/at least 11x11.*got 8x12/);
    tf.dispose([a, small]);
  });
  it('ssim: all-invalid mask gives 0', () => checkEmptyMask((a, b, m) => ssim(a, b, m, { maxVal: 10 }), [1, 12, 12, 1]));
  it('msSsim loss (3 scales, 3-px window) matches the reference and finite differences, masked too', () => {
    const s: Shape = [1, 13, 15, 1];
    const rng = new Rng(4);
    const n = 13 * 15;
    const t = randomArray(rng, n, 0, 1);
    const p = Float32Array.from(t, (v) => v + rng.uniform(-0.1, 0.1));
    const o = { maxVal: 1, filterSize: 3, filterSigma: 1, powerFactors: [0.3, 0.3, 0.4] };
    const ref: RefFn = (a, b, m, sh) => refMsSsimLoss(a, b, m, sh, o);
    const fn: TermFn = (a, b, m) => msSsim(a, b, m, o);
    checkTerm(fn, ref, t, p, null, s, { value: 1e-4, grad: 5e-3 });
    const mask = new Float32Array(n).fill(1);
    mask[0] = 0;
    mask[n - 1] = 0;
    checkTerm(fn, ref, t, p, mask, s, { value: 1e-4, grad: 5e-3 });
  });
  it('msSsim errors clearly when the last scale would be smaller than the window', () => {
    const a = tf.zeros([1, 64, 64, 1]) as tf.Tensor4D;
    expect(() => msSsim(a, a)).toThrow(/at least 11x11 .*5 scales.*got 64x64/);
    a.dispose();
  });
  it('msSsim: all-invalid mask gives 0', () =>
    checkEmptyMask((a, b, m) => msSsim(a, b, m, { filterSize: 3, filterSigma: 1, powerFactors: [0.5, 0.5] }), [1, 8, 8, 1]));
});

describe('ranking', () => {
  const s: Shape = [2, 4, 5, 1];
  const rng = new Rng(5);
  const p = randomArray(rng, 40, 0, 3);
  const pairs: OrdinalPair[][] = [
    [
      { ya: 0, xa: 0, yb: 3, xb: 4, relation: 1 },
      { ya: 1, xa: 2, yb: 2, xb: 2, relation: -1 },
      { ya: 1, xa: 2, yb: 0, xb: 1, relation: 0 }, // shares a point with the previous pair
    ],
    [
      { ya: 3, xa: 1, yb: 2, xb: 3, relation: 0 },
      { ya: 0, xa: 4, yb: 3, xb: 0, relation: 1 },
    ],
  ];
  const flat = pairs.flatMap((list, n) => list.map((q) => ({ a: (n * 4 + q.ya) * 5 + q.xa, b: (n * 4 + q.yb) * 5 + q.xb, r: q.relation })));

  it('matches log(1 + exp(-r dz)) / dz^2 averaged over pairs, gradient by finite differences', () => {
    const before = tf.memory().numTensors;
    const pt = tf.tensor4d(p, s);
    const v = rankingLoss(pt, pairs);
    expect(v.dataSync()[0]).toBeCloseTo(refRanking(p, flat), 5);
    const g = tf.grad((x: tf.Tensor) => rankingLoss(x as tf.Tensor4D, pairs))(pt);
    expect(
      relMaxDiff(
        g.dataSync(),
        finiteDifference((x) => refRanking(x, flat), p),
      ),
    ).toBeLessThan(1e-3);
    // the common signature reads the pairs from the context
    const v2 = ranking(null, pt, undefined, { pairs });
    expect(v2.dataSync()[0]).toBeCloseTo(v.dataSync()[0], 6);
    tf.dispose([pt, v, g, v2]);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('hand-computed: one > pair with zA - zB = 0 gives log 2; one = pair with difference 2 gives 4', () => {
    const pt = tf.tensor4d([1, 1, 3, 1], [1, 1, 4, 1]);
    const gt = rankingLoss(pt, [[{ ya: 0, xa: 0, yb: 0, xb: 1, relation: 1 }]]);
    expect(gt.dataSync()[0]).toBeCloseTo(Math.log(2), 6);
    const eq = rankingLoss(pt, [[{ ya: 0, xa: 2, yb: 0, xb: 3, relation: 0 }]]);
    expect(eq.dataSync()[0]).toBeCloseTo(4, 6);
    tf.dispose([pt, gt, eq]);
  });
  it('rescales coordinates from pairsSize by floor and clamps; no pairs gives 0; bad input errors', () => {
    const pt = tf.tensor4d(p.subarray(0, 20), [1, 4, 5, 1]);
    // 8x10 coordinates (7, 9) -> (3, 4)
    const a = rankingLoss(pt, [[{ ya: 7, xa: 9, yb: 0, xb: 0, relation: 1 }]], { width: 10, height: 8 });
    expect(a.dataSync()[0]).toBeCloseTo(Math.log(1 + Math.exp(-(p[19] - p[0]))), 5);
    const none = rankingLoss(pt, [[]]);
    expect(none.dataSync()[0]).toBe(0);
    const gNone = tf.grad((x: tf.Tensor) => rankingLoss(x as tf.Tensor4D, [[]]))(pt); // no pairs: a zero gradient, not an error
    expect(gNone.dataSync().every((v) => v === 0)).toBe(true);
    gNone.dispose();
    expect(() => rankingLoss(pt, [[{ ya: 4, xa: 0, yb: 0, xb: 0, relation: 1 }]])).toThrow(/outside the 4x5 map/);
    expect(() => rankingLoss(pt, [])).toThrow(/pair lists for 0 images, but the batch has 1/);
    expect(() => ranking(null, pt)).toThrow(/needs ordinal pairs/);
    tf.dispose([pt, a, none]);
  });
});

describe('scaleInvariant', () => {
  const s: Shape = [2, 4, 5, 1];
  const rng = new Rng(6);
  const t = randomArray(rng, 40, 0.5, 8);
  const p = randomArray(rng, 40, 0.5, 8);
  const m = randomMask(rng, 40, 0.7);
  it('default lambda 0.5 (Eigen) matches the reference and finite differences, masked and not', () => {
    checkTerm(
      (a, b, mk) => scaleInvariant(a, b, mk),
      (a, b, mk, sh) => refScaleInvariant(a, b, mk, sh, 0.5),
      t,
      p,
      null,
      s,
    );
    checkTerm(
      (a, b, mk) => scaleInvariant(a, b, mk),
      (a, b, mk, sh) => refScaleInvariant(a, b, mk, sh, 0.5),
      t,
      p,
      m,
      s,
    );
  });
  it('BTS form: 10 * sqrt(mean d^2 - 0.85 mean(d)^2)', () => {
    checkTerm(
      (a, b, mk) => scaleInvariant(a, b, mk, { lambda: 0.85, sqrt: true, scale: 10 }),
      (a, b, mk, sh) => refScaleInvariant(a, b, mk, sh, 0.85, true, 10),
      t,
      p,
      m,
      s,
    );
  });
  it('lambda 1 is invariant to a global scale of the prediction', () => {
    const tt = tf.tensor4d(t, s);
    const a = scaleInvariant(tt, tf.mul(tt, 3) as tf.Tensor4D, undefined, { lambda: 1 });
    expect(Math.abs(a.dataSync()[0])).toBeLessThan(1e-6);
    tf.dispose([tt, a]);
  });
  it('all-invalid mask gives 0 with a finite zero gradient (also in the sqrt form)', () => {
    checkEmptyMask((a, b, mk) => scaleInvariant(a, b, mk), s);
    checkEmptyMask((a, b, mk) => scaleInvariant(a, b, mk, { lambda: 0.85, sqrt: true, scale: 10 }), s);
  });
});

describe('berhu', () => {
  const s: Shape = [1, 5, 6, 1];
  const rng = new Rng(7);
  const t = randomArray(rng, 30, 0, 10);
  const p = randomArray(rng, 30, 0, 10);
  const m = randomMask(rng, 30, 0.8);
  it('matches the reference; gradient by finite differences with c held constant (not trained through)', () => {
    for (const mask of [null, m]) {
      const c = refBerhu(t, p, mask, s).c;
      checkTerm(berhu, (a, b, mk, sh) => refBerhu(a, b, mk, sh, c).value, t, p, mask, s);
    }
  });
  it('hand-computed: |x| = [1, 10] -> c = 2: (1 + (100 + 4) / 4) / 2 = 13.5', () => {
    const a = tf.tensor4d([0, 0], [1, 1, 2, 1]);
    const b = tf.tensor4d([1, -10], [1, 1, 2, 1]);
    expect(berhu(a, b).dataSync()[0]).toBeCloseTo(13.5, 5);
    const same = berhu(a, a);
    expect(same.dataSync()[0]).toBe(0);
    tf.dispose([a, b, same]);
  });
  it('all-invalid mask gives 0', () => checkEmptyMask(berhu, s));
});

describe('validMask', () => {
  it('is 1 where depth is finite and > 0', () => {
    const d = tf.tensor4d([0, 1.5, NaN, -1, Infinity, 3], [1, 2, 3, 1]);
    const m = validMask(d);
    expect(Array.from(m.dataSync())).toEqual([0, 1, 0, 0, 0, 1]);
    tf.dispose([d, m]);
  });
});

describe('every term is differentiable on cpu as on wasm', () => {
  it('gradients agree between the wasm and cpu backends', async () => {
    const s: Shape = [1, 12, 12, 1];
    const rng = new Rng(31);
    const n = 144;
    const t = randomArray(rng, n, 1, 10);
    const p = randomArray(rng, n, 1, 10);
    const m = randomMask(rng, n, 0.9);
    const pairs: OrdinalPair[][] = [
      [
        { ya: 1, xa: 2, yb: 7, xb: 9, relation: 1 },
        { ya: 3, xa: 3, yb: 4, xb: 4, relation: 0 },
      ],
    ];
    const terms: Record<string, TermFn> = {
      l1,
      mse,
      gradient,
      ssim: (a, b, mk) => ssim(a, b, mk, { maxVal: 10 }),
      msSsim: (a, b, mk) => msSsim(a, b, mk, { maxVal: 10, filterSize: 3, filterSigma: 1, powerFactors: [0.5, 0.5] }),
      ranking: (_a, b) => rankingLoss(b, pairs),
      scaleInvariant: (a, b, mk) => scaleInvariant(a, b, mk),
      berhu,
    };
    const run = (): Record<string, Float32Array> => {
      const out: Record<string, Float32Array> = {};
      const tt = tf.tensor4d(t, s);
      const pt = tf.tensor4d(p, s);
      const mt = tf.tensor4d(m, s);
      for (const [name, fn] of Object.entries(terms)) {
        const g = tf.grad((x: tf.Tensor) => fn(tt, x as tf.Tensor4D, mt))(pt);
        out[name] = g.dataSync() as Float32Array;
        g.dispose();
      }
      tf.dispose([tt, pt, mt]);
      return out;
    };
    const onWasm = run();
    const previous = tf.getBackend();
    const quiet = jest.spyOn(console, 'warn').mockImplementation(() => undefined); // tfjs' cpu banner
    await tf.setBackend('cpu');
    try {
      expect(tf.getBackend()).toBe('cpu');
      const onCpu = run();
      for (const name of Object.keys(terms)) {
        expect(onCpu[name].every(Number.isFinite)).toBe(true);
        expect(relMaxDiff(onCpu[name], onWasm[name])).toBeLessThan(1e-4);
      }
    } finally {
      await tf.setBackend(previous);
      quiet.mockRestore();
    }
  });
});
