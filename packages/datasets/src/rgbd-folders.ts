/**
 * Two folders, RGB images and depth PNGs, paired by file name without the extension (`rgb/0001.jpg` with
 * `depth/0001.png`): the simplest layout for evaluating on your own data (`depthblocks eval --rgb --depth`).
 */
import { promises as fs } from 'fs';
import * as nodePath from 'path';
import { DepthblocksError, z } from '@depthblocks/core';
import type { BaseDatasetOptions } from './dataset';
import { KITTI_PLAUSIBLE_MAX } from './kitti';
import { NYU_PLAUSIBLE_MAX } from './nyu-bts';
import { registerDataset } from './registry';
import { RgbdListDataset, type RgbdEntry } from './rgbd-list';

const RGB = /\.(png|jpe?g|webp)$/i;

/** Options of {@link rgbdFolders}. */
export interface RgbdFoldersOptions extends BaseDatasetOptions {
  rgbDir: string;
  depthDir: string;
  /** Metres per depth PNG unit (1/1000 for millimetres, 1/256 for KITTI-style). */
  depthScale: number;
  /** Depth PNGs must be 16-bit (default true: an 8-bit one is an error, not silently read with the 16-bit scale). */
  require16Bit?: boolean;
  /** [lo, hi] metres: warn when a map's largest valid depth falls outside. */
  plausibleMax?: [number, number];
  onWarning?: (message: string) => void;
}

const stem = (f: string): string => f.replace(/\.[^.]+$/, '');

/**
 * Pairs `rgbDir/<name>.(png|jpg|webp)` with `depthDir/<name>.png`. Files without a partner are an error that
 * lists them (with `onError: 'skip'` they are left out instead).
 *
 * @example
 * const ds = await rgbdFolders({ rgbDir: 'mine/rgb', depthDir: 'mine/depth', depthScale: 1 / 1000 });
 */
export async function rgbdFolders(options: RgbdFoldersOptions): Promise<RgbdListDataset> {
  const list = async (dir: string, what: string): Promise<string[]> => {
    try {
      return (await fs.readdir(dir)).sort();
    } catch {
      throw new DepthblocksError('FILE_NOT_FOUND', `${what} folder not found: ${dir}`, { path: dir });
    }
  };
  const rgbFiles = (await list(options.rgbDir, 'RGB')).filter((f) => RGB.test(f));
  const depthFiles = (await list(options.depthDir, 'depth')).filter((f) => /\.png$/i.test(f));
  const depthByStem = new Map(depthFiles.map((f) => [stem(f), f]));
  const rgbStems = new Set(rgbFiles.map(stem));
  const entries: RgbdEntry[] = [];
  const unpaired: string[] = [];
  for (const f of rgbFiles) {
    const d = depthByStem.get(stem(f));
    if (d) entries.push({ id: stem(f), rgbPath: nodePath.join(options.rgbDir, f), depthPath: nodePath.join(options.depthDir, d) });
    else unpaired.push(nodePath.join(options.rgbDir, f));
  }
  for (const f of depthFiles) if (!rgbStems.has(stem(f))) unpaired.push(nodePath.join(options.depthDir, f));
  if (entries.length === 0) {
    throw new DepthblocksError(
      'INVALID_DATA',
      `No RGB/depth pairs in ${options.rgbDir} and ${options.depthDir}: files pair by name without extension (rgb/0001.jpg with depth/0001.png)`,
    );
  }
  if (unpaired.length && (options.onError ?? 'throw') !== 'skip') {
    throw new DepthblocksError(
      'INVALID_DATA',
      `${unpaired.length} file(s) have no partner: ${unpaired.slice(0, 5).join(', ')}${unpaired.length > 5 ? ', ...' : ''}. ` +
        'Files pair by name without extension; remove them, or skip them (onError: skip, CLI --on-error skip)',
      { unpaired },
    );
  }
  return new RgbdListDataset(entries, {
    name: `folders(${options.rgbDir}, ${options.depthDir})`,
    depthScale: options.depthScale,
    requireBitDepth: options.require16Bit === false ? undefined : 16,
    plausibleMax: options.plausibleMax,
    onWarning: options.onWarning,
    onError: options.onError,
  });
}

/** The options of a `folders` data spec (what `depthblocks eval --rgb DIR --depth DIR` writes). */
export const foldersSpecSchema = z.strictObject({
  rgbDir: z.string(),
  depthDir: z.string(),
  /** Metres per depth PNG unit (default: 1/1000 for NYU-like data, 1/256 for KITTI); given, 8-bit PNGs are accepted. */
  depthScale: z.number().positive().optional(),
  /** Which dataset the depth looks like: sets the default scale and the plausible range (default nyu). */
  dataset: z.enum(['nyu', 'kitti']).optional(),
});

registerDataset(
  'folders',
  (o: z.infer<typeof foldersSpecSchema>, c) =>
    rgbdFolders({
      rgbDir: o.rgbDir,
      depthDir: o.depthDir,
      depthScale: o.depthScale ?? (o.dataset === 'kitti' ? 1 / 256 : 1 / 1000),
      require16Bit: o.depthScale === undefined,
      plausibleMax: o.dataset === 'kitti' ? KITTI_PLAUSIBLE_MAX : NYU_PLAUSIBLE_MAX,
      onError: c.onError,
      onWarning: c.onWarning,
    }),
  {
    description: 'two folders, RGB images and 16-bit depth PNGs, paired by file name (mm, or 1/256 m with dataset: kitti)',
    options: foldersSpecSchema,
  },
);
