/**
 * A dataset of RGB + 16-bit depth PNG pairs on disk, described by entries parsed from a list file.
 * NYU BTS-style folders and KITTI both use it; they differ in how entries and intrinsics are made.
 */
import { DepthblocksError, type Intrinsics, type Sample } from '@depthblocks/core';
import { checkSameSize, sanitizeDepth, type BaseDatasetOptions, type FileEntry } from './dataset';
import { FileListDataset } from './file-list-dataset';
import { decodeDepthPng, decodeRgb, readFileBytes } from './image-io-node';

/** One RGB-D pair on disk. `depthPath` may be absent (e.g. KITTI rows whose depth is `None`): depth is then all 0. */
export interface RgbdEntry extends FileEntry {
  rgbPath: string;
  depthPath?: string;
  /** Focal length from the list file, if given. */
  focal?: number;
}

/** How a list dataset turns files into a sample. */
export interface RgbdListConfig extends BaseDatasetOptions {
  name: string;
  /** Metres per stored depth unit (1/1000 for mm PNGs, 1/256 for KITTI). */
  depthScale: number;
  /** Intrinsics for an entry, given the decoded image size. */
  intrinsics?: (entry: RgbdEntry, width: number, height: number) => Promise<Intrinsics | undefined> | Intrinsics | undefined;
  /** Applied to each decoded sample (e.g. the KITTI KB crop). */
  post?: (sample: Sample) => Sample;
  /**
   * The format's depth PNGs are 16-bit by definition: an 8-bit one is rejected (INVALID_DATA), since reading
   * it with the 16-bit scale gives nonsense (an 8-bit PNG in millimetres tops out at 0.255 m). Leave unset
   * when the caller gave `depthScale` explicitly for its own files.
   */
  requireBitDepth?: 16;
  /** [lo, hi] metres: warn when a depth map's largest valid value falls outside (NYU: [0.5, 20]). */
  plausibleMax?: [number, number];
  /** Receives warnings about implausible depth maps (default console.warn). */
  onWarning?: (message: string) => void;
}

/**
 * The list-of-files RGB-D dataset behind {@link nyuBts} and {@link kittiEigen}.
 *
 * @example
 * const ds = new RgbdListDataset([{ id: 'a', rgbPath: 'a.jpg', depthPath: 'a.png' }], { name: 'mine', depthScale: 1 / 1000 });
 */
export class RgbdListDataset extends FileListDataset {
  readonly name: string;
  private readonly config: RgbdListConfig;

  constructor(entries: RgbdEntry[], config: RgbdListConfig) {
    super(entries, config);
    this.name = config.name;
    this.config = config;
  }

  protected async load(fileEntry: FileEntry): Promise<Sample> {
    const entry = fileEntry as RgbdEntry;
    const rgbP = readFileBytes(entry.rgbPath, 'RGB image').then((b) => decodeRgb(b, entry.rgbPath));
    const depthP = entry.depthPath
      ? readFileBytes(entry.depthPath, 'depth image').then((b) => decodeDepthPng(b, this.config.depthScale, entry.depthPath))
      : null;
    // Settle both so a failure of one never leaves the other's rejection unhandled.
    const [rgbR, depthR] = await Promise.allSettled([rgbP, depthP]);
    if (rgbR.status === 'rejected') throw rgbR.reason;
    if (depthR.status === 'rejected') throw depthR.reason;
    const rgb = rgbR.value;
    const d = depthR.value;
    let depth: Float32Array;
    if (d) {
      if (this.config.requireBitDepth === 16 && d.bitDepth !== 16) {
        throw new DepthblocksError(
          'INVALID_DATA',
          `Depth PNG ${entry.depthPath} is ${d.bitDepth}-bit, but ${this.name} depth maps are 16-bit ` +
            `(metres = value * ${this.config.depthScale}); read so, its largest value would be ${(255 * this.config.depthScale).toFixed(3)} m. ` +
            'Convert it to 16-bit, or give depthScale (metres per unit, e.g. 10/255) explicitly if 8-bit is meant.',
          { path: entry.depthPath, bitDepth: d.bitDepth },
        );
      }
      checkSameSize(rgb, d, entry.rgbPath, entry.depthPath!);
      depth = sanitizeDepth(d.depth);
      if (this.config.plausibleMax) checkPlausible(depth, this.config.plausibleMax, this.name, entry.depthPath!, this.config.onWarning);
    } else depth = new Float32Array(rgb.width * rgb.height);
    const sample: Sample = { id: entry.id, rgb: rgb.data, depth, width: rgb.width, height: rgb.height };
    const k = this.config.intrinsics ? await this.config.intrinsics(entry, rgb.width, rgb.height) : undefined;
    if (k) sample.intrinsics = k;
    return this.config.post ? this.config.post(sample) : sample;
  }
}

/**
 * Warns (once per file) when a depth map's largest valid value is outside `[lo, hi]` metres: a sign of the
 * wrong unit or scale (e.g. an 8-bit PNG read as millimetres, or centimetres read as millimetres).
 *
 * @example
 * checkPlausible(depth, [0.5, 20], 'nyu', 'a.png'); // warns if max(depth) < 0.5 m or > 20 m
 */
export function checkPlausible(
  depth: Float32Array,
  [lo, hi]: [number, number],
  dataset: string,
  file: string,
  onWarning: (message: string) => void = (m) => console.warn(m),
): boolean {
  let max = 0;
  for (let i = 0; i < depth.length; i++) if (depth[i] > max) max = depth[i];
  if (max === 0 || (max >= lo && max <= hi)) return true;
  onWarning(
    `${file}: largest depth ${max.toFixed(3)} m is outside the plausible ${lo}-${hi} m for ${dataset}; check the depth unit and scale`,
  );
  return false;
}
