/**
 * KITTI with the Eigen split, in either common list format:
 * - BTS: `<date>/<drive>_sync/image_02/data/<frame>.png <drive>_sync/proj_depth/groundtruth/image_02/<frame>.png <focal>`
 *   (depth `None` where KITTI has no annotated ground truth);
 * - monodepth2: `<date>/<drive>_sync <frame> <l|r>`.
 * Depth PNGs are 16-bit, metres = v / 256, 0 = invalid. Intrinsics come from the drive's
 * calib_cam_to_cam.txt (P_rect_02 / P_rect_03), else from the list's focal.
 */
import { promises as fs } from 'fs';
import * as nodePath from 'path';
import { DepthblocksError, type Intrinsics, z } from '@depthblocks/core';
import { parseListText, type BaseDatasetOptions } from './dataset';
import { readListFile } from './file-list-dataset';
import { kittiIntrinsics, parseKittiCalib } from './kitti-calib';
import { parseRgbDepthFocalList } from './nyu-bts';
import { RgbdListDataset, type RgbdEntry } from './rgbd-list';
import { kbCropSample } from './transforms';
import { registerDataset } from './registry';

/** The two list formats. */
export type KittiListFormat = 'rgb-depth-focal' | 'date-drive-frame';

/** Options of {@link kittiEigen}. */
export interface KittiOptions extends BaseDatasetOptions {
  /** The split file (e.g. `eigen_test_files_with_gt.txt` or monodepth2's `test_files.txt`). */
  listFile: string;
  /** KITTI raw root holding `<date>/<drive>_sync/image_0X/data/` and `<date>/calib_cam_to_cam.txt`. */
  rgbRoot: string;
  /**
   * Root of the annotated depth: `<drive>_sync/proj_depth/groundtruth/...` (default `rgbRoot`). KITTI ships
   * the annotated depth in `train/` and `val/` folders: pass both and each file is taken from the first root
   * that has it.
   */
  depthRoot?: string | string[];
  /** List format; default: detected from the first line. */
  format?: KittiListFormat | 'auto';
  /** Crop every sample to the bottom-centre 352x1216 window (BTS/AdaBins "KB crop"). Default false. */
  kbCrop?: boolean;
  /** Rows with depth `None` (BTS format): 'drop' them (default) or keep them with all-invalid depth ('empty'). */
  missingDepth?: 'drop' | 'empty';
  /** Image extension for the monodepth2 format (default '.png'; monodepth2 users often convert to '.jpg'). */
  imageExt?: string;
  /** Read intrinsics from calib_cam_to_cam.txt when present (default true). */
  calib?: boolean;
  /** Metres per stored unit (default 1/256). Given explicitly, 8-bit depth PNGs are accepted. */
  depthScale?: number;
  /** Receives warnings about implausible depth maps (largest value outside 1-120 m; default console.warn). */
  onWarning?: (message: string) => void;
}

/** KITTI's LiDAR depth: a map whose largest value is under 1 m or over 120 m has the wrong unit or scale. */
export const KITTI_PLAUSIBLE_MAX: [number, number] = [1, 120];

/** A KITTI dataset: also says how many `None` rows were dropped. */
export interface KittiDataset extends RgbdListDataset {
  readonly dropped: number;
}

/** Re-roots each depth path (parsed against the first root) onto the first root where the file exists. */
async function pickDepthRoots(entries: RgbdEntry[], roots: string[]): Promise<void> {
  await Promise.all(
    entries.map(async (e) => {
      if (!e.depthPath) return;
      const rel = nodePath.relative(roots[0], e.depthPath);
      for (const root of roots) {
        const candidate = nodePath.join(root, rel);
        try {
          await fs.access(candidate);
          e.depthPath = candidate;
          return;
        } catch {
          // try the next root
        }
      }
    }),
  );
}

/** Detects the list format from its first record. */
export function detectKittiListFormat(firstFields: string[]): KittiListFormat {
  if (firstFields.length === 3 && /^[lr]$/.test(firstFields[2]) && !/\.(png|jpe?g)$/i.test(firstFields[0])) return 'date-drive-frame';
  return 'rgb-depth-focal';
}

/**
 * Parses monodepth2 lines `<date>/<drive> <frame> <l|r>` into entries (frame zero-padded to 10 digits,
 * l -> image_02, r -> image_03).
 */
export function parseDateDriveFrameList(
  text: string,
  listFile: string,
  rgbRoot: string,
  depthRoot: string,
  imageExt = '.png',
): RgbdEntry[] {
  return parseListText(text).map(({ line, fields }) => {
    const [folder, frameStr, side] = fields;
    const parts = (folder ?? '').split('/').filter(Boolean);
    if (fields.length !== 3 || parts.length !== 2 || !/^\d+$/.test(frameStr) || (side !== 'l' && side !== 'r')) {
      throw new DepthblocksError(
        'INVALID_DATA',
        `Expected '<date>/<drive> <frame> <l|r>' at ${listFile} line ${line}, got '${fields.join(' ')}'`,
        { listFile, line },
      );
    }
    const [date, drive] = parts;
    const frame = frameStr.padStart(10, '0');
    const cam = side === 'l' ? 'image_02' : 'image_03';
    return {
      id: `${date}/${drive} ${frame} ${side}`,
      line,
      listFile,
      rgbPath: nodePath.join(rgbRoot, date, drive, cam, 'data', frame + imageExt),
      depthPath: nodePath.join(depthRoot, drive, 'proj_depth', 'groundtruth', cam, frame + '.png'),
    };
  });
}

/**
 * Opens a KITTI Eigen-split list. Samples are 375x1242-ish (352x1216 with `kbCrop`), depth in metres.
 *
 * @example
 * const test = await kittiEigen({ listFile: 'eigen_test_files_with_gt.txt', rgbRoot: 'kitti_raw', depthRoot: 'kitti_gt', kbCrop: true });
 * console.log(test.length, test.dropped); // 652 45
 */
export async function kittiEigen(options: KittiOptions): Promise<KittiDataset> {
  const text = await readListFile(options.listFile);
  const rgbRoot = options.rgbRoot;
  const depthRoots =
    options.depthRoot === undefined ? [rgbRoot] : Array.isArray(options.depthRoot) ? options.depthRoot : [options.depthRoot];
  if (depthRoots.length === 0)
    throw new DepthblocksError('INVALID_ARGUMENT', 'kittiEigen: depthRoot is an empty list; give at least one folder');
  const depthRoot = depthRoots[0];
  const first = parseListText(text)[0];
  if (!first) throw new DepthblocksError('INVALID_DATA', `KITTI list ${options.listFile} is empty`);
  const format = !options.format || options.format === 'auto' ? detectKittiListFormat(first.fields) : options.format;
  let entries: RgbdEntry[] =
    format === 'date-drive-frame'
      ? parseDateDriveFrameList(text, options.listFile, rgbRoot, depthRoot, options.imageExt ?? '.png')
      : parseRgbDepthFocalList(text, options.listFile, rgbRoot, depthRoot);
  const before = entries.length;
  if ((options.missingDepth ?? 'drop') === 'drop') entries = entries.filter((e) => e.depthPath !== undefined);
  const dropped = before - entries.length;
  if (depthRoots.length > 1) await pickDepthRoots(entries, depthRoots);

  const calibCache = new Map<string, Promise<ReturnType<typeof parseKittiCalib> | null>>();
  const calibFor = (date: string): Promise<ReturnType<typeof parseKittiCalib> | null> => {
    let p = calibCache.get(date);
    if (!p) {
      const file = nodePath.join(rgbRoot, date, 'calib_cam_to_cam.txt');
      p = fs.readFile(file, 'utf8').then(parseKittiCalib, () => null);
      calibCache.set(date, p);
    }
    return p;
  };
  const useCalib = options.calib ?? true;

  const ds = new RgbdListDataset(entries, {
    name: `kitti(${nodePath.basename(options.listFile)})`,
    depthScale: options.depthScale ?? 1 / 256,
    requireBitDepth: options.depthScale === undefined ? 16 : undefined,
    plausibleMax: KITTI_PLAUSIBLE_MAX,
    onWarning: options.onWarning,
    onError: options.onError,
    intrinsics: async (e, w, h): Promise<Intrinsics | undefined> => {
      const rel = nodePath.relative(rgbRoot, e.rgbPath).split(nodePath.sep);
      const camera = rel.includes('image_03') ? 3 : 2;
      if (useCalib && rel.length > 1) {
        const calib = await calibFor(rel[0]);
        if (calib && calib[`P_rect_0${camera}`]) {
          const k = kittiIntrinsics(calib, camera, nodePath.join(rgbRoot, rel[0], 'calib_cam_to_cam.txt'));
          return { fx: k.fx, fy: k.fy, cx: k.cx, cy: k.cy };
        }
      }
      if (e.focal) return { fx: e.focal, fy: e.focal, cx: w / 2, cy: h / 2 };
      return undefined;
    },
    post: options.kbCrop ? kbCropSample : undefined,
  });
  return Object.assign(ds, { dropped }) as KittiDataset;
}

registerDataset(
  'kitti',
  (o: Omit<KittiOptions, 'onError' | 'onWarning'>, c) => kittiEigen({ ...o, onError: c.onError, onWarning: c.onWarning }),
  {
    description: 'KITTI (Eigen split lists): RGB PNGs and 16-bit projected depth PNGs (metres = v / 256)',
    options: z.strictObject({
      listFile: z.string(),
      rgbRoot: z.string(),
      depthRoot: z.union([z.string(), z.array(z.string())]).optional(),
      format: z.enum(['auto', 'rgb-depth-focal', 'date-drive-frame']).optional(),
      kbCrop: z.boolean().optional(),
      /** Metres per stored unit (default 1/256); given explicitly, 8-bit depth PNGs are accepted. */
      depthScale: z.number().positive().optional(),
    }),
  },
);

/**
 * Reads `calib_cam_to_cam.txt` and returns the intrinsics of camera 2 or 3.
 *
 * @example
 * const k = await readKittiIntrinsics('kitti/2011_09_26/calib_cam_to_cam.txt', 2);
 */
export async function readKittiIntrinsics(path: string, camera: 2 | 3): Promise<Intrinsics & { offsetX: number }> {
  return kittiIntrinsics(parseKittiCalib(await readListFile(path, 'KITTI calib file')), camera, path);
}
