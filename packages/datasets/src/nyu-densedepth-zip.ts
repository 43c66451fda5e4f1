/**
 * DenseDepth's `nyu_data.zip`: CSV lists `data/nyu2_train.csv` / `data/nyu2_test.csv` (no header,
 * `rgb_path,depth_path`) and the images themselves, all read entry by entry from the archive.
 * Depth: 8-bit PNGs (train) are metres = v / 255 * 10; 16-bit PNGs (test) are millimetres.
 */
import { DepthblocksError, type Sample, z } from '@depthblocks/core';
import {
  checkSameSize,
  iterateWithPolicy,
  parseListText,
  sanitizeDepth,
  whereIs,
  withLine,
  checkIndex,
  validationError,
  type BaseDatasetOptions,
  type Dataset,
  type FileEntry,
  type ValidateOptions,
  type ValidationProblem,
  type ValidationReport,
} from './dataset';
import { decodeDepthPng, decodeRgb, imageSize } from './image-io-node';
import { NYU_INTRINSICS_640x480 } from './synthetic/scene';
import { ZipReader } from './zip';
import { registerDataset } from './registry';

/** Options of {@link nyuDenseDepthZip}. */
export interface NyuDenseDepthZipOptions extends BaseDatasetOptions {
  /** Path of `nyu_data.zip`. */
  path: string;
  /** Which CSV to use: 'train' -> data/nyu2_train.csv, 'test' -> data/nyu2_test.csv. Default 'train'. */
  split?: 'train' | 'test';
  /** A different CSV entry inside the zip (overrides `split`). */
  csvEntry?: string;
  /**
   * Metres per stored unit; default by bit depth: 8-bit -> 10/255 (train PNGs), 16-bit -> 1/1000 (test PNGs, mm).
   */
  depthScale?: number | ((bitDepth: 8 | 16) => number);
}

/** The default depth decoding of nyu_data.zip: 8-bit PNG -> v / 255 * 10 m, 16-bit PNG -> v / 1000 m. */
export function denseDepthZipScale(bitDepth: 8 | 16): number {
  return bitDepth === 8 ? 10 / 255 : 1 / 1000;
}

/** A Dataset over nyu_data.zip; call `close()` when done to release the file handle. */
export interface NyuDenseDepthZipDataset extends Dataset {
  readonly skipped: number;
  /** Checks that every CSV entry is in the zip and that RGB/depth sizes agree (reads headers of every entry). */
  validate(options?: ValidateOptions): Promise<ValidationReport>;
  close(): Promise<void>;
}

interface ZipPairEntry extends FileEntry {
  rgbEntry: string;
  depthEntry: string;
}

/**
 * Opens DenseDepth's nyu_data.zip without unpacking it. Sample ids are the RGB entry names.
 *
 * @example
 * const train = await nyuDenseDepthZip({ path: 'nyu_data.zip', split: 'train' });
 * const s = await train.get(0);
 * await train.close();
 */
export async function nyuDenseDepthZip(options: NyuDenseDepthZipOptions): Promise<NyuDenseDepthZipDataset> {
  const zip = await ZipReader.open(options.path);
  const csvName = options.csvEntry ?? (options.split === 'test' ? 'data/nyu2_test.csv' : 'data/nyu2_train.csv');
  const onError = options.onError ?? 'throw';
  const scale = options.depthScale ?? denseDepthZipScale;
  let entries: ZipPairEntry[];
  try {
    if (!zip.has(csvName)) {
      const csvs = zip
        .entries()
        .map((e) => e.name)
        .filter((n) => n.endsWith('.csv'));
      throw new DepthblocksError(
        'NOT_FOUND',
        `CSV list '${csvName}' not found in ${options.path}; CSV entries present: [${csvs.join(', ')}]`,
        {
          path: options.path,
        },
      );
    }
    const text = new TextDecoder().decode(await zip.read(csvName));
    const listFile = `${options.path}:${csvName}`;
    entries = parseListText(text, /\s*,\s*/).map(({ line, fields }) => {
      if (fields.length < 2 || !fields[0] || !fields[1]) {
        throw new DepthblocksError(
          'INVALID_DATA',
          `Expected 'rgb_path,depth_path' at ${listFile} line ${line}, got '${fields.join(',')}'`,
          {
            listFile,
            line,
          },
        );
      }
      return { id: fields[0], line, listFile, rgbEntry: fields[0], depthEntry: fields[1] };
    });
  } catch (err) {
    await zip.close();
    throw err;
  }

  const name = `nyu-densedepth-zip(${csvName})`;
  let skipped = 0;
  const get = async (i: number): Promise<Sample> => {
    checkIndex(i, entries.length, name);
    const e = entries[i];
    try {
      const [rgbBytes, depthBytes] = await Promise.all([zip.read(e.rgbEntry), zip.read(e.depthEntry)]);
      const rgbSrc = `${options.path}:${e.rgbEntry}`;
      const depthSrc = `${options.path}:${e.depthEntry}`;
      const [rgb, d] = await Promise.all([decodeRgb(rgbBytes, rgbSrc), decodeDepthPng(depthBytes, scale, depthSrc)]);
      checkSameSize(rgb, d, rgbSrc, depthSrc);
      const ax = rgb.width / 640;
      const ay = rgb.height / 480;
      return {
        id: e.id,
        rgb: rgb.data,
        depth: sanitizeDepth(d.depth),
        width: rgb.width,
        height: rgb.height,
        intrinsics: {
          fx: NYU_INTRINSICS_640x480.fx * ax,
          fy: NYU_INTRINSICS_640x480.fy * ay,
          cx: (NYU_INTRINSICS_640x480.cx + 0.5) * ax - 0.5,
          cy: (NYU_INTRINSICS_640x480.cy + 0.5) * ay - 0.5,
        },
      };
    } catch (err) {
      throw withLine(err, e);
    }
  };

  return {
    name,
    length: entries.length,
    ids: entries.map((e) => e.id),
    get,
    get skipped() {
      return skipped;
    },
    [Symbol.asyncIterator]: () =>
      iterateWithPolicy({ length: entries.length, get }, onError, () => {
        skipped++;
      }),
    async validate(opts: ValidateOptions = {}): Promise<ValidationReport> {
      const problems: ValidationProblem[] = [];
      for (let index = 0; index < entries.length; index++) {
        const e = entries[index];
        const sizes: Array<{ width: number; height: number } | null> = [];
        for (const entryName of [e.rgbEntry, e.depthEntry]) {
          if (!zip.has(entryName)) {
            problems.push({
              index,
              id: e.id,
              line: e.line,
              kind: 'missing',
              message: `entry '${entryName}' not in ${options.path}${whereIs(e)}`,
            });
            sizes.push(null);
          } else if (opts.sizes ?? true) {
            try {
              const src = `${options.path}:${entryName}`;
              // headers only: the first 64 KiB, or the whole entry if the header lies further in
              const size = await imageSize(await zip.readPrefix(entryName, 65536), src).catch(async () =>
                imageSize(await zip.read(entryName), src),
              );
              sizes.push(size);
            } catch (err) {
              problems.push({ index, id: e.id, line: e.line, kind: 'corrupt', message: `${(err as Error).message}${whereIs(e)}` });
              sizes.push(null);
            }
          }
        }
        const [r, d] = sizes;
        if (r && d && (r.width !== d.width || r.height !== d.height)) {
          problems.push({
            index,
            id: e.id,
            line: e.line,
            kind: 'size-mismatch',
            message: `depth ${d.height}x${d.width} does not match RGB ${r.height}x${r.width} (${e.rgbEntry}, ${e.depthEntry})${whereIs(e)}`,
          });
        }
      }
      const report = { ok: problems.length === 0, checked: entries.length, problems };
      if (!report.ok && (opts.throwOnProblem ?? true)) throw validationError(name, report);
      return report;
    },
    close: () => zip.close(),
  };
}

registerDataset('nyu-zip', (o: Omit<NyuDenseDepthZipOptions, 'onError'>, c) => nyuDenseDepthZip({ ...o, onError: c.onError }), {
  description: "DenseDepth's nyu_data.zip (data/nyu2_train.csv, data/nyu2_test.csv)",
  options: z.strictObject({
    path: z.string(),
    split: z.enum(['train', 'test']).optional(),
    csvEntry: z.string().optional(),
    depthScale: z.number().positive().optional(),
  }),
});
