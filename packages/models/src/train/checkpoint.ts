/**
 * Training checkpoints: ONE safetensors file holding the model weights (by position, names in the metadata),
 * the optimizer state (prefixed `optimizer/`) and, in its metadata, the training state as JSON (step, epoch, RNG
 * and schedule state). Encoded to and decoded from bytes here, in any runtime; where the bytes live is a
 * {@link CheckpointStore} (memory, IndexedDB, ...; Node's entry adds files written atomically, checkpoint-node.ts).
 */
import { DepthblocksError, readSafetensors, tf, writeSafetensors, type WeightTensor } from '@depthblocks/core';
import type { TrainOptimizer } from './optimizer';

const MODEL_PREFIX = 'model/';
const OPT_PREFIX = 'optimizer/';

/** What a checkpoint stores besides tensors. */
export interface CheckpointState {
  step: number;
  epoch: number;
  /** Batches already done in `epoch` (for mid-epoch resume). */
  stepInEpoch: number;
  rng?: unknown;
  schedule?: unknown;
  lr: number;
  /** The model's rebuild config (createDepthModel), when known. */
  modelConfig?: unknown;
  /** Anything else the caller wants back (loss history, best metrics, ...). */
  extra?: Record<string, unknown>;
}

async function toWeight(t: tf.Tensor): Promise<WeightTensor> {
  return { shape: t.shape.slice(), data: Float32Array.from(await t.data()) };
}

/** Where the trainer keeps its checkpoint: one blob of bytes, read at resume and replaced at each save. */
export interface CheckpointStore {
  /** Names the checkpoint in messages and in the training result (a path, a key). */
  readonly name: string;
  /** The last checkpoint written, or null when there is none yet. */
  read(): Promise<Uint8Array | null>;
  /** Replaces the checkpoint; a failure must leave the previous one intact. */
  write(bytes: Uint8Array): Promise<void>;
}

/**
 * A checkpoint store in memory (for the browser, tests, or your own persistence: read `bytes` after training).
 *
 * @example
 * const store = memoryCheckpoint();
 * await train({ ...options, checkpoint: store });
 * const blob = new Blob([store.bytes!]); // e.g. offer it as a download
 */
export function memoryCheckpoint(name = 'memory'): CheckpointStore & { bytes: Uint8Array | null } {
  return {
    name,
    bytes: null,
    async read() {
      return this.bytes;
    },
    async write(bytes: Uint8Array) {
      this.bytes = bytes;
    },
  };
}

/** A checkpoint as bytes (a safetensors file). */
export async function encodeCheckpoint(
  model: tf.LayersModel,
  optimizer: TrainOptimizer | null,
  state: CheckpointState,
): Promise<Uint8Array> {
  // Tensors are keyed by the weight's position in model.weights (names of auto-named layers differ between
  // processes); the names are kept in the metadata and checked on restore.
  const tensors = new Map<string, WeightTensor>();
  const indexOfVariable = new Map<string, number>();
  model.weights.forEach((w, i) => indexOfVariable.set((w.read() as tf.Variable).name, i));
  for (let i = 0; i < model.weights.length; i++) tensors.set(`${MODEL_PREFIX}${i}`, await toWeight(model.weights[i].read()));
  if (optimizer) {
    for (const s of await optimizer.getState()) {
      const slash = s.name.lastIndexOf('/');
      const i = indexOfVariable.get(s.name.slice(0, slash));
      if (i !== undefined) tensors.set(`${OPT_PREFIX}${i}${s.name.slice(slash)}`, { shape: s.shape, data: s.data });
    }
  }
  const names = model.weights.map((w) => w.originalName);
  return writeSafetensors(tensors, {
    format: 'depthblocks-checkpoint',
    state: JSON.stringify(state),
    names: JSON.stringify(names),
    optimizer: optimizer ? JSON.stringify(optimizer.options) : '',
  });
}

/** A checkpoint read back: tensors by name and the state. */
export interface LoadedCheckpoint {
  state: CheckpointState;
  /** Model weights in model.weights order, with their names. */
  weights: (WeightTensor & { name: string })[];
  /** Optimizer state keyed `<weight index>/<m|v|step>`. */
  optimizerState: Map<string, WeightTensor>;
}

/** Reads a checkpoint's bytes (from {@link encodeCheckpoint}); `file` names them in messages. */
export function decodeCheckpoint(bytes: Uint8Array, file = 'checkpoint'): LoadedCheckpoint {
  const { tensors, metadata } = readSafetensors(bytes, file);
  if (metadata.format !== 'depthblocks-checkpoint' || !metadata.state) {
    throw new DepthblocksError(
      'WEIGHTS_FORMAT',
      `${file} is a safetensors file but not a depthblocks checkpoint (no training state in its metadata)`,
    );
  }
  const names = JSON.parse(metadata.names ?? '[]') as string[];
  const weights = names.map((name, i) => {
    const t = tensors.get(`${MODEL_PREFIX}${i}`);
    if (!t) throw new DepthblocksError('WEIGHTS_FORMAT', `Checkpoint ${file} lists weight ${i} (${name}) but does not hold it`);
    return { name, shape: t.shape, data: t.data };
  });
  const optimizerState = new Map<string, WeightTensor>();
  for (const [k, t] of tensors) if (k.startsWith(OPT_PREFIX)) optimizerState.set(k.slice(OPT_PREFIX.length), t);
  return { state: JSON.parse(metadata.state) as CheckpointState, weights, optimizerState };
}

/**
 * Restores model weights (strictly: every model variable must be in the checkpoint with its shape) and the
 * optimizer state.
 */
export async function restoreCheckpoint(
  ckpt: LoadedCheckpoint,
  model: tf.LayersModel,
  optimizer: TrainOptimizer | null,
  file = 'checkpoint',
): Promise<void> {
  checkCheckpointFits(ckpt, model, file);
  const ws = model.weights;
  ws.forEach((w, i) => {
    const t = tf.tensor(ckpt.weights[i].data, ckpt.weights[i].shape);
    w.write(t);
    t.dispose();
  });
  if (optimizer && ckpt.optimizerState.size > 0) {
    await optimizer.setState(
      [...ckpt.optimizerState.entries()].map(([key, t]) => {
        const slash = key.indexOf('/');
        return { name: `${(ws[Number(key.slice(0, slash))].read() as tf.Variable).name}${key.slice(slash)}`, shape: t.shape, data: t.data };
      }),
    );
  }
}

/**
 * Throws WEIGHTS_MISMATCH unless the checkpoint holds every model weight with its shape; changes nothing
 * (so a run can check a checkpoint before it writes anything).
 *
 * @example
 * checkCheckpointFits(readCheckpoint('runs/a/checkpoint.safetensors'), dm.model, 'runs/a/checkpoint.safetensors');
 */
export function checkCheckpointFits(ckpt: LoadedCheckpoint, model: tf.LayersModel, file = 'checkpoint'): void {
  const ws = model.weights;
  const misShaped: string[] = [];
  ws.forEach((w, i) => {
    const t = ckpt.weights[i];
    if (t && t.shape.join(',') !== w.shape.join(','))
      misShaped.push(`#${i} ${w.originalName}: model [${w.shape}] vs checkpoint ${t.name} [${t.shape}]`);
  });
  if (ckpt.weights.length !== ws.length || misShaped.length) {
    throw new DepthblocksError(
      'WEIGHTS_MISMATCH',
      `Checkpoint ${file} does not fit this model: it holds ${ckpt.weights.length} weights, the model has ${ws.length}` +
        `${misShaped.length ? `; mis-shaped: ${misShaped.slice(0, 5).join('; ')}` : ''}. Was it written for another model config?`,
      { misShaped },
    );
  }
}
