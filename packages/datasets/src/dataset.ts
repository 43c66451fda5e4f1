/**
 * What every dataset shares, in any runtime: the Dataset contract (declared in core), list-file parsing, the
 * bad-input policy and its errors. The file-reading base class is in `file-list-dataset.ts` (Node).
 */
import { DepthblocksError, type Sample, type ValidationReport } from '@depthblocks/core';

/** What to do with a sample whose file is missing or corrupt while iterating: throw (default) or skip and count. */
export type OnError = 'throw' | 'skip';

export type { Dataset, ValidateOptions, ValidationProblem, ValidationReport } from '@depthblocks/core';

/** Options every file-based dataset accepts. */
export interface BaseDatasetOptions {
  /** Bad file while iterating: 'throw' (default) or 'skip' and count it in `skipped`. */
  onError?: OnError;
}

/** One file-backed entry of a list-based dataset. */
export interface FileEntry {
  id: string;
  /** 1-based line of the list file this entry came from (for error messages). */
  line?: number;
  /** The list file, for error messages. */
  listFile?: string;
  /** Files to check in validate(): the RGB image and the depth image (either may be absent). */
  rgbPath?: string;
  depthPath?: string;
}

/** Checks that `i` is an integer index into a dataset of `length`. */
export function checkIndex(i: number, length: number, name: string): void {
  if (!Number.isInteger(i) || i < 0 || i >= length) {
    throw new DepthblocksError('INVALID_ARGUMENT', `${name}: index ${i} is out of range; expected an integer in [0, ${length - 1}]`);
  }
}

/** "(list.txt line 12)" or "" — appended to error messages. */
export function whereIs(entry: { line?: number; listFile?: string }): string {
  if (entry.line === undefined) return '';
  return ` (${entry.listFile ?? 'list'} line ${entry.line})`;
}

/** Re-throws `err` as a DepthblocksError whose message names the list line of `entry`. */
export function withLine(err: unknown, entry: { line?: number; listFile?: string }): DepthblocksError {
  const where = whereIs(entry);
  if (err instanceof DepthblocksError) {
    if (!where || err.message.includes(where)) return err;
    return new DepthblocksError(err.code, err.message + where, { ...err.details, line: entry.line, listFile: entry.listFile });
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new DepthblocksError('CORRUPT_FILE', msg + where, { line: entry.line, listFile: entry.listFile });
}

/**
 * Replaces NaN, infinite and negative depth by 0 (invalid), in place, and returns the array.
 *
 * @example
 * sanitizeDepth(Float32Array.of(1.5, NaN, -2)); // [1.5, 0, 0]
 */
export function sanitizeDepth(depth: Float32Array): Float32Array {
  for (let i = 0; i < depth.length; i++) {
    const d = depth[i];
    if (!(d > 0) || d === Infinity) depth[i] = 0;
  }
  return depth;
}

/** Throws SHAPE_MISMATCH unless RGB and depth have the same size; the message names both files. */
export function checkSameSize(
  rgb: { width: number; height: number },
  depth: { width: number; height: number },
  rgbPath: string,
  depthPath: string,
): void {
  if (rgb.width !== depth.width || rgb.height !== depth.height) {
    throw new DepthblocksError(
      'SHAPE_MISMATCH',
      `Expected depth map ${depth.height}x${depth.width} to match RGB ${rgb.height}x${rgb.width} ` +
        `(rgb: ${rgbPath}, depth: ${depthPath}); the files belong to different frames or one was resized`,
      { rgbPath, depthPath },
    );
  }
}

/** A line of a whitespace- or comma-separated list file, with its 1-based line number. */
export interface ListLine {
  line: number;
  fields: string[];
}

/**
 * Parses a list file: one record a line, fields split on whitespace (or `sep`), blank lines and
 * `#` comments skipped, missing final newline and CRLF tolerated.
 *
 * @example
 * parseListText('a.png b.png 518.8\n'); // [{ line: 1, fields: ['a.png', 'b.png', '518.8'] }]
 */
export function parseListText(text: string, sep: RegExp = /\s+/): ListLine[] {
  const out: ListLine[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (!t || t.startsWith('#')) continue;
    out.push({ line: i + 1, fields: t.split(sep).map((f) => f.trim()) });
  }
  return out;
}

/** Errors about the program or the machine, not about one sample: skipping them would skip every sample. */
const NEVER_SKIPPED = new Set(['INVALID_ARGUMENT', 'MISSING_DEPENDENCY', 'UNSUPPORTED']);

/** True for an error that `onError: 'skip'` skips: a DepthblocksError about one sample's data or file. */
export function isSkippable(err: unknown): boolean {
  return err instanceof DepthblocksError && !NEVER_SKIPPED.has(err.code);
}

/** Iterates `get(0..length-1)` honouring the skip policy; `onSkip` is called for each skipped sample. */
export async function* iterateWithPolicy(
  ds: { length: number; get(i: number): Promise<Sample> },
  onError: OnError,
  onSkip: (i: number, err: unknown) => void,
): AsyncGenerator<Sample> {
  for (let i = 0; i < ds.length; i++) {
    let s: Sample;
    try {
      s = await ds.get(i);
    } catch (err) {
      if (onError === 'skip' && isSkippable(err)) {
        onSkip(i, err);
        continue;
      }
      throw err;
    }
    yield s;
  }
}

/** The DepthblocksError thrown for a failed validation: counts by kind and the first few messages. */
export function validationError(name: string, report: ValidationReport): DepthblocksError {
  const counts: Record<string, number> = {};
  for (const p of report.problems) counts[p.kind] = (counts[p.kind] ?? 0) + 1;
  const first = report.problems.slice(0, 5).map((p) => `  - ${p.message}`);
  const more = report.problems.length > 5 ? `\n  ... and ${report.problems.length - 5} more` : '';
  const code = report.problems.some((p) => p.kind === 'missing')
    ? 'FILE_NOT_FOUND'
    : report.problems.some((p) => p.kind === 'corrupt')
      ? 'CORRUPT_FILE'
      : 'SHAPE_MISMATCH';
  return new DepthblocksError(
    code,
    `${name}: validation found ${report.problems.length} problem(s) in ${report.checked} samples ` +
      `(${Object.entries(counts)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}):\n${first.join('\n')}${more}\nFix the files or the list, or pass onError: 'skip' to skip bad samples.`,
    { problems: report.problems },
  );
}
