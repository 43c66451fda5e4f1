import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { syntheticDataset } from '@depthblocks/datasets';
import { computeDepthMetrics, getProtocol } from '@depthblocks/metrics';
import { constantBaseline, evaluate, mergeEvaluations, parseShard } from '../src/evaluate';

beforeAll(async () => {
  await setupTestBackend();
});

/** A model whose output is the constant c at half the input resolution. */
function constantModel(c: number, h: number, w: number): tf.LayersModel {
  const input = tf.input({ shape: [h, w, 3] });
  const pooled = tf.layers.averagePooling2d({ poolSize: 2 }).apply(input) as tf.SymbolicTensor;
  const out = tf.layers
    .conv2d({ filters: 1, kernelSize: 1, kernelInitializer: 'zeros', biasInitializer: tf.initializers.constant({ value: c }) })
    .apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

test('a constant model scores exactly the metrics of that constant (whole-set), and sharded runs merge to the same', async () => {
  const ds = syntheticDataset({ count: 5, width: 40, height: 30, seed: 3 });
  const samples = await Promise.all(Array.from({ length: 5 }, (_, i) => ds.get(i)));
  const c = constantBaseline(samples);
  const model = constantModel(c, 30, 40);
  const before = tf.memory().numTensors;
  // DenseDepth's protocol has no caps and averages over the whole set: the reference is the pooled metrics
  // of the pixels inside its crop (scaled to 30x40)
  const full = await evaluate(model, ds, { protocol: 'nyu-densedepth', flipTTA: true });
  expect(tf.memory().numTensors).toBe(before);
  const box = getProtocol('nyu-densedepth').crop(30, 40);
  const gt = samples.flatMap((s) =>
    Array.from(s.depth).filter((_, i) => {
      const y = Math.floor(i / 40);
      const x = i % 40;
      return y >= box.top && y < box.bottom && x >= box.left && x < box.right;
    }),
  );
  const ref = computeDepthMetrics(
    gt,
    gt.map(() => c),
  );
  for (const k of ['d1', 'absRel', 'rmse', 'log10'] as const) expect((full.result as any).metrics[k]).toBeCloseTo(ref[k], 5);
  const shards = await Promise.all([0, 1, 2].map((i) => evaluate(model, ds, { protocol: 'nyu-densedepth', shard: [i, 3] })));
  expect(shards.map((s) => s.samples)).toEqual([2, 2, 1]);
  const merged = mergeEvaluations(shards.map((s) => JSON.stringify(s.state)));
  expect(merged).toEqual(full.result);
  model.dispose();
});

test('shards are parsed and checked', () => {
  expect(parseShard('1/4')).toEqual([1, 4]);
  expect(() => parseShard('4/4')).toThrow(/0 <= i < N/);
  expect(() => parseShard('a')).toThrow(/"i\/N"/);
});
