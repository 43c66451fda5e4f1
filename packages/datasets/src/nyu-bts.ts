/**
 * NYU Depth v2 in BTS-style folders: a list file of `rgb_path depth_path focal` lines (focal 518.8579),
 * RGB JPEG/PNG and 16-bit depth PNGs in millimetres.
 */
import * as nodePath from 'path';
import { DepthblocksError, z } from '@depthblocks/core';
import { parseListText, type BaseDatasetOptions } from './dataset';
import { readListFile } from './file-list-dataset';
import { RgbdListDataset, type RgbdEntry } from './rgbd-list';
import { NYU_INTRINSICS_640x480 } from './synthetic/scene';
import { registerDataset } from './registry';

/** NYU's Kinect depth: a map whose largest value is under 0.5 m or over 20 m has the wrong unit or scale. */
export const NYU_PLAUSIBLE_MAX: [number, number] = [0.5, 20];

/** Options of {@link nyuBts}. */
export interface NyuBtsOptions extends BaseDatasetOptions {
  /** The list file (e.g. `nyudepthv2_test_files_with_gt.txt`). */
  listFile: string;
  /** Folder the RGB paths are relative to (default: the list file's folder). */
  rgbRoot?: string;
  /** Folder the depth paths are relative to (default: `rgbRoot`). */
  depthRoot?: string;
  /** Metres per stored unit (default 1/1000: millimetres). Given explicitly, 8-bit depth PNGs are accepted. */
  depthScale?: number;
  /** Receives warnings about implausible depth maps (largest value outside 0.5-20 m; default console.warn). */
  onWarning?: (message: string) => void;
}

/**
 * Parses `rgb depth [focal]` lines into entries; rows whose depth is `None` get no depth path.
 * Relative paths are joined to the roots (a leading '/' in a list path is treated as relative, as BTS does).
 */
export function parseRgbDepthFocalList(text: string, listFile: string, rgbRoot: string, depthRoot: string): RgbdEntry[] {
  return parseListText(text).map(({ line, fields }) => {
    if (fields.length < 2) {
      throw new DepthblocksError(
        'INVALID_DATA',
        `Expected 'rgb_path depth_path [focal]' at ${listFile} line ${line}, got '${fields.join(' ')}'`,
        { listFile, line },
      );
    }
    const [rgbRel, depthRel, focalStr] = fields;
    let focal: number | undefined;
    if (focalStr !== undefined) {
      focal = Number(focalStr);
      if (!(focal > 0))
        throw new DepthblocksError('INVALID_DATA', `Bad focal '${focalStr}' at ${listFile} line ${line}: expected a positive number`, {
          listFile,
          line,
        });
    }
    const strip = (p: string): string => p.replace(/^\/+/, '');
    const entry: RgbdEntry = { id: rgbRel, line, listFile, rgbPath: nodePath.join(rgbRoot, strip(rgbRel)) };
    if (depthRel !== 'None') entry.depthPath = nodePath.join(depthRoot, strip(depthRel));
    if (focal !== undefined) entry.focal = focal;
    return entry;
  });
}

/**
 * NYU Depth v2 from BTS-style folders. Intrinsics: fx = fy = the list's focal (scaled if the image
 * is not 640 wide), principal point from the NYU calibration scaled to the image size.
 *
 * @example
 * const test = await nyuBts({ listFile: 'nyudepthv2_test_files_with_gt.txt', rgbRoot: 'nyu/official_splits/test' });
 * await test.validate();
 * const s = await test.get(0);
 */
export async function nyuBts(options: NyuBtsOptions): Promise<RgbdListDataset> {
  const text = await readListFile(options.listFile);
  const rgbRoot = options.rgbRoot ?? nodePath.dirname(options.listFile);
  const depthRoot = options.depthRoot ?? rgbRoot;
  const entries = parseRgbDepthFocalList(text, options.listFile, rgbRoot, depthRoot);
  const missing = entries.find((e) => !e.depthPath);
  if (missing) {
    throw new DepthblocksError(
      'INVALID_DATA',
      `NYU list ${options.listFile} line ${missing.line} has depth 'None'; every NYU row needs a depth PNG`,
      {
        line: missing.line,
      },
    );
  }
  return new RgbdListDataset(entries, {
    name: `nyu-bts(${nodePath.basename(options.listFile)})`,
    depthScale: options.depthScale ?? 1 / 1000,
    requireBitDepth: options.depthScale === undefined ? 16 : undefined,
    plausibleMax: NYU_PLAUSIBLE_MAX,
    onWarning: options.onWarning,
    onError: options.onError,
    intrinsics: (e, w, h) => {
      const ax = w / 640;
      const ay = h / 480;
      const f = e.focal ?? NYU_INTRINSICS_640x480.fx;
      return { fx: f * ax, fy: f * ay, cx: (NYU_INTRINSICS_640x480.cx + 0.5) * ax - 0.5, cy: (NYU_INTRINSICS_640x480.cy + 0.5) * ay - 0.5 };
    },
  });
}

registerDataset(
  'nyu-bts',
  (o: Omit<NyuBtsOptions, 'onError' | 'onWarning'>, c) => nyuBts({ ...o, onError: c.onError, onWarning: c.onWarning }),
  {
    description: 'BTS-style NYU folders: a list file of "rgb depth focal" lines, 16-bit depth PNGs in mm',
    options: z.strictObject({
      listFile: z.string(),
      rgbRoot: z.string().optional(),
      depthRoot: z.string().optional(),
      depthScale: z.number().positive().optional(),
    }),
  },
);
