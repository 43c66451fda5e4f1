/** Machine-readable error codes used across depthblocks. */
export type DepthblocksErrorCode =
  | 'BACKEND_UNAVAILABLE'
  | 'INVALID_ARGUMENT'
  | 'SHAPE_MISMATCH'
  | 'INVALID_RANK'
  | 'WEIGHTS_MISMATCH'
  | 'WEIGHTS_FORMAT'
  | 'FILE_NOT_FOUND'
  | 'CORRUPT_FILE'
  | 'INVALID_DATA'
  | 'NON_FINITE_LOSS'
  | 'OUT_OF_MEMORY'
  | 'UNSUPPORTED'
  | 'UNSUPPORTED_TFJS'
  | 'MISSING_DEPENDENCY'
  | 'NOT_FOUND'
  | 'INVALID_CONFIG'
  /** A command line that cannot be run as given (unknown flag, bad flag value): the CLI exits with 2. */
  | 'USAGE';

/**
 * The error class of every depthblocks package. `code` is stable and machine-readable; the message
 * says what was wrong (with the value) and what to do. `details` carries structured data
 * (for example the list of mis-shaped tensors of a weight file).
 *
 * @example
 * throw new DepthblocksError('SHAPE_MISMATCH', 'Expected depth 480x640 to match RGB 480x640, got 240x320 (file: a.png)');
 */
export class DepthblocksError extends Error {
  readonly code: DepthblocksErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: DepthblocksErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'DepthblocksError';
    this.code = code;
    this.details = details;
  }
}

/** Throws `DepthblocksError(code, message())` unless `cond` holds. */
export function check(cond: unknown, code: DepthblocksErrorCode, message: () => string): asserts cond {
  if (!cond) throw new DepthblocksError(code, message());
}

/** Checks a tensor-like's rank, with an error that names the argument and its shape. */
export function checkRank(shape: readonly number[], rank: number | number[], what: string): void {
  const ranks = Array.isArray(rank) ? rank : [rank];
  if (!ranks.includes(shape.length)) {
    throw new DepthblocksError(
      'INVALID_RANK',
      `${what} must have rank ${ranks.join(' or ')}, got rank ${shape.length} (shape [${shape.join(', ')}])`,
    );
  }
}
