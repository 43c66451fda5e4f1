/**
 * `--shard auto`: which shard this process is, from the job-array variables of the engine that started it.
 *
 * - Kubernetes Indexed Job: `JOB_COMPLETION_INDEX` (0-based, set by Kubernetes) and the shard count from
 *   `--shards N` or `DEPTHBLOCKS_SHARDS` (Kubernetes does not export the Job's `completions`; set it to that).
 * - Slurm job array: `SLURM_ARRAY_TASK_ID` and `SLURM_ARRAY_TASK_COUNT`; arrays that do not start at 0 or step
 *   (`--array=1-8`, `--array=0-30:10`) are mapped through `SLURM_ARRAY_TASK_MIN` / `SLURM_ARRAY_TASK_STEP`.
 */
import { DepthblocksError } from '@depthblocks/core';

/** The environment variable that gives the shard count next to `JOB_COMPLETION_INDEX`. */
export const SHARDS_ENV = 'DEPTHBLOCKS_SHARDS';

function integer(env: Record<string, string | undefined>, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v.trim()))
    throw new DepthblocksError('INVALID_ARGUMENT', `--shard auto: ${name} must be a non-negative integer, got "${v}"`);
  return Number(v);
}

/**
 * [index, count] of this process under `--shard auto`.
 *
 * @example
 * shardFromEnvironment({ JOB_COMPLETION_INDEX: '2', DEPTHBLOCKS_SHARDS: '4' }); // [2, 4]
 * shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '8' }); // [4, 8]
 */
export function shardFromEnvironment(env: Record<string, string | undefined> = process.env, shards?: number): [number, number] {
  if (shards !== undefined && !(Number.isInteger(shards) && shards >= 1)) {
    throw new DepthblocksError('INVALID_ARGUMENT', `--shards must be a positive integer, got ${shards}`);
  }
  let index: number;
  let count: number | undefined;
  let source: string;
  const k8s = integer(env, 'JOB_COMPLETION_INDEX');
  const slurm = integer(env, 'SLURM_ARRAY_TASK_ID');
  if (k8s !== undefined) {
    source = 'Kubernetes Indexed Job (JOB_COMPLETION_INDEX)';
    index = k8s;
    count = shards ?? integer(env, SHARDS_ENV);
    if (count === undefined) {
      throw new DepthblocksError(
        'INVALID_ARGUMENT',
        `--shard auto: JOB_COMPLETION_INDEX=${k8s} is set but not the number of shards; pass --shards N or set ${SHARDS_ENV} to the Job's completions`,
      );
    }
  } else if (slurm !== undefined) {
    source = 'Slurm job array (SLURM_ARRAY_TASK_ID)';
    const min = integer(env, 'SLURM_ARRAY_TASK_MIN') ?? 0;
    const step = integer(env, 'SLURM_ARRAY_TASK_STEP') ?? 1;
    if ((slurm - min) % step !== 0) {
      throw new DepthblocksError(
        'INVALID_ARGUMENT',
        `--shard auto: SLURM_ARRAY_TASK_ID=${slurm} is not on the array's grid (min ${min}, step ${step})`,
      );
    }
    index = (slurm - min) / step;
    const arrayCount = integer(env, 'SLURM_ARRAY_TASK_COUNT');
    if (shards !== undefined && arrayCount !== undefined && shards !== arrayCount) {
      throw new DepthblocksError(
        'INVALID_ARGUMENT',
        `--shard auto: --shards ${shards} disagrees with SLURM_ARRAY_TASK_COUNT=${arrayCount}`,
      );
    }
    count = shards ?? arrayCount;
    if (count === undefined)
      throw new DepthblocksError('INVALID_ARGUMENT', '--shard auto: SLURM_ARRAY_TASK_COUNT is not set; pass --shards N');
  } else {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `--shard auto found no job-array index: set by a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with --shards N or ${SHARDS_ENV}) or a Slurm array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT); or give --shard i/N`,
    );
  }
  if (!(count >= 1 && index < count)) {
    throw new DepthblocksError('INVALID_ARGUMENT', `--shard auto: ${source} gives shard ${index} of ${count}, outside 0..${count - 1}`);
  }
  return [index, count];
}

/** The file a shard writes its state to inside `--out-dir`: shard-<i>-of-<N>.json (zero-padded, so names sort). */
export function shardFileName([i, n]: [number, number]): string {
  const w = String(n).length;
  return `shard-${String(i).padStart(w, '0')}-of-${n}.json`;
}

/** Parses a shard file name back to [i, N], or null. */
export function parseShardFileName(name: string): [number, number] | null {
  const m = /^shard-(\d+)-of-(\d+)\.json$/.exec(name);
  return m ? [Number(m[1]), Number(m[2])] : null;
}
