/**
 * The Dataset contract: what every dataset (NYU, KITTI, DIW, synthetic, yours) gives, and what trainers and
 * evaluators take. The implementations live in @depthblocks/datasets; the contract lives here so that a package
 * can take a dataset without depending on the readers (and their image decoders).
 */
import type { Sample } from './types';

/** One problem found by {@link Dataset.validate}. */
export interface ValidationProblem {
  /** Index of the sample in the dataset. */
  index: number;
  id: string;
  /** 1-based line in the list file, when the dataset comes from one. */
  line?: number;
  kind: 'missing' | 'corrupt' | 'size-mismatch';
  message: string;
}

/** Result of {@link Dataset.validate}. */
export interface ValidationReport {
  ok: boolean;
  checked: number;
  problems: ValidationProblem[];
}

/** Options of {@link Dataset.validate}. */
export interface ValidateOptions {
  /** Also read image headers and check that RGB and depth sizes agree (default true). */
  sizes?: boolean;
  /** Throw a DepthblocksError listing the first problems instead of returning a failed report (default true). */
  throwOnProblem?: boolean;
}

/**
 * The interface shared by all datasets (NYU, KITTI, DIW, synthetic), so trainers and evaluators use
 * any of them the same way: random access with `get(i)`, or `for await (const s of ds)`.
 *
 * @example
 * const ds = syntheticDataset({ count: 8, width: 64, height: 48, seed: 1 }); // from @depthblocks/datasets
 * for await (const s of ds) console.log(s.id, s.width, s.height);
 */
export interface Dataset extends AsyncIterable<Sample> {
  readonly name: string;
  readonly length: number;
  /** Sample ids in order, where known without decoding. */
  readonly ids?: readonly string[];
  /** Loads sample `i` (0-based). Always throws on a bad file, whatever `onError` says. */
  get(i: number): Promise<Sample>;
  /** Samples skipped while iterating with `onError: 'skip'`. */
  readonly skipped?: number;
  /** Checks that every listed file exists (and that sizes agree) before a long run. */
  validate?(options?: ValidateOptions): Promise<ValidationReport>;
  /** Releases file handles (zip, .mat). */
  close?(): Promise<void>;
}
