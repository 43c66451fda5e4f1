import * as path from 'path';
import { mkdirSync, writeFileSync } from 'fs';
import { encodeGreyPng } from '../src/image-io';
import { encodeRgb } from '../src/image-io-node';
import { nyuBts } from '../src/nyu-bts';
import { makeTempDir, patternRgb, patternU16 } from './helpers';

describe('NYU BTS-style folders', () => {
  const tmp = makeTempDir();
  const W = 20;
  const H = 15;
  const depth0 = patternU16(W, H, 0);
  beforeAll(async () => {
    const scene = path.join(tmp.dir, 'test', 'bathroom');
    mkdirSync(scene, { recursive: true });
    writeFileSync(path.join(scene, 'rgb_00045.jpg'), await encodeRgb(patternRgb(W, H, 2), W, H, 'jpeg'));
    writeFileSync(path.join(scene, 'sync_depth_00045.png'), await encodeGreyPng(depth0, W, H));
    writeFileSync(path.join(scene, 'rgb_00046.png'), await encodeRgb(patternRgb(W, H, 3), W, H, 'png'));
    writeFileSync(path.join(scene, 'sync_depth_00046.png'), await encodeGreyPng(patternU16(W + 1, H, 1), W + 1, H));
    writeFileSync(
      path.join(tmp.dir, 'nyu_test.txt'),
      '/bathroom/rgb_00045.jpg /bathroom/sync_depth_00045.png 518.8579\n' +
        '\n' +
        'bathroom/rgb_00046.png bathroom/sync_depth_00046.png 518.8579\n' +
        'bathroom/rgb_00047.png bathroom/sync_depth_00047.png 518.8579\n',
    );
    writeFileSync(path.join(tmp.dir, 'bad_list.txt'), 'only_one_field.png\n');
  });
  afterAll(() => tmp.cleanup());

  test('16-bit depth in mm reads back as exact metres; intrinsics from the focal', async () => {
    const ds = await nyuBts({ listFile: path.join(tmp.dir, 'nyu_test.txt'), rgbRoot: path.join(tmp.dir, 'test') });
    expect(ds.length).toBe(3);
    expect(ds.ids).toEqual(['/bathroom/rgb_00045.jpg', 'bathroom/rgb_00046.png', 'bathroom/rgb_00047.png']);
    const s = await ds.get(0);
    expect([s.width, s.height]).toEqual([W, H]);
    for (let i = 0; i < W * H; i++) expect(Math.abs(s.depth[i] - depth0[i] / 1000)).toBeLessThan(1e-6);
    expect(s.depth[5]).toBe(0); // patternU16 leaves index 5 invalid
    expect(s.intrinsics!.fx).toBeCloseTo((518.8579 * W) / 640, 6);
  });

  test('size mismatch and missing files name the files and the list line', async () => {
    const ds = await nyuBts({ listFile: path.join(tmp.dir, 'nyu_test.txt'), rgbRoot: path.join(tmp.dir, 'test') });
    const e1 = await ds.get(1).catch((e) => e);
    expect(e1.code).toBe('SHAPE_MISMATCH');
    expect(e1.message).toMatch(/depth map 15x21 to match RGB 15x20/);
    expect(e1.message).toContain('nyu_test.txt line 3');
    const e2 = await ds.get(2).catch((e) => e);
    expect(e2.code).toBe('FILE_NOT_FOUND');
    expect(e2.message).toContain('rgb_00047.png');
    expect(e2.message).toContain('line 4');
    const report = await ds.validate({ throwOnProblem: false });
    expect(report.problems.map((p) => `${p.line}:${p.kind}`)).toEqual(['3:size-mismatch', '4:missing', '4:missing']);
    await expect(ds.validate()).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(ds.validate({ sizes: false, throwOnProblem: false })).resolves.toMatchObject({ ok: false });
  });

  test('a malformed list is rejected with its line', async () => {
    await expect(nyuBts({ listFile: path.join(tmp.dir, 'bad_list.txt') })).rejects.toThrow(/bad_list\.txt line 1/);
    await expect(nyuBts({ listFile: path.join(tmp.dir, 'none.txt') })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
