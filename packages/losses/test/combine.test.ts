/**
 * combineLosses (the DenseDepth loss against the float64 reference, term logging, errors) and the
 * depth normalisations with their inverses.
 */
import { DepthblocksError, Rng, tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { DENSEDEPTH_WEIGHTS, combineLosses, getLoss, l1, listLosses, registerLoss } from '../src';
import { Shape, finiteDifference, refGradient, refL1, refRanking, refSsimLoss, relMaxDiff } from './reference';

beforeAll(async () => {
  await setupTestBackend();
});

describe('combineLosses', () => {
  const s: Shape = [2, 12, 13, 1];
  const rng = new Rng(21);
  const n = 2 * 12 * 13;
  const t = Float32Array.from({ length: n }, () => rng.uniform(1, 100));
  const p = Float32Array.from(t, (v) => v + rng.uniform(-10, 10));
  const refDenseDepth = (a: ArrayLike<number>, b: ArrayLike<number>): number =>
    0.1 * refL1(a, b, null, s) + refGradient(a, b, null, s) + refSsimLoss(a, b, null, s, { maxVal: 100 });

  it('DenseDepth loss = 0.1 L1 + grad + SSIM(maxVal 100): total, terms and gradient match the reference', () => {
    const before = tf.memory().numTensors;
    const loss = combineLosses(DENSEDEPTH_WEIGHTS, { ssim: { maxVal: 100 } });
    const tt = tf.tensor4d(t, s);
    const pt = tf.tensor4d(p, s);
    const { total, terms } = loss(tt, pt);
    expect(Object.keys(terms).sort()).toEqual(['grad', 'l1', 'ssim']);
    expect(terms.l1.dataSync()[0]).toBeCloseTo(refL1(t, p, null, s), 4);
    expect(terms.ssim.dataSync()[0]).toBeCloseTo(refSsimLoss(t, p, null, s, { maxVal: 100 }), 4);
    expect(Math.abs(total.dataSync()[0] - refDenseDepth(t, p))).toBeLessThan(1e-4 * refDenseDepth(t, p));
    const g = tf.grad((x: tf.Tensor) => loss.scalar(tt, x as tf.Tensor4D))(pt);
    expect(
      relMaxDiff(
        g.dataSync(),
        finiteDifference((x) => refDenseDepth(t, x), p, 1e-4),
      ),
    ).toBeLessThan(5e-3);
    tf.dispose([tt, pt, total, g, ...Object.values(terms)]);
    expect(tf.memory().numTensors).toBe(before);
    expect(loss.weights).toEqual({ l1: 0.1, grad: 1, ssim: 1 });
  });

  it('a loss ablation is one object: { l1: 1 } alone; "gradient" is an alias of "grad"', () => {
    const tt = tf.tensor4d(t, s);
    const pt = tf.tensor4d(p, s);
    const a = combineLosses({ l1: 1 });
    const { total, terms } = a(tt, pt);
    expect(total.dataSync()[0]).toBeCloseTo(refL1(t, p, null, s), 4);
    const b = combineLosses({ gradient: 2, l1: 0 });
    const rb = b(tt, pt);
    expect(Object.keys(rb.terms)).toEqual(['grad']);
    expect(rb.total.dataSync()[0]).toBeCloseTo(2 * refGradient(t, p, null, s), 3);
    tf.dispose([tt, pt, total, ...Object.values(terms), rb.total, ...Object.values(rb.terms)]);
  });

  it('ranking through the context; scalar() leaks nothing', () => {
    const pt = tf.tensor4d(p.subarray(0, 12 * 13), [1, 12, 13, 1]);
    const loss = combineLosses({ ranking: 1 });
    const pairs = [[{ ya: 0, xa: 0, yb: 5, xb: 6, relation: 1 as const }]];
    const before = tf.memory().numTensors;
    const v = loss.scalar(pt, pt, undefined, { pairs });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(v.dataSync()[0]).toBeCloseTo(refRanking(p, [{ a: 0, b: 5 * 13 + 6, r: 1 }]), 4);
    tf.dispose([pt, v]);
  });

  it('errors: unknown term, non-finite weight, all zero, perceptual without features, non-finite total', () => {
    expect(() => combineLosses({ l2: 1 } as never)).toThrow(/^combineLosses weights: l2: unknown loss term "l2" \(did you mean "l1"\?\)$/);
    expect(() => combineLosses({ l1: NaN })).toThrow(/^combineLosses weights: l1: expected number, got number NaN$/);
    expect(() => combineLosses({ l1: 1, grad: 1, gradient: 1 })).toThrow(/"gradient" and "grad" name the same term/);
    expect(() => combineLosses({ l1: 0 })).toThrow(DepthblocksError);
    expect(() => combineLosses({ perceptual: 0.5 })).toThrow(/perceptual term needs options.perceptual.features/);
    // a term that fails part-way leaves no tensors behind
    const failing = combineLosses({ l1: 1, ranking: 1 });
    const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    const n0 = tf.memory().numTensors;
    expect(() => failing(x, x)).toThrow(/needs ordinal pairs/);
    expect(tf.memory().numTensors).toBe(n0);
    x.dispose();
    const loss = combineLosses({ l1: 1 }, { checkFinite: true });
    const a = tf.tensor4d([1, NaN, 3, 4], [1, 2, 2, 1]);
    const before = tf.memory().numTensors;
    expect(() => loss(a, a)).toThrow(/combined loss is NaN \(l1=NaN\)/);
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
  });
});

describe('registry', () => {
  it('lists the built-in terms; a term registered from outside is a weight like the others', () => {
    expect(listLosses().map((l) => l.name)).toEqual(
      expect.arrayContaining(['l1', 'mse', 'grad', 'gradient', 'ssim', 'msSsim', 'perceptual', 'ranking', 'scaleInvariant', 'berhu']),
    );
    registerLoss('l1x2', () => (t, p, m) => tf.tidy(() => tf.mul(l1(t, p, m), 2) as tf.Scalar), { description: 'twice L1 (test)' });
    const a = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const b = tf.tensor4d([1, 2, 3, 6], [1, 2, 2, 1]);
    const { total, terms } = combineLosses({ l1x2: 0.5, l1: 1 })(a, b);
    expect(total.dataSync()[0]).toBeCloseTo(1, 6); // 0.5 * (2 * 0.5) + 1 * 0.5
    expect(Object.keys(terms).sort()).toEqual(['l1', 'l1x2']);
    expect(getLoss('l1x2')(a, b).dataSync()[0]).toBeCloseTo(1, 6);
    expect(() => combineLosses({ l1x3: 1 })).toThrow(/l1x3: unknown loss term "l1x3" \(did you mean "l1x2"\?\)/);
    tf.dispose([a, b, total, ...Object.values(terms)]);
  });
});
