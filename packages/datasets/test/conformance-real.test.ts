/**
 * Conformance on real files (NYU, KITTI) in ../shared/data/real, when that folder exists beside the
 * project. Without it every test here is skipped, and a warning says so.
 */
import * as path from 'path';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { decodeDepthPng, decodeRgb } from '../src/image-io-node';
import { kittiEigen, readKittiIntrinsics } from '../src/kitti';
import { nyuBts } from '../src/nyu-bts';
import { NYU_LABELED_TEST_INDICES, NYU_LABELED_TRAIN_INDICES } from '../src/nyu-split';
import { decodeGreyPngReference, makeTempDir } from './helpers';

const REAL = path.resolve(__dirname, '../../../../shared/data/real');
const HAVE_REAL = existsSync(path.join(REAL, 'README.md'));
if (!HAVE_REAL) {
  console.warn(`[@depthblocks/datasets] real-data conformance tests SKIPPED: ${REAL} not found`);
}
const realTest = HAVE_REAL ? test : test.skip;

const DRIVE = '2011_09_26_drive_0023_sync';
const KITTI_RAW = path.join(REAL, 'kitti', 'raw');

describe('conformance on real NYU / KITTI files', () => {
  const tmp = makeTempDir();
  afterAll(() => tmp.cleanup());

  realTest('NYU frame: 16-bit mm depth decodes exactly as an independent PNG decoder says; sizes and range as NYU', async () => {
    const list = path.join(tmp.dir, 'nyu_list.txt');
    writeFileSync(list, 'bookstore_0001d_00001.jpg bookstore_0001d_00001.png 518.8579\n');
    const ds = await nyuBts({ listFile: list, rgbRoot: path.join(REAL, 'nyu') });
    await expect(ds.validate()).resolves.toMatchObject({ ok: true });
    const s = await ds.get(0);
    expect([s.width, s.height]).toEqual([160, 120]);
    const ref = decodeGreyPngReference(readFileSync(path.join(REAL, 'nyu', 'bookstore_0001d_00001.png')));
    expect(ref.bitDepth).toBe(16);
    let valid = 0;
    let mismatches = 0;
    for (let i = 0; i < ref.data.length; i++) {
      if (Math.abs(s.depth[i] - ref.data[i] / 1000) > 1e-6) mismatches++;
      if (s.depth[i] > 0) {
        valid++;
        expect(s.depth[i]).toBeLessThan(10.5);
      }
    }
    expect(mismatches).toBe(0);
    expect(valid / ref.data.length).toBeGreaterThan(0.5);
    // a real photo: colourful, not constant
    const rgb = s.rgb;
    expect(Math.max(...rgb) - Math.min(...rgb)).toBeGreaterThan(100);
  });

  realTest('KITTI raw frames + projected LiDAR: sizes, /256 scale, calib intrinsics, KB crop', async () => {
    const list = path.join(tmp.dir, 'kitti_list.txt');
    const lines = [0, 1, 2, 3].map((k) => {
      const f = String(k).padStart(10, '0');
      return `2011_09_26/${DRIVE}/image_02/data/${f}.png ${DRIVE}/proj_depth/velodyne/image_02/${f}.png 721.5377`;
    });
    writeFileSync(list, lines.join('\n') + '\n');
    const ds = await kittiEigen({ listFile: list, rgbRoot: KITTI_RAW, depthRoot: path.join(KITTI_RAW, '2011_09_26') });
    await expect(ds.validate()).resolves.toMatchObject({ ok: true, checked: 4 });
    const s = await ds.get(0);
    expect([s.width, s.height]).toEqual([1242, 375]);
    const k = await readKittiIntrinsics(path.join(KITTI_RAW, '2011_09_26', 'calib_cam_to_cam.txt'), 2);
    expect(k.fx).toBeCloseTo(721.5377, 4);
    expect(k.cx).toBeCloseTo(609.5593, 4);
    expect(s.intrinsics).toEqual({ fx: k.fx, fy: k.fy, cx: k.cx, cy: k.cy });
    const ref = decodeGreyPngReference(
      readFileSync(path.join(KITTI_RAW, '2011_09_26', DRIVE, 'proj_depth', 'velodyne', 'image_02', '0000000000.png')),
    );
    let mismatches = 0;
    let valid = 0;
    for (let i = 0; i < ref.data.length; i++) {
      if (s.depth[i] !== ref.data[i] / 256) mismatches++;
      if (ref.data[i] > 0) valid++;
    }
    expect(mismatches).toBe(0);
    expect(valid / ref.data.length).toBeGreaterThan(0.01); // sparse LiDAR, ~4 %
    expect(valid / ref.data.length).toBeLessThan(0.1);
    const cropped = await kittiEigen({ listFile: list, rgbRoot: KITTI_RAW, depthRoot: path.join(KITTI_RAW, '2011_09_26'), kbCrop: true });
    const c = await cropped.get(3);
    expect([c.width, c.height]).toEqual([1216, 352]);
    expect(c.intrinsics!.cx).toBeCloseTo(k.cx - 13, 6);
    expect(c.intrinsics!.cy).toBeCloseTo(k.cy - 23, 6);
  });

  realTest('KITTI annotated ground truth: 16-bit / 256, about 21 % dense, 5..85 m', async () => {
    for (const f of ['0000000005.png', '0000000006.png']) {
      const file = path.join(REAL, 'kitti', 'annotated_groundtruth', f);
      const d = await decodeDepthPng(readFileSync(file), 1 / 256, file);
      expect([d.width, d.height, d.bitDepth]).toEqual([1241, 376, 16]);
      let valid = 0;
      let lo = Infinity;
      let hi = 0;
      for (const v of d.depth) {
        if (v > 0) {
          valid++;
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
      expect(valid / d.depth.length).toBeGreaterThan(0.1);
      expect(valid / d.depth.length).toBeLessThan(0.4);
      expect(lo).toBeGreaterThan(1);
      expect(hi).toBeLessThan(90);
    }
    // an RGB frame decodes to 8-bit RGB of the raw size
    const rgbFile = path.join(KITTI_RAW, '2011_09_26', DRIVE, 'image_02', 'data', '0000000001.png');
    const rgb = await decodeRgb(readFileSync(rgbFile), rgbFile);
    expect([rgb.width, rgb.height]).toEqual([1242, 375]);
  });

  realTest(
    'split files: the shipped NYU indices equal the official lists; the KITTI Eigen list parses (697 rows, 45 without depth)',
    async () => {
      const read = (f: string): number[] =>
        readFileSync(path.join(REAL, 'splits', 'nyu', f), 'utf8')
          .split(/\s+/)
          .filter(Boolean)
          .map(Number);
      expect(read('nyu_labeled_train_indices_795_1based.txt')).toEqual(NYU_LABELED_TRAIN_INDICES);
      expect(read('nyu_labeled_test_indices_654_1based.txt')).toEqual(NYU_LABELED_TEST_INDICES);
      const listFile = path.join(REAL, 'splits', 'kitti', 'eigen_test_files_with_gt.txt');
      const text = readFileSync(listFile, 'utf8');
      const rows = text.split(/\r?\n/).filter((l) => l.trim());
      const none = rows.filter((l) => l.split(/\s+/)[1] === 'None').length;
      expect(rows.length).toBe(697);
      const ds = await kittiEigen({ listFile, rgbRoot: path.join(tmp.dir, 'no-kitti-here') });
      expect(ds.length + ds.dropped).toBe(697);
      expect(ds.dropped).toBe(none);
      expect(ds.length).toBe(652);
      // the files themselves are not here: validate says which are missing
      const report = await ds.validate({ throwOnProblem: false, sizes: false });
      expect(report.problems.length).toBe(2 * 652);
      expect(report.problems[0].message).toContain('2011_09_26_drive_0002_sync');
    },
  );
});
