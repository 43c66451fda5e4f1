import * as path from 'path';
import { readFileSync, writeFileSync } from 'fs';
import { loadH5wasm } from '@depthblocks/core';
import { nyuLabeled } from '../src/nyu-labeled';
import { NYU_LABELED_TEST_INDICES, NYU_LABELED_TRAIN_INDICES } from '../src/nyu-split';
import { makeTempDir } from './helpers';

// Fixture values, defined on (image n, row y, column x, channel c) — the layout a Sample uses.
const rgbAt = (n: number, y: number, x: number, c: number): number => (n * 31 + y * 17 + x * 5 + c * 70) % 256;
const depthAt = (n: number, y: number, x: number): number => Math.fround(0.5 + (n % 50) * 0.1 + y * 0.01 + x * 0.001);

/**
 * Writes a MATLAB v7.3-style .mat: HDF5 with `images` uint8 [N, 3, W, H] and `depths` float32 [N, W, H]
 * (MATLAB's column-major H x W x 3 x N seen row-major), MATLAB_class attributes, and the 512-byte
 * MATLAB userblock in front (h5wasm cannot create a userblock, so it is prepended; HDF5 finds the
 * superblock at offset 512 as it does for files MATLAB writes).
 */
async function writeMat(file: string, n: number, w: number, h: number, opts: { nanAt?: [number, number, number] } = {}): Promise<void> {
  const h5 = await loadH5wasm();
  const images = new Uint8Array(n * 3 * w * h);
  const depths = new Float32Array(n * w * h);
  const raw = new Float32Array(n * w * h);
  for (let k = 0; k < n; k++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) images[((k * 3 + c) * w + x) * h + y] = rgbAt(k, y, x, c);
        depths[(k * w + x) * h + y] = depthAt(k, y, x);
        raw[(k * w + x) * h + y] = (x + y) % 3 === 0 ? 0 : depthAt(k, y, x);
      }
    }
  }
  if (opts.nanAt) {
    const [k, y, x] = opts.nanAt;
    depths[(k * w + x) * h + y] = NaN;
  }
  const tmp = file + '.h5';
  const f = new h5.File(tmp, 'w');
  f.create_dataset({ name: 'images', data: images, shape: [n, 3, w, h], dtype: '<B' });
  f.get('images').create_attribute('MATLAB_class', 'uint8');
  f.create_dataset({ name: 'depths', data: depths, shape: [n, w, h], dtype: '<f4' });
  f.get('depths').create_attribute('MATLAB_class', 'single');
  f.create_dataset({ name: 'rawDepths', data: raw, shape: [n, w, h], dtype: '<f4' });
  f.close();
  const header = Buffer.alloc(512);
  header.write(
    'MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Sat Nov 21 00:00:00 2026 HDF5 schema 1.00 .'.padEnd(116, ' '),
    0,
    'latin1',
  );
  header.writeUInt16LE(0x0200, 124);
  header.write('IM', 126, 'latin1');
  writeFileSync(file, Buffer.concat([header, readFileSync(tmp)]));
}

describe('NYU labeled .mat', () => {
  const tmp = makeTempDir();
  const small = path.join(tmp.dir, 'small.mat');
  const full = path.join(tmp.dir, 'full.mat');
  beforeAll(async () => {
    await writeMat(small, 3, 6, 4, { nanAt: [1, 2, 3] });
    await writeMat(full, 1449, 4, 3);
  });
  afterAll(() => tmp.cleanup());

  test('the MATLAB userblock is in place (the file starts with the MAT header)', () => {
    const head = readFileSync(small).subarray(0, 10).toString('latin1');
    expect(head).toBe('MATLAB 7.3');
  });

  test('reads every pixel transposed from column-major storage; NaN depth becomes 0', async () => {
    const ds = await nyuLabeled({ path: small, split: 'all' });
    expect(ds.length).toBe(3);
    expect(ds.ids).toEqual(['nyu_labeled/1', 'nyu_labeled/2', 'nyu_labeled/3']);
    for (let n = 0; n < 3; n++) {
      const s = await ds.get(n);
      expect([s.width, s.height]).toEqual([6, 4]);
      for (let y = 0; y < 4; y++) {
        for (let x = 0; x < 6; x++) {
          for (let c = 0; c < 3; c++) expect(s.rgb[(y * 6 + x) * 3 + c]).toBe(rgbAt(n, y, x, c));
          const want = n === 1 && y === 2 && x === 3 ? 0 : depthAt(n, y, x);
          expect(s.depth[y * 6 + x]).toBe(want);
        }
      }
      expect(s.intrinsics!.fx).toBeCloseTo((518.8579 * 6) / 640, 6);
    }
    await ds.close();
    await expect(ds.get(0)).rejects.toThrow(/closed/);
  });

  test('rawDepths and explicit 1-based indices', async () => {
    const ds = await nyuLabeled({ path: small, indices: [3, 1], depth: 'rawDepths' });
    const s = await ds.get(0);
    expect(s.id).toBe('nyu_labeled/3');
    expect(s.depth[0]).toBe(0); // (x + y) % 3 === 0 -> no reading
    expect(s.depth[1]).toBe(depthAt(2, 0, 1));
    await ds.close();
    await expect(nyuLabeled({ path: small, indices: [4] })).rejects.toThrow(/outside 1\.\.3/);
  });

  test('official 795/654 split maps to the right images', async () => {
    expect(NYU_LABELED_TRAIN_INDICES.length).toBe(795);
    expect(NYU_LABELED_TEST_INDICES.length).toBe(654);
    const all = [...NYU_LABELED_TRAIN_INDICES, ...NYU_LABELED_TEST_INDICES].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 1449 }, (_, i) => i + 1));
    const test = await nyuLabeled({ path: full, split: 'test' });
    expect(test.length).toBe(654);
    const k = NYU_LABELED_TEST_INDICES[100];
    const s = await test.get(100);
    expect(s.id).toBe(`nyu_labeled/${k}`);
    expect(s.rgb[(2 * 4 + 1) * 3 + 2]).toBe(rgbAt(k - 1, 2, 1, 2));
    expect(s.depth[2 * 4 + 1]).toBe(depthAt(k - 1, 2, 1));
    let count = 0;
    for await (const t of test) {
      if (count === 0) expect(t.id).toBe(`nyu_labeled/${NYU_LABELED_TEST_INDICES[0]}`);
      if (++count >= 3) break;
    }
    await test.close();
    const train = await nyuLabeled({ path: full, split: 'train' });
    expect(train.length).toBe(795);
    expect((await train.get(0)).id).toBe(`nyu_labeled/${NYU_LABELED_TRAIN_INDICES[0]}`);
    await train.close();
    // the official split needs the full file
    await expect(nyuLabeled({ path: small, split: 'test' })).rejects.toThrow(/1449/);
  });

  test('missing, non-HDF5 and wrongly shaped files are clear errors', async () => {
    await expect(nyuLabeled({ path: path.join(tmp.dir, 'nope.mat') })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    const junk = path.join(tmp.dir, 'junk.mat');
    writeFileSync(junk, 'MATLAB 5.0 MAT-file, this is not HDF5');
    await expect(nyuLabeled({ path: junk })).rejects.toMatchObject({ code: 'CORRUPT_FILE' });
    const h5 = await loadH5wasm();
    const bad = path.join(tmp.dir, 'bad.mat');
    const f = new h5.File(bad, 'w');
    f.create_dataset({ name: 'images', data: new Uint8Array(24), shape: [2, 3, 2, 2], dtype: '<B' });
    f.create_dataset({ name: 'depths', data: new Float32Array(6), shape: [2, 3, 1], dtype: '<f4' });
    f.close();
    const err = await nyuLabeled({ path: bad, split: 'all' }).catch((e) => e);
    expect(err.code).toBe('CORRUPT_FILE');
    expect(err.message).toContain("'depths' must be [N, W, H] = [2, 2, 2]");
    // an HDF5 file damaged after its signature: one short error, HDF5's diagnostic pages neither printed nor pasted in
    const damaged = path.join(tmp.dir, 'damaged.mat');
    const bytes = readFileSync(bad);
    bytes.fill(7, 100, 600);
    writeFileSync(damaged, bytes);
    const stderr = jest.spyOn(process.stderr, 'write');
    const e2 = await nyuLabeled({ path: damaged, split: 'all' }).catch((e) => e);
    expect(e2.code).toBe('CORRUPT_FILE');
    expect(e2.message).toMatch(/^Could not open .*damaged\.mat as HDF5 \(MATLAB v7\.3\): H5\w+\(\): /);
    expect(e2.message.split('\n')).toHaveLength(1);
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).not.toMatch(/HDF5-DIAG/);
    stderr.mockRestore();
  });
});
