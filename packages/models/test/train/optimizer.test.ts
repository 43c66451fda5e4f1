import { BackendKernels, tf } from '@depthblocks/core';
import { setupBackend, setupTestBackend } from '@depthblocks/backend';
import { createOptimizer, createSchedule } from '../../src/train';

beforeAll(async () => {
  await setupTestBackend();
});

/** float64 reference of the update rules, for a weight vector and a fixed gradient sequence. */
function reference(
  name: 'adam' | 'adamw' | 'sgd',
  w0: number[],
  grads: number[][],
  lr: number,
  wd: number,
  b1 = 0.9,
  b2 = 0.999,
  eps = 1e-7,
  mom = 0.9,
): number[] {
  const w = [...w0];
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  grads.forEach((g0, t) => {
    for (let i = 0; i < w.length; i++) {
      const g = name === 'adam' ? g0[i] + wd * w[i] : g0[i];
      if (name === 'sgd') {
        m[i] = mom * m[i] + g;
        w[i] -= lr * m[i];
        continue;
      }
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const mh = m[i] / (1 - b1 ** (t + 1));
      const vh = v[i] / (1 - b2 ** (t + 1));
      const wOld = w[i];
      w[i] -= (lr * mh) / (Math.sqrt(vh) + eps);
      if (name === 'adamw') w[i] -= lr * wd * wOld;
    }
  });
  return w;
}

/**
 * The update paths: Adam as @depthblocks/backend's one-kernel SIMD update on wasm, and as tf ops (wasm with the
 * kernel's patch off, and cpu). Every path must match the same float64 reference; `kernel` says whether the
 * Adam kernel must run (checked with tf.profile's kernel list, so a path cannot silently take the other route).
 */
const paths = [
  { path: 'wasm, SIMD Adam kernel', backend: 'wasm', simdAdam: true, kernel: true },
  { path: 'wasm, tf ops', backend: 'wasm', simdAdam: false, kernel: false },
  { path: 'cpu, tf ops', backend: 'cpu', simdAdam: true, kernel: false },
] as const;

describe.each(paths)('$path', ({ backend, simdAdam, kernel }) => {
  beforeAll(async () => {
    await setupBackend({ backend, threads: 1, patches: { simdAdam } });
  });
  afterAll(async () => {
    await setupTestBackend(); // all patches back on, wasm
  });

  test.each([
    ['adam', 0],
    ['adam', 0.02],
    ['adamw', 0.02],
    ['sgd', 0],
  ] as const)('%s (weight decay %s) matches the float64 reference update', async (name, wd) => {
    // 6 values: on wasm the SIMD update's 4-wide body and its scalar tail
    const w0 = [0.5, -1, 2, 0.25, -0.75, 1.5];
    const grads = [
      [0.1, -0.2, 0.3, 0, 0.7, -0.05],
      [0.05, 0.4, -0.1, 1, -0.2, 0.3],
      [-0.3, 0.1, 0.2, -0.5, 0.01, 0.9],
    ];
    const v = tf.variable(tf.tensor2d(w0, [2, 3]), true, `w_${name}_${wd}_${backend}_${simdAdam}`); // rank 2: weight decay applies
    const opt = createOptimizer({ name, lr: 0.01, weightDecay: wd });
    const before = tf.memory().numTensors;
    let kernels: string[] = [];
    for (const g of grads) {
      const gt = tf.tensor2d(g, [2, 3]);
      const profile = await tf.profile(() => opt.apply({ [v.name]: gt }, [v]));
      kernels = kernels.concat(profile.kernelNames);
      gt.dispose();
    }
    expect(kernels.includes(BackendKernels.adamUpdate)).toBe(kernel && name !== 'sgd');
    expect(tf.memory().numTensors - before).toBe(name === 'sgd' ? 1 : 2); // the slots (moments) only
    const expected = reference(name, w0, grads, 0.01, wd);
    Array.from(v.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(expected[i], 6));
    opt.dispose();
    v.dispose();
  });
});

test('state round-trips: a restored optimizer continues identically', async () => {
  const mk = () => tf.variable(tf.tensor2d([1, 2, 3, 4], [2, 2]), true);
  const a = mk();
  const b = mk();
  const oa = createOptimizer({ name: 'adam', lr: 0.1 });
  const ob = createOptimizer({ name: 'adam', lr: 0.1 });
  const g = tf.tensor2d([0.3, -0.1, 0.2, 0.5], [2, 2]);
  oa.apply({ [a.name]: g }, [a]);
  ob.apply({ [b.name]: g }, [b]);
  const state = (await oa.getState()).map((s) => ({ ...s, name: s.name.replace(a.name, b.name) }));
  const oc = createOptimizer({ name: 'adam', lr: 0.1 });
  await oc.setState(state);
  oa.apply({ [a.name]: g }, [a]);
  oc.apply({ [b.name]: g }, [b]);
  expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
  [oa, ob, oc].forEach((o) => o.dispose());
  tf.dispose([a, b, g]);
});

test('bad options are clear errors', () => {
  expect(() => createOptimizer({ name: 'rmsprop' as never })).toThrow(
    /^Optimizer options: name: expected one of "adam", "adamw", "sgd", got string "rmsprop"$/,
  );
  expect(() => createOptimizer({ lr: -1 })).toThrow(/^Optimizer options: lr: must be > 0, got number -1$/);
  expect(() => createOptimizer({ lr: 1e-3, weightdecay: 0.1 } as never)).toThrow(
    /unknown key "weightdecay" \(did you mean "weightDecay"\?\)/,
  );
  expect(() => createSchedule({ type: 'plateau', patiance: 2 } as never)).toThrow(
    /^Schedule options: unknown key "patiance" \(did you mean "patience"\?\)$/,
  );
  expect(() => createSchedule({ type: 'cosinus' } as never)).toThrow(/^Schedule options: type: /);
});

test('schedules give the hand-computed rates', () => {
  const step = createSchedule({ type: 'step', stepSize: 2, gamma: 0.5 });
  expect([0, 1, 2, 3, 4].map((e) => step.lrAt(1, 0, e, 0))).toEqual([1, 1, 0.5, 0.5, 0.25]);
  const cos = createSchedule({ type: 'cosine', totalSteps: 10, warmupSteps: 2, minLr: 0 });
  expect(cos.lrAt(1, 0, 0, 0)).toBeCloseTo(0.5);
  expect(cos.lrAt(1, 1, 0, 0)).toBeCloseTo(1);
  expect(cos.lrAt(1, 6, 0, 0)).toBeCloseTo(0.5); // halfway through the cosine part
  expect(cos.lrAt(1, 10, 0, 0)).toBeCloseTo(0);
  const p = createSchedule({ type: 'plateau', factor: 0.5, patience: 1, minLr: 0.2 });
  expect(p.observe(1)).toBe(false);
  expect(p.observe(1)).toBe(false); // 1 bad epoch: within patience
  expect(p.observe(1)).toBe(true); // 2 bad epochs: reduce
  expect(p.lrAt(1, 0, 0, 0)).toBe(0.5);
  expect(p.observe(0.5)).toBe(false); // improvement
  p.observe(0.5);
  p.observe(0.5);
  p.observe(0.5);
  p.observe(0.5);
  expect(p.lrAt(1, 0, 0, 0)).toBe(0.2); // floored at minLr
});
