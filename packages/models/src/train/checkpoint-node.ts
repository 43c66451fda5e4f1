/**
 * Checkpoint files (Node): a checkpoint's bytes written atomically (a temporary file in the same folder, then a
 * rename), so a crash never leaves a half-written checkpoint where the last good one was.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DepthblocksError, tf } from '@depthblocks/core';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointState, type CheckpointStore, type LoadedCheckpoint } from './checkpoint';
import type { TrainOptimizer } from './optimizer';

function writeAtomic(file: string, bytes: Uint8Array): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}

/**
 * A checkpoint store in a file (.safetensors), for `train({ checkpoint })`.
 *
 * @example
 * await train({ ...options, checkpoint: fileCheckpoint('runs/a/checkpoint.safetensors'), resume: true });
 */
export function fileCheckpoint(file: string): CheckpointStore {
  return {
    name: file,
    read: async () => (fs.existsSync(file) ? new Uint8Array(fs.readFileSync(file)) : null),
    write: async (bytes) => writeAtomic(file, bytes),
  };
}

/** Writes `file` atomically. Returns its size in bytes. */
export async function saveCheckpoint(
  file: string,
  model: tf.LayersModel,
  optimizer: TrainOptimizer | null,
  state: CheckpointState,
): Promise<number> {
  const bytes = await encodeCheckpoint(model, optimizer, state);
  writeAtomic(file, bytes);
  return bytes.length;
}

/** Reads a checkpoint file written by saveCheckpoint (or the trainer). */
export function readCheckpoint(file: string): LoadedCheckpoint {
  if (!fs.existsSync(file)) throw new DepthblocksError('FILE_NOT_FOUND', `Checkpoint not found: ${file}`);
  return decodeCheckpoint(new Uint8Array(fs.readFileSync(file)), file);
}
