/** Usage errors: a command line that cannot be run as given. The CLI prints them and exits with code 2. */
import { DepthblocksError } from '@depthblocks/core';

/**
 * A usage error, `DepthblocksError('USAGE')`: an unknown flag, another command's flag or a bad flag value (as
 * opposed to a runtime error, exit code 1). `main()` prints it with a pointer to the command's `--help` and
 * returns 2.
 *
 * @example
 * throw new UsageError('--encoder and --decoder go together');
 */
export class UsageError extends DepthblocksError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

/**
 * A {@link UsageError} with this message.
 *
 * @example
 * throw usageError('predict needs at least one image or folder');
 */
export function usageError(message: string): UsageError {
  return new UsageError(message);
}
