/**
 * NYU Depth v2 labeled set (`nyu_depth_v2_labeled.mat`, MATLAB v7.3 = HDF5) read image by image
 * with h5wasm hyperslabs, so the 2.8 GB file is never loaded whole.
 *
 * MATLAB stores arrays column-major; seen from HDF5 (row-major) `images` is [N, 3, W, H] uint8 and
 * `depths` is [N, W, H] float32, so pixel (y, x) of channel c of image n is
 * images[n][c][x][y]. This module transposes to the interleaved H x W x 3 layout of a Sample.
 */
import { promises as fs } from 'fs';
import { DepthblocksError, isHdf5File, loadH5wasm, summariseHdf5Error, type Sample, z } from '@depthblocks/core';
import { checkIndex, iterateWithPolicy, sanitizeDepth, type BaseDatasetOptions, type Dataset, type ValidationReport } from './dataset';
import { NYU_LABELED_TEST_INDICES, NYU_LABELED_TRAIN_INDICES } from './nyu-split';
import { NYU_INTRINSICS_640x480 } from './synthetic/scene';
import { registerDataset } from './registry';

/** Options of {@link nyuLabeled}. */
export interface NyuLabeledOptions extends BaseDatasetOptions {
  /** Path of `nyu_depth_v2_labeled.mat`. */
  path: string;
  /** Official split: 'train' (795), 'test' (654) or 'all' (every image in file order). Default 'test'. */
  split?: 'train' | 'test' | 'all';
  /** 1-based indices to use instead of a split (MATLAB numbering). */
  indices?: readonly number[];
  /** Which depth to read: the in-painted `depths` (default) or `rawDepths` (0 = no reading). */
  depth?: 'depths' | 'rawDepths';
}

function errorText(err: unknown): string {
  return summariseHdf5Error(err); // HDF5's diagnostic pages, shortened to their first and last frames
}

/** Minimal view of the h5wasm objects used here. */
interface H5Dataset {
  shape: number[];
  dtype: unknown;
  slice(ranges: Array<[number, number] | []>): ArrayLike<number>;
}
interface H5File {
  get(path: string): H5Dataset | null | undefined;
  keys(): string[];
  close(): void;
}

/** A Dataset over the NYU labeled .mat; call `close()` when done. */
export interface NyuLabeledDataset extends Dataset {
  /** The 1-based .mat indices in dataset order. */
  readonly indices: readonly number[];
  readonly skipped: number;
  validate(): Promise<ValidationReport>;
  close(): Promise<void>;
}

/**
 * Opens the NYU Depth v2 labeled set. Each sample is 480x640 (for the real file) with depth in
 * metres and the NYU RGB camera intrinsics; ids are `nyu_labeled/<1-based index>`.
 *
 * @example
 * const test = await nyuLabeled({ path: 'data/nyu_depth_v2_labeled.mat', split: 'test' });
 * const s = await test.get(0); // s.width === 640, s.height === 480
 * await test.close();
 */
export async function nyuLabeled(options: NyuLabeledOptions): Promise<NyuLabeledDataset> {
  const { path } = options;
  const depthKey = options.depth ?? 'depths';
  const onError = options.onError ?? 'throw';
  try {
    await fs.access(path);
  } catch {
    throw new DepthblocksError(
      'FILE_NOT_FOUND',
      `NYU labeled file not found: ${path}. Download nyu_depth_v2_labeled.mat (2.8 GB) and pass its path.`,
      { path },
    );
  }
  if (!isHdf5File(path)) {
    throw new DepthblocksError(
      'CORRUPT_FILE',
      `${path} is not an HDF5 file (MATLAB v7.3 .mat): no HDF5 signature at offset 0 or after a userblock. ` +
        `Older .mat versions (v5/v7) are not supported; use the original nyu_depth_v2_labeled.mat.`,
      { path },
    );
  }
  const h5 = await loadH5wasm();
  let file: H5File;
  try {
    file = new h5.File(path, 'r') as H5File;
    file.keys();
  } catch (err) {
    throw new DepthblocksError(
      'CORRUPT_FILE',
      `Could not open ${path} as HDF5 (MATLAB v7.3): ${errorText(err)}. Is it a complete .mat file?`,
      { path },
    );
  }
  const fail = (msg: string): never => {
    file.close();
    throw new DepthblocksError('CORRUPT_FILE', `${path}: ${msg}`, { path });
  };
  const keys = file.keys();
  if (!keys.includes('images') || !keys.includes(depthKey)) {
    fail(`expected datasets 'images' and '${depthKey}', found [${keys.join(', ')}]; is this nyu_depth_v2_labeled.mat?`);
  }
  const images = file.get('images') as H5Dataset;
  const depths = file.get(depthKey) as H5Dataset;
  const is = images.shape;
  const ds = depths.shape;
  if (is.length !== 4 || is[1] !== 3) fail(`'images' must be [N, 3, W, H] as MATLAB stores it, got [${is.join(', ')}]`);
  if (ds.length !== 3 || ds[0] !== is[0] || ds[1] !== is[2] || ds[2] !== is[3]) {
    fail(`'${depthKey}' must be [N, W, H] = [${is[0]}, ${is[2]}, ${is[3]}] to match 'images', got [${ds.join(', ')}]`);
  }
  const [n, , width, height] = is;

  let indices: readonly number[];
  if (options.indices) indices = options.indices;
  else if ((options.split ?? 'test') === 'all') indices = Array.from({ length: n }, (_, i) => i + 1);
  else {
    indices = options.split === 'train' ? NYU_LABELED_TRAIN_INDICES : NYU_LABELED_TEST_INDICES;
    if (n !== 1449) {
      fail(
        `the official ${options.split ?? 'test'} split needs the full labeled set of 1449 images, this file has ${n}; pass split: 'all' or explicit indices`,
      );
    }
  }
  for (const k of indices) {
    if (!Number.isInteger(k) || k < 1 || k > n) {
      fail(`index ${k} is outside 1..${n} (indices are 1-based, as in MATLAB)`);
    }
  }

  const name = `nyu-labeled(${options.indices ? 'custom' : (options.split ?? 'test')})`;
  const plane = width * height;
  let closed = false;
  let skipped = 0;
  const get = async (i: number): Promise<Sample> => {
    checkIndex(i, indices.length, name);
    if (closed) throw new DepthblocksError('INVALID_ARGUMENT', `${name}: the dataset was closed`);
    const k = indices[i] - 1;
    let img: ArrayLike<number>;
    let dep: ArrayLike<number>;
    try {
      img = images.slice([[k, k + 1]]);
      dep = depths.slice([[k, k + 1]]);
    } catch (err) {
      throw new DepthblocksError('CORRUPT_FILE', `Could not read image ${k + 1} from ${path}: ${errorText(err)}`, { path, index: k + 1 });
    }
    if (img.length !== 3 * plane || dep.length !== plane) {
      throw new DepthblocksError(
        'CORRUPT_FILE',
        `Image ${k + 1} of ${path} has ${img.length}/${dep.length} values, expected ${3 * plane}/${plane}`,
        { path },
      );
    }
    const rgb = new Uint8Array(plane * 3);
    const depth = new Float32Array(plane);
    for (let x = 0; x < width; x++) {
      const col = x * height;
      for (let y = 0; y < height; y++) {
        const o = y * width + x;
        rgb[o * 3] = img[col + y];
        rgb[o * 3 + 1] = img[plane + col + y];
        rgb[o * 3 + 2] = img[2 * plane + col + y];
        depth[o] = dep[col + y];
      }
    }
    sanitizeDepth(depth);
    const ax = width / 640;
    const ay = height / 480;
    return {
      id: `nyu_labeled/${k + 1}`,
      rgb,
      depth,
      width,
      height,
      intrinsics: {
        fx: NYU_INTRINSICS_640x480.fx * ax,
        fy: NYU_INTRINSICS_640x480.fy * ay,
        cx: (NYU_INTRINSICS_640x480.cx + 0.5) * ax - 0.5,
        cy: (NYU_INTRINSICS_640x480.cy + 0.5) * ay - 0.5,
      },
    };
  };
  const dataset: NyuLabeledDataset = {
    name,
    length: indices.length,
    indices,
    ids: indices.map((k) => `nyu_labeled/${k}`),
    get,
    get skipped() {
      return skipped;
    },
    [Symbol.asyncIterator]: () =>
      iterateWithPolicy({ length: indices.length, get }, onError, () => {
        skipped++;
      }),
    async validate(): Promise<ValidationReport> {
      // One file whose shapes were checked on open; indices were range-checked too.
      return { ok: true, checked: indices.length, problems: [] };
    },
    async close() {
      if (!closed) {
        closed = true;
        file.close();
      }
    },
  };
  return dataset;
}

registerDataset('nyu-labeled', (o: Omit<NyuLabeledOptions, 'onError'>, c) => nyuLabeled({ ...o, onError: c.onError }), {
  description: 'NYU Depth v2 labeled set (nyu_depth_v2_labeled.mat, MATLAB v7.3 / HDF5), official 795/654 split',
  options: z.strictObject({
    path: z.string(),
    split: z.enum(['train', 'test', 'all']).optional(),
    indices: z.array(z.number().int().nonnegative()).optional(),
    depth: z.enum(['depths', 'rawDepths']).optional(),
  }),
});
