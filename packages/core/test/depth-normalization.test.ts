/** One depth normalisation: hand-computed values, and the tensor and typed-array paths agree on every pixel. */
import { checkDepthNormalization, depthToTarget, Rng, targetRange, targetToDepth, tf, type DepthNormalization } from '../src';

beforeAll(async () => {
  // core cannot use @depthblocks/backend (it depends on core): tfjs' cpu backend, whose ops are the reference ones
  await tf.setBackend('cpu');
});

const KINDS: DepthNormalization[] = [
  { kind: 'densedepth', minDepth: 0.1, maxDepth: 10 },
  { kind: 'unit', maxDepth: 10 },
  { kind: 'log' },
  { kind: 'none' },
];

/** Depths with every kind of invalid pixel, the clip edges, and random valid ones. */
function depths(): Float32Array {
  const special = [0, -0, -1, NaN, Infinity, -Infinity, 1e-30, 0.05, 0.1, 1, 5, 10, 12, 80, 3.3e38];
  const rng = new Rng(7);
  const random = Array.from({ length: 200 }, () => rng.uniform() * 15);
  return Float32Array.from([...special, ...random]);
}

test('hand-computed values (DenseDepth: 1000 / clip(cm, 10, 1000)); invalid -> 0', () => {
  const d = Float32Array.of(1, 0.05, 20, 0, NaN, -2, Infinity);
  expect(Array.from(depthToTarget(d, KINDS[0]))).toEqual([10, 100, 1, 0, 0, 0, 0]);
  expect(Array.from(depthToTarget(Float32Array.of(5, 12, 0), KINDS[1]))).toEqual([0.5, 1, 0]);
  const l = depthToTarget(Float32Array.of(Math.E, 1, 0), KINDS[2]);
  expect([l[0]]).toEqual([expect.closeTo(1, 6)]);
  expect([l[1], l[2]]).toEqual([0, 0]);
  expect(Array.from(depthToTarget(Float32Array.of(2.5, NaN), KINDS[3]))).toEqual([2.5, 0]);
  expect(Array.from(targetToDepth(Float32Array.of(1, 10, 100, 1000), KINDS[0]))).toEqual([10, 1, 0.1, 0.1].map(Math.fround));
  expect(targetRange(KINDS[0])).toEqual([1, 100]);
  expect(targetRange(KINDS[1])).toEqual([0, 1]);
});

test.each(KINDS)('tensor and typed-array paths agree on every pixel, invalid ones included: %j', (n) => {
  const d = depths();
  const before = tf.memory().numTensors;
  const fromArray = depthToTarget(d, n);
  const t = tf.tensor1d(d);
  const yT = depthToTarget(t, n);
  const fromTensor = yT.dataSync() as Float32Array;
  const back = targetToDepth(fromArray, n);
  const backT = targetToDepth(yT, n);
  const backTensor = backT.dataSync() as Float32Array;
  tf.dispose([t, yT, backT]);
  expect(tf.memory().numTensors).toBe(before);
  for (let i = 0; i < d.length; i++) {
    const valid = d[i] > 0 && d[i] < Infinity;
    if (!valid) {
      expect([i, fromArray[i], fromTensor[i]]).toEqual([i, 0, 0]);
      continue;
    }
    // exact for the rational mappings; log is one float32 ulp apart at most (the platform's logf vs Math.log)
    const tol = n.kind === 'log' ? 2 ** -22 * Math.max(1, Math.abs(fromArray[i])) : 0;
    expect(Math.abs(fromArray[i] - fromTensor[i])).toBeLessThanOrEqual(tol);
    const tolBack = n.kind === 'log' ? 2 ** -21 * back[i] : 0;
    expect(Math.abs(back[i] - backTensor[i])).toBeLessThanOrEqual(tolBack);
  }
});

test("DenseDepth's 1000 / clip(depth_cm, 10, 1000) on tensors, and back to metres", () => {
  const d = tf.tensor1d([0.05, 0.1, 1, 2.5, 10, 20]);
  const y = depthToTarget(d, KINDS[0]);
  [100, 100, 10, 4, 1, 1].forEach((e, i) => expect(y.dataSync()[i]).toBeCloseTo(e, 5));
  const back = targetToDepth(y, KINDS[0]);
  [0.1, 0.1, 1, 2.5, 10, 10].forEach((e, i) => expect(back.dataSync()[i]).toBeCloseTo(e, 5));
  const r = depthToTarget(tf.tensor1d([0.5, 3, 9.5]), KINDS[1]);
  expect(Array.from(r.dataSync()).map((v) => +v.toFixed(5))).toEqual([0.05, 0.3, 0.95]);
  tf.dispose([d, y, back, r]);
});

test('round trip within range returns the depth', () => {
  const d = Float32Array.of(0.1, 0.5, 2, 9.99);
  for (const n of KINDS) {
    const back = targetToDepth(depthToTarget(d, n), n);
    back.forEach((v, i) => expect(v).toBeCloseTo(d[i], 5));
  }
});

test('bad normalisations are INVALID_CONFIG errors that say what is wrong', () => {
  expect(() => checkDepthNormalization({ kind: 'unit' })).toThrow(/maxDepth: is required \(expected number\)/);
  expect(() => checkDepthNormalization({ kind: 'unit', maxDepth: -1 })).toThrow(/maxDepth: must be > 0, got number -1/);
  expect(() => checkDepthNormalization({ kind: 'inverse' })).toThrow(/kind/);
  expect(() => checkDepthNormalization({ kind: 'unit', maxDepht: 10 })).toThrow(/unknown key "maxDepht" \(did you mean "maxDepth"\?\)/);
  expect(() => checkDepthNormalization({ kind: 'densedepth', minDepth: 10, maxDepth: 1 })).toThrow(/minDepth must be below maxDepth/);
  expect(() => depthToTarget(Float32Array.of(1), { kind: 'range' } as never)).toThrow(/Depth normalisation/);
});
