import * as path from 'path';
import { writeFileSync } from 'fs';
import { zipSync, strToU8 } from 'fflate';
import { DepthblocksError } from '@depthblocks/core';
import { encodeGreyPng } from '../src/image-io';
import { encodeRgb } from '../src/image-io-node';
import { nyuDenseDepthZip } from '../src/nyu-densedepth-zip';
import { makeTempDir, patternRgb, patternU16 } from './helpers';

const W = 16;
const H = 12;

describe("DenseDepth's nyu_data.zip", () => {
  const tmp = makeTempDir();
  const zipPath = path.join(tmp.dir, 'nyu_data.zip');
  const trainDepth = Uint8Array.from({ length: W * H }, (_, i) => (i * 3) % 256);
  const testDepth = patternU16(W, H, 2);
  const trainRgb = patternRgb(W, H, 1);
  const testRgb = patternRgb(W, H, 4);

  beforeAll(async () => {
    const store = { level: 0 as const };
    const files: Record<string, Uint8Array | [Uint8Array, { level: 0 }]> = {
      'data/nyu2_train.csv': strToU8(
        'data/nyu2_train/living_room_0038_out/37.png,data/nyu2_train/living_room_0038_out/37_d.png\n' +
          'data/nyu2_train/kitchen_0001_out/1.jpg,data/nyu2_train/kitchen_0001_out/1_d.png\n' +
          'data/nyu2_train/missing/2.jpg,data/nyu2_train/missing/2.png\n' +
          'data/nyu2_train/bad/3.png,data/nyu2_train/bad/3_d.png\n',
      ),
      'data/nyu2_test.csv': strToU8('data/nyu2_test/00000_colors.png,data/nyu2_test/00000_depth.png'),
      'data/nyu2_train/living_room_0038_out/37.png': [await encodeRgb(trainRgb, W, H, 'png'), store],
      'data/nyu2_train/living_room_0038_out/37_d.png': [await encodeGreyPng(trainDepth, W, H), store],
      'data/nyu2_train/kitchen_0001_out/1.jpg': await encodeRgb(trainRgb, W, H, 'jpeg'),
      'data/nyu2_train/kitchen_0001_out/1_d.png': await encodeGreyPng(trainDepth, W, H),
      // RGB and depth of different sizes
      'data/nyu2_train/bad/3.png': await encodeRgb(patternRgb(8, 6), 8, 6, 'png'),
      'data/nyu2_train/bad/3_d.png': await encodeGreyPng(new Uint8Array(W * H), W, H),
      'data/nyu2_test/00000_colors.png': await encodeRgb(testRgb, W, H, 'png'),
      'data/nyu2_test/00000_depth.png': await encodeGreyPng(testDepth, W, H),
    };
    writeFileSync(zipPath, zipSync(files));
  });
  afterAll(() => tmp.cleanup());

  test('train: 8-bit depth is v / 255 * 10 m, RGB exact from PNG', async () => {
    const ds = await nyuDenseDepthZip({ path: zipPath, split: 'train' });
    expect(ds.length).toBe(4);
    expect(ds.ids![0]).toBe('data/nyu2_train/living_room_0038_out/37.png');
    const s = await ds.get(0);
    expect([s.width, s.height]).toEqual([W, H]);
    expect(Array.from(s.rgb)).toEqual(Array.from(trainRgb));
    for (let i = 0; i < W * H; i++) expect(s.depth[i]).toBeCloseTo((trainDepth[i] / 255) * 10, 5);
    const j = await ds.get(1); // JPEG
    expect(Math.abs(j.rgb[100] - trainRgb[100])).toBeLessThanOrEqual(12);
    await ds.close();
  });

  test('test: 16-bit depth is millimetres', async () => {
    const ds = await nyuDenseDepthZip({ path: zipPath, split: 'test' });
    expect(ds.length).toBe(1);
    const s = await ds.get(0);
    expect(Array.from(s.rgb)).toEqual(Array.from(testRgb));
    for (let i = 0; i < W * H; i++) expect(Math.abs(s.depth[i] - testDepth[i] / 1000)).toBeLessThan(1e-6);
    await ds.close();
  });

  test('missing entry and size mismatch name the entry and the CSV line; skip counts them', async () => {
    const ds = await nyuDenseDepthZip({ path: zipPath, split: 'train', onError: 'skip' });
    const missing = await ds.get(2).catch((e) => e);
    expect(missing).toBeInstanceOf(DepthblocksError);
    expect(missing.code).toBe('FILE_NOT_FOUND');
    expect(missing.message).toContain('data/nyu2_train/missing/2.jpg');
    expect(missing.message).toContain('data/nyu2_train.csv line 3');
    const mismatch = await ds.get(3).catch((e) => e);
    expect(mismatch.code).toBe('SHAPE_MISMATCH');
    expect(mismatch.message).toContain('line 4');
    expect(mismatch.message).toContain('6x8');
    const seen = [];
    for await (const s of ds) seen.push(s.id);
    expect(seen).toEqual(['data/nyu2_train/living_room_0038_out/37.png', 'data/nyu2_train/kitchen_0001_out/1.jpg']);
    expect(ds.skipped).toBe(2);
    const report = await ds.validate({ throwOnProblem: false });
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => [p.index, p.kind])).toEqual([
      [2, 'missing'],
      [2, 'missing'],
      [3, 'size-mismatch'],
    ]);
    await expect(ds.validate()).rejects.toThrow(/3 problem\(s\) in 4 samples/);
    await ds.close();
  });

  test('throw policy stops iteration at the bad sample; a missing CSV lists what is there', async () => {
    const ds = await nyuDenseDepthZip({ path: zipPath, split: 'train' });
    const ids: string[] = [];
    await expect(
      (async () => {
        for await (const s of ds) ids.push(s.id);
      })(),
    ).rejects.toThrow(/missing\/2\.jpg/);
    expect(ids.length).toBe(2);
    await ds.close();
    await expect(nyuDenseDepthZip({ path: zipPath, csvEntry: 'data/other.csv' })).rejects.toThrow(/data\/nyu2_test\.csv/);
  });
});
