/**
 * Depth in the Wild (Chen et al. 2016): one ordinal point pair per image, in the official CSV
 * format of two lines per sample:
 *   <image path>
 *   y_A,x_A,y_B,x_B,ordinal,width,height
 * with 1-based, row-first coordinates in an image of width x height; ordinal '>' = A farther (+1),
 * '<' = A closer (-1) ('=' is read as 0); parsed by diw-csv.ts. Samples carry no metric depth (all 0 = invalid).
 */
import * as nodePath from 'path';
import { z, type Sample } from '@depthblocks/core';
import type { BaseDatasetOptions, FileEntry } from './dataset';
import { parseDiwCsv, type DiwRecord } from './diw-csv';
import { FileListDataset, readListFile } from './file-list-dataset';
import { decodeRgb, readFileBytes } from './image-io-node';
import { rescalePairs } from './transforms';
import { registerDataset } from './registry';

/** Options of {@link diw}. */
export interface DiwOptions extends BaseDatasetOptions {
  /** DIW_train_val.csv or DIW_test.csv. */
  csvFile: string;
  /** Folder the CSV's image paths are relative to (default: the CSV's folder). */
  imageRoot?: string;
}

interface DiwEntry extends FileEntry {
  rgbPath: string;
  record: DiwRecord;
}

/** The DIW dataset: RGB plus one ordinal pair per sample, rescaled to the decoded image size. */
export class DiwDataset extends FileListDataset {
  readonly name: string;

  constructor(entries: DiwEntry[], name: string, options: BaseDatasetOptions) {
    super(entries, options);
    this.name = name;
  }

  protected async load(fileEntry: FileEntry): Promise<Sample> {
    const e = fileEntry as DiwEntry;
    const img = await decodeRgb(await readFileBytes(e.rgbPath, 'DIW image'), e.rgbPath);
    const r = e.record;
    const pairs =
      img.width === r.width && img.height === r.height ? [{ ...r.pair }] : rescalePairs([r.pair], r.height, r.width, img.height, img.width);
    return { id: e.id, rgb: img.data, depth: new Float32Array(img.width * img.height), width: img.width, height: img.height, pairs };
  }
}

/**
 * Opens a DIW CSV. Every sample has `pairs` (one pair) and all-invalid depth; train with a ranking
 * loss and evaluate with WHDR.
 *
 * @example
 * const test = await diw({ csvFile: 'DIW/DIW_Annotations/DIW_test.csv', imageRoot: 'DIW' });
 * const s = await test.get(0); // s.pairs[0].relation is 1 or -1
 */
export async function diw(options: DiwOptions): Promise<DiwDataset> {
  const text = await readListFile(options.csvFile, 'DIW CSV');
  const root = options.imageRoot ?? nodePath.dirname(options.csvFile);
  const entries: DiwEntry[] = parseDiwCsv(text, options.csvFile).map((record) => ({
    id: record.imagePath,
    line: record.line,
    listFile: options.csvFile,
    rgbPath: nodePath.isAbsolute(record.imagePath) ? record.imagePath : nodePath.join(root, record.imagePath),
    record,
  }));
  return new DiwDataset(entries, `diw(${nodePath.basename(options.csvFile)})`, options);
}

registerDataset('diw', (o: Omit<DiwOptions, 'onError'>, c) => diw({ ...o, onError: c.onError }), {
  description: 'Depth in the Wild: the official CSV (image path, then y_A,x_A,y_B,x_B,ordinal,width,height)',
  options: z.strictObject({ csvFile: z.string(), imageRoot: z.string().optional() }),
});
