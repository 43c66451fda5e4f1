import { DepthblocksError, depthToTarget, tf, type Sample } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { Batcher, disposeBatch, samplesToBatch } from '../src/batcher';
import type { Dataset } from '../src/dataset';
import { syntheticDataset } from '../src/synthetic/dataset';
import { compose, randomCrop, randomHorizontalFlip } from '../src/transforms';

/** An in-memory dataset that counts concurrent loads and can fail on chosen indices. */
function fakeDataset(n: number, opts: { w?: number; h?: number; failAt?: number[]; pairs?: boolean } = {}) {
  const w = opts.w ?? 4;
  const h = opts.h ?? 3;
  const stats = { inFlight: 0, maxInFlight: 0, started: [] as number[] };
  const make = (i: number): Sample => {
    const depth = Float32Array.from({ length: w * h }, (_, k) => (k === 0 ? 0 : i + k / 10));
    const s: Sample = {
      id: `s${i}`,
      rgb: Uint8Array.from({ length: w * h * 3 }, (_, k) => (i * 10 + k) % 256),
      depth,
      width: w,
      height: h,
    };
    if (opts.pairs) s.pairs = [{ ya: 0, xa: 0, yb: 1, xb: 1, relation: 1 }];
    return s;
  };
  const ds: Dataset & { stats: typeof stats } = {
    name: 'fake',
    length: n,
    stats,
    async get(i: number) {
      stats.started.push(i);
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      await new Promise((r) => setImmediate(r));
      stats.inFlight--;
      if (opts.failAt?.includes(i)) throw new DepthblocksError('CORRUPT_FILE', `sample ${i} is corrupt (file: s${i}.png)`);
      return make(i);
    },
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < n; i++) yield make(i);
    },
  };
  return ds;
}

describe('Batcher', () => {
  beforeAll(async () => {
    await setupTestBackend();
  });

  test('samplesToBatch: rgb / 255, depth, mask from validity, pairs, depthTransform', () => {
    const ds = fakeDataset(2, { pairs: true });
    const a: Sample = {
      id: 'a',
      rgb: Uint8Array.of(0, 51, 255, 10, 20, 30),
      depth: Float32Array.of(0, 2),
      width: 2,
      height: 1,
      pairs: [{ ya: 0, xa: 0, yb: 0, xb: 1, relation: -1 }],
    };
    const b: Sample = { id: 'b', rgb: new Uint8Array(6), depth: Float32Array.of(NaN, 0.05), width: 2, height: 1 };
    const before = tf.memory().numTensors;
    const batch = samplesToBatch([a, b], (d) => depthToTarget(d, { kind: 'densedepth', minDepth: 0.1, maxDepth: 10 }));
    expect(batch.rgb.shape).toEqual([2, 1, 2, 3]);
    expect(batch.depth.shape).toEqual([2, 1, 2, 1]);
    expect(Array.from(batch.rgb.dataSync().slice(0, 6))).toEqual([0, 0.2, 1, 10 / 255, 20 / 255, 30 / 255].map(Math.fround));
    expect(Array.from(batch.depth.dataSync())).toEqual([0, 5, 0, 100]); // 1000 / 200 cm; 5 cm clips to 10 -> 100
    expect(Array.from(batch.mask.dataSync())).toEqual([0, 1, 0, 1]);
    expect(batch.pairs).toEqual([[{ ya: 0, xa: 0, yb: 0, xb: 1, relation: -1 }], []]);
    disposeBatch(batch);
    expect(tf.memory().numTensors).toBe(before);
    expect(ds.length).toBe(2);
    expect(() => samplesToBatch([a, { ...b, width: 1, height: 2 }])).toThrow(/add a resize or crop/);
  });

  test('shuffle is a seeded permutation per epoch; epoch(e) replays exactly', async () => {
    const ds = fakeDataset(10);
    const idsOf = async (it: AsyncIterable<{ ids: string[]; rgb: tf.Tensor; depth: tf.Tensor; mask: tf.Tensor }>): Promise<string[]> => {
      const ids: string[] = [];
      for await (const b of it) {
        ids.push(...b.ids);
        b.rgb.dispose();
        b.depth.dispose();
        b.mask.dispose();
      }
      return ids;
    };
    const b1 = new Batcher(ds, { batchSize: 3, seed: 42 });
    const e0 = await idsOf(b1);
    const e1 = await idsOf(b1);
    expect(b1.epochIndex).toBe(2);
    expect([...e0].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `s${i}`).sort());
    expect(e0).not.toEqual(e1);
    const b2 = new Batcher(ds, { batchSize: 3, seed: 42 });
    expect(await idsOf(b2.epoch(1))).toEqual(e1);
    expect(await idsOf(new Batcher(ds, { batchSize: 3, seed: 43 }).epoch(0))).not.toEqual(e0);
    expect(await idsOf(new Batcher(ds, { batchSize: 4, shuffle: false, dropLast: true }))).toEqual([
      's0',
      's1',
      's2',
      's3',
      's4',
      's5',
      's6',
      's7',
    ]);
    expect(new Batcher(ds, { batchSize: 4, dropLast: true }).batchesPerEpoch).toBe(2);
    expect(new Batcher(ds, { batchSize: 4 }).batchesPerEpoch).toBe(3);
  });

  test('augmentation depends on (seed, epoch, position) only, not on prefetch depth', async () => {
    const ds = syntheticDataset({ count: 6, width: 12, height: 10, seed: 2 });
    const transform = compose(randomHorizontalFlip(0.5), randomCrop({ height: 8, width: 8 }));
    const run = async (prefetch: number): Promise<number[]> => {
      const out: number[] = [];
      for await (const b of new Batcher(ds, { batchSize: 4, seed: 9, transform, prefetch }).epoch(0)) {
        out.push(...Array.from(b.rgb.dataSync()), ...Array.from(b.depth.dataSync()));
        disposeBatch(b);
      }
      return out;
    };
    const a = await run(0);
    const b = await run(3);
    expect(a.length).toBe(6 * 8 * 8 * 4);
    expect(b).toEqual(a);
  });

  test('prefetch keeps loading ahead of the consumer', async () => {
    const ds = fakeDataset(40);
    const batcher = new Batcher(ds, { batchSize: 4, prefetch: 2, shuffle: false });
    const it = batcher[Symbol.asyncIterator]();
    const first = await it.next();
    disposeBatch(first.value);
    // while the consumer holds batch 0, the next two batches' samples have been requested
    await new Promise((r) => setImmediate(r));
    expect(ds.stats.started.length).toBeGreaterThanOrEqual(4 + 2 * 4);
    expect(ds.stats.maxInFlight).toBeGreaterThan(1);
    expect(ds.stats.maxInFlight).toBeLessThanOrEqual(1 + 2 * 4);
    await it.return!(undefined);
    const lazy = fakeDataset(8);
    const it0 = new Batcher(lazy, { batchSize: 2, prefetch: 0, shuffle: false })[Symbol.asyncIterator]();
    disposeBatch((await it0.next()).value);
    expect(lazy.stats.maxInFlight).toBe(1);
    await it0.return!(undefined);
  });

  test('no tensor leaks: full epoch, early break, and an error mid-epoch', async () => {
    const ds = fakeDataset(9, { failAt: [7] });
    const base = tf.memory().numTensors;
    const skipping = new Batcher(ds, { batchSize: 2, onError: 'skip' });
    let n = 0;
    for await (const b of skipping) {
      n += b.ids.length;
      disposeBatch(b);
    }
    expect(n).toBe(8);
    expect(tf.memory().numTensors).toBe(base);
    for await (const b of new Batcher(ds, { batchSize: 2, onError: 'skip' })) {
      disposeBatch(b);
      break;
    }
    expect(tf.memory().numTensors).toBe(base);
    const throwing = new Batcher(ds, { batchSize: 2, shuffle: false });
    await expect(
      (async () => {
        for await (const b of throwing) disposeBatch(b);
      })(),
    ).rejects.toThrow(/sample 7 is corrupt/);
    expect(tf.memory().numTensors).toBe(base);
  });

  test("onError 'skip' counts bad samples and fills batches from the next ones", async () => {
    const ds = fakeDataset(7, { failAt: [1, 4] });
    const batcher = new Batcher(ds, { batchSize: 2, shuffle: false, onError: 'skip' });
    const batches: string[][] = [];
    for await (const b of batcher) {
      batches.push(b.ids);
      disposeBatch(b);
    }
    expect(batches).toEqual([['s0', 's2'], ['s3', 's5'], ['s6']]);
    expect(batcher.skipped).toBe(2);
    expect(String(batcher.skippedErrors[0])).toContain('s1.png');
    expect(batcher.stats.batches).toBe(3);
    expect(batcher.stats.samples).toBe(5);
  });

  test('validate delegates to the dataset; bad options are rejected', async () => {
    const ds = syntheticDataset({ count: 2, width: 4, height: 4 });
    await expect(new Batcher(ds, { batchSize: 1 }).validate()).resolves.toMatchObject({ ok: true, checked: 2 });
    await expect(new Batcher(fakeDataset(1), { batchSize: 1 }).validate()).resolves.toMatchObject({ ok: true, checked: 0 });
    expect(() => new Batcher(ds, { batchSize: 0 })).toThrow(/batchSize/);
    expect(() => new Batcher(ds, { batchSize: 1, prefetch: -1 })).toThrow(/prefetch/);
    expect(() => new Batcher(ds, { batchSize: 1, onError: 'ignore' as never })).toThrow(/onError/);
  });
});
