/** The trainer with files (Node): a checkpoint path and a JSONL log file, on top of the portable trainer. */
import * as fs from 'fs';
import * as path from 'path';
import type { CheckpointStore } from './checkpoint';
import { fileCheckpoint } from './checkpoint-node';
import {
  train as trainAnywhere,
  type ResumeInfo,
  type TrainLogEntry,
  type TrainOptions as PortableTrainOptions,
  type TrainResult,
} from './trainer';

/** {@link PortableTrainOptions} with files: `checkpoint` may be a path, and `logFile` a JSONL file. */
export interface TrainOptions extends Omit<PortableTrainOptions, 'checkpoint'> {
  /** Checkpoint file (.safetensors, written atomically), or any store. */
  checkpoint?: string | CheckpointStore;
  /** JSONL log: one line per step and one per evaluation (appended to when resuming). */
  logFile?: string;
}

/**
 * Trains a model (see the portable trainer for every option), with checkpoint and log files.
 *
 * @example
 * const result = await train({
 *   model, data: batcher, epochs: 5,
 *   loss: combineLosses({ l1: 0.1, grad: 1, ssim: 1 }, { ssim: { maxVal: 100 } }),
 *   optimizer: { name: 'adam', lr: 1e-4 }, checkpoint: 'runs/a/checkpoint.safetensors', resume: true, logFile: 'runs/a/log.jsonl',
 * });
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const { logFile, ...rest } = options;
  const checkpoint = typeof options.checkpoint === 'string' ? fileCheckpoint(options.checkpoint) : options.checkpoint;
  let resumed = false;
  const file = logFile ? jsonlLog(logFile, () => resumed) : null;
  const onLog = file ? (e: TrainLogEntry): void => (file.write(e), options.onLog?.(e)) : options.onLog;
  const onResume = (r: ResumeInfo, say: (line: string) => void): void => {
    resumed = true;
    // the log keeps what the checkpoint holds: records after its step are from a run that was lost
    if (logFile) {
      const dropped = truncateLog(logFile, r.step);
      if (dropped) say(`log ${logFile}: dropped ${dropped} record(s) after step ${r.step} (not in the checkpoint)`);
    }
    options.onResume?.(r, say);
  };
  try {
    return await trainAnywhere({ ...rest, checkpoint, onLog, onResume });
  } finally {
    file?.close();
  }
}

/**
 * Keeps the log records up to `step` (step records with step <= it, evaluations at or before it) and drops
 * the rest, in place (atomically). Returns the number of records dropped.
 */
export function truncateLog(file: string, step: number): number {
  if (!fs.existsSync(file)) return 0;
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  const keep = lines.filter((l) => {
    try {
      const r = JSON.parse(l) as { step?: number };
      return typeof r.step !== 'number' || r.step <= step;
    } catch {
      return false; // a line cut short by a crash
    }
  });
  if (keep.length === lines.length) return 0;
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, keep.map((l) => l + '\n').join(''));
  fs.renameSync(tmp, file);
  return lines.length - keep.length;
}

/**
 * A JSONL writer that opens its file on the first line, so a run that fails its checks writes nothing; it appends
 * when the run resumed from a checkpoint and starts the file afresh otherwise.
 */
function jsonlLog(file: string, append: () => boolean): { write(o: object): void; close(): void } {
  let fd: number | null = null;
  return {
    write: (o) => {
      if (fd === null) {
        fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
        fd = fs.openSync(file, append() ? 'a' : 'w');
      }
      fs.writeSync(fd, JSON.stringify(o) + '\n');
    },
    close: () => {
      if (fd !== null) fs.closeSync(fd);
    },
  };
}
