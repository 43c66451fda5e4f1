/**
 * The base of the datasets read from files listed in a list file (NYU BTS folders, KITTI, DIW): random access,
 * iteration with the skip policy, and validate() that checks every file before a long run. Node only.
 */
import { promises as fs } from 'fs';
import {
  DepthblocksError,
  type Dataset,
  type Sample,
  type ValidateOptions,
  type ValidationProblem,
  type ValidationReport,
} from '@depthblocks/core';
import {
  checkIndex,
  iterateWithPolicy,
  validationError,
  whereIs,
  withLine,
  type BaseDatasetOptions,
  type FileEntry,
  type OnError,
} from './dataset';
import { imageSize } from './image-io-node';

/** Reads a list file as text, with FILE_NOT_FOUND naming it when absent. */
export async function readListFile(path: string, what = 'list file'): Promise<string> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new DepthblocksError(
      e.code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'CORRUPT_FILE',
      `Could not read ${what} ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`,
      { path },
    );
  }
}

/**
 * Base class of the datasets built from a list of files (NYU BTS folders, KITTI, DIW): random access,
 * async iteration with the skip policy, and validate().
 */
export abstract class FileListDataset implements Dataset {
  abstract readonly name: string;
  protected readonly entries: FileEntry[];
  protected readonly onError: OnError;
  /** Samples skipped while iterating with `onError: 'skip'`. */
  skipped = 0;
  /** The errors behind `skipped`, in order. */
  readonly skippedErrors: DepthblocksError[] = [];

  protected constructor(entries: FileEntry[], options: BaseDatasetOptions = {}) {
    this.entries = entries;
    this.onError = options.onError ?? 'throw';
    if (this.onError !== 'throw' && this.onError !== 'skip') {
      throw new DepthblocksError('INVALID_ARGUMENT', `onError must be 'throw' or 'skip', got '${String(this.onError)}'`);
    }
  }

  get length(): number {
    return this.entries.length;
  }

  get ids(): string[] {
    return this.entries.map((e) => e.id);
  }

  /** Loads one entry; subclasses decode the files. */
  protected abstract load(entry: FileEntry, index: number): Promise<Sample>;

  async get(i: number): Promise<Sample> {
    checkIndex(i, this.length, this.name);
    const entry = this.entries[i];
    try {
      return await this.load(entry, i);
    } catch (err) {
      throw withLine(err, entry);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Sample> {
    return iterateWithPolicy(this, this.onError, (_i, err) => {
      this.skipped++;
      this.skippedErrors.push(err as DepthblocksError);
    });
  }

  /**
   * Checks that every listed file exists and, with `sizes` (default), that the RGB and depth headers
   * agree in size. Reads only headers, so a pass over a large split takes seconds.
   */
  async validate(options: ValidateOptions = {}): Promise<ValidationReport> {
    return validateEntries(this.name, this.entries, options);
  }
}

/** validate() for a list of file entries (exported for datasets that do not extend FileListDataset). */
export async function validateEntries(name: string, entries: FileEntry[], options: ValidateOptions = {}): Promise<ValidationReport> {
  const sizes = options.sizes ?? true;
  const problems: ValidationProblem[] = [];
  const headerSize = async (path: string): Promise<{ width: number; height: number } | null> => {
    const fh = await fs.open(path, 'r');
    try {
      // PNG/JPEG headers sit at the start; 64 KiB covers JPEG EXIF blocks in practice.
      const buf = new Uint8Array(65536);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      try {
        return await imageSize(buf.subarray(0, bytesRead), path);
      } catch {
        const full = await fs.readFile(path);
        return await imageSize(full, path);
      }
    } finally {
      await fh.close();
    }
  };
  const concurrency = 8;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const index = next++;
      const e = entries[index];
      const found: Record<string, { width: number; height: number } | null> = {};
      for (const [role, p] of [
        ['rgb', e.rgbPath],
        ['depth', e.depthPath],
      ] as const) {
        if (!p) continue;
        try {
          await fs.access(p);
        } catch {
          problems.push({ index, id: e.id, line: e.line, kind: 'missing', message: `${role} file not found: ${p}${whereIs(e)}` });
          found[role] = null;
          continue;
        }
        if (sizes) {
          try {
            found[role] = await headerSize(p);
          } catch (err) {
            problems.push({ index, id: e.id, line: e.line, kind: 'corrupt', message: `${(err as Error).message}${whereIs(e)}` });
            found[role] = null;
          }
        }
      }
      const r = found.rgb;
      const d = found.depth;
      if (sizes && r && d && (r.width !== d.width || r.height !== d.height)) {
        problems.push({
          index,
          id: e.id,
          line: e.line,
          kind: 'size-mismatch',
          message: `depth ${d.height}x${d.width} does not match RGB ${r.height}x${r.width} (rgb: ${e.rgbPath}, depth: ${e.depthPath})${whereIs(e)}`,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, worker));
  problems.sort((a, b) => a.index - b.index);
  const report: ValidationReport = { ok: problems.length === 0, checked: entries.length, problems };
  if (!report.ok && (options.throwOnProblem ?? true)) throw validationError(name, report);
  return report;
}
