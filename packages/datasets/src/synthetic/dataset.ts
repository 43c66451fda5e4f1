/**
 * The synthetic RGB-D dataset: procedurally generated rooms rendered with exact depth. It is the
 * built-in data of the quickstart and of the tests (no download), deterministic by seed, any size.
 */
import { DepthblocksError, type Sample, z } from '@depthblocks/core';
import { checkIndex, type Dataset } from '../dataset';
import { renderScene } from './render';
import { generateScene } from './scene';
import { registerDataset } from '../registry';

/** Options of {@link syntheticDataset}. */
export interface SyntheticOptions {
  /** Number of samples. */
  count: number;
  width: number;
  height: number;
  /** Dataset seed; sample i is rendered from {@link syntheticSampleSeed}(seed, i). Default 0. */
  seed?: number;
}

function checkDims(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width * height > 4096 * 4096) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `synthetic: width and height must be positive integers (at most 4096x4096 pixels in all), got ${width}x${height}`,
    );
  }
}

/**
 * The seed of sample `index` of a dataset with seed `seed` (a 32-bit mix, so neighbouring
 * datasets do not share scenes).
 */
export function syntheticSampleSeed(seed: number, index: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Renders one synthetic sample: a random room (from `seed`) seen by a camera with NYU-like
 * intrinsics scaled to the size. Depth is the exact z-depth in metres (about 0.5..10 m), all valid.
 *
 * @example
 * const s = renderSyntheticSample(42, 64, 48);
 * s.depth.length === 64 * 48; // true
 */
export function renderSyntheticSample(seed: number, width: number, height: number): Sample {
  checkDims(width, height);
  if (!Number.isFinite(seed)) throw new DepthblocksError('INVALID_ARGUMENT', `synthetic: seed must be a finite number, got ${seed}`);
  const { rgb, depth, intrinsics } = renderScene(generateScene(seed), width, height);
  return { id: `synthetic-${seed >>> 0}`, rgb, depth, width, height, intrinsics };
}

/**
 * A Dataset of `count` synthetic samples. Random access (`get(i)`) and iteration give the same
 * bytes for the same seed, size and index.
 *
 * @example
 * const ds = syntheticDataset({ count: 100, width: 64, height: 64, seed: 1 });
 * for await (const s of ds) { ... }
 */
export function syntheticDataset(options: SyntheticOptions): Dataset {
  const { count, width, height } = options;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(count) || count < 0) {
    throw new DepthblocksError('INVALID_ARGUMENT', `syntheticDataset: count must be a non-negative integer, got ${count}`);
  }
  checkDims(width, height);
  const name = `synthetic(seed=${seed}, ${width}x${height})`;
  const get = async (i: number): Promise<Sample> => {
    checkIndex(i, count, name);
    const s = renderSyntheticSample(syntheticSampleSeed(seed, i), width, height);
    return { ...s, id: `synthetic/${seed}/${i}` };
  };
  return {
    name,
    length: count,
    ids: Array.from({ length: count }, (_, i) => `synthetic/${seed}/${i}`),
    get,
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < count; i++) yield await get(i);
    },
    async validate() {
      return { ok: true, checked: count, problems: [] };
    },
  };
}

registerDataset(
  'synthetic',
  (o: { count: number; width: number; height: number; seed?: number }) => syntheticDataset({ ...o, seed: o.seed ?? 0 }),
  {
    description: 'Procedural RGB-D scenes (seeded): boxes and planes rendered with a pinhole camera',
    options: z.strictObject({
      count: z.number().int().positive(),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      seed: z.number().int().optional(),
    }),
  },
);
