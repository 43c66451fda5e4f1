/**
 * The `folders` data spec (RGB and depth folders paired by file name) through the reader registry: the
 * depth scale by dataset, 8-bit depth rejected unless a scale is given, implausible ranges reported to the
 * context's onWarning, unpaired files listed or skipped, spec typos caught before the folders are read.
 */
import * as fs from 'fs';
import * as path from 'path';
import { openDataset } from '../src/node'; // the folders reader is Node-only
import { encodeGreyPng, encodeRgb } from '../src/image-io';
import { makeTempDir, patternRgb } from './helpers';

const W = 8;
const H = 6;
const tmp = makeTempDir('depthblocks-folders-');
afterAll(() => tmp.cleanup());

/** A depth map with every value `v` (stored units), a zero (invalid) pixel at 0. */
const constant = (v: number, bits: 8 | 16): Uint16Array | Uint8Array => {
  const a = bits === 16 ? new Uint16Array(W * H).fill(v) : new Uint8Array(W * H).fill(v);
  a[0] = 0;
  return a;
};

async function folders(name: string, depths: Record<string, Uint16Array | Uint8Array>, extraRgb: string[] = []): Promise<string> {
  const d = path.join(tmp.dir, name);
  fs.mkdirSync(path.join(d, 'rgb'), { recursive: true });
  fs.mkdirSync(path.join(d, 'depth'), { recursive: true });
  const stems = [...Object.keys(depths), ...extraRgb];
  for (const [i, s] of stems.entries()) fs.writeFileSync(path.join(d, 'rgb', `${s}.png`), await encodeRgb(patternRgb(W, H, i), W, H));
  for (const [s, v] of Object.entries(depths)) fs.writeFileSync(path.join(d, 'depth', `${s}.png`), await encodeGreyPng(v, W, H));
  return d;
}

test('pairs by name; millimetres by default, 1/256 m for dataset kitti', async () => {
  const d = await folders('pairs', { a: constant(2500, 16), b: constant(4000, 16) });
  const spec = { type: 'folders', rgbDir: path.join(d, 'rgb'), depthDir: path.join(d, 'depth') };
  const nyu = await openDataset(spec);
  expect(nyu.length).toBe(2);
  const a = await nyu.get(0);
  expect([a.id, a.width, a.height, a.depth[0], a.depth[1], a.depth[W * H - 1]]).toEqual(['a', W, H, 0, Math.fround(2.5), Math.fround(2.5)]);
  expect((await nyu.get(1)).depth[5]).toBe(Math.fround(4));
  const kitti = await openDataset({ ...spec, dataset: 'kitti' });
  expect((await kitti.get(0)).depth[1]).toBe(Math.fround(2500 / 256));
});

test('an 8-bit depth PNG is rejected, unless depthScale is given', async () => {
  const d = await folders('bits', { a: constant(200, 8) });
  const spec = { type: 'folders', rgbDir: path.join(d, 'rgb'), depthDir: path.join(d, 'depth') };
  const ds = await openDataset(spec);
  await expect(ds.get(0)).rejects.toMatchObject({
    code: 'INVALID_DATA',
    message: expect.stringMatching(/a\.png is 8-bit, but folders\(.*\) depth maps are 16-bit .*largest value would be 0\.255 m/),
  });
  const scaled = await openDataset({ ...spec, depthScale: 10 / 255 });
  expect((await scaled.get(0)).depth[1]).toBeCloseTo((200 * 10) / 255, 5);
});

test("implausible depth ranges go to the context's onWarning (NYU: 0.5-20 m, KITTI: 1-120 m)", async () => {
  const d = await folders('range', { near: constant(300, 16), ok: constant(3000, 16), far: constant(50000, 16) });
  const spec = { type: 'folders', rgbDir: path.join(d, 'rgb'), depthDir: path.join(d, 'depth') };
  const warnings: string[] = [];
  const ds = await openDataset(spec, { onWarning: (m) => warnings.push(m) });
  for (let i = 0; i < ds.length; i++) await ds.get(i);
  expect(warnings).toEqual([
    expect.stringMatching(/far\.png: largest depth 50\.000 m is outside the plausible 0\.5-20 m for folders/),
    expect.stringMatching(/near\.png: largest depth 0\.300 m is outside the plausible 0\.5-20 m/),
  ]);
  warnings.length = 0;
  const kitti = await openDataset({ ...spec, dataset: 'kitti' }, { onWarning: (m) => warnings.push(m) });
  for (let i = 0; i < kitti.length; i++) await kitti.get(i);
  // 50000/256 = 195 m (too far), 300/256 = 1.17 m and 3000/256 = 11.7 m (fine)
  expect(warnings).toEqual([expect.stringMatching(/far\.png: largest depth 195\.313 m is outside the plausible 1-120 m/)]);
});

test('unpaired files are listed (or left out with onError skip); spec typos are caught before reading', async () => {
  const d = await folders('unpaired', { a: constant(1000, 16) }, ['lonely']);
  const spec = { type: 'folders', rgbDir: path.join(d, 'rgb'), depthDir: path.join(d, 'depth') };
  await expect(openDataset(spec)).rejects.toMatchObject({
    code: 'INVALID_DATA',
    message: expect.stringMatching(/1 file\(s\) have no partner: .*lonely\.png/),
  });
  expect((await openDataset(spec, { onError: 'skip' })).length).toBe(1);
  await expect(openDataset({ ...spec, depthScael: 0.001 })).rejects.toMatchObject({
    code: 'INVALID_CONFIG',
    message: expect.stringMatching(/unknown key "depthScael" \(did you mean "depthScale"\?\)/),
  });
  await expect(openDataset({ ...spec, dataset: 'kiti' })).rejects.toThrow(/dataset: expected one of "nyu", "kitti", got string "kiti"/);
  await expect(openDataset({ type: 'folders', rgbDir: path.join(tmp.dir, 'none'), depthDir: d })).rejects.toMatchObject({
    code: 'FILE_NOT_FOUND',
  });
});
