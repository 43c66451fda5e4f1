/**
 * The JSON run config every command reads (flags override it): which model, which data, how to train and
 * evaluate, where to write. One zod schema, built from the schemas of the parts it names (the model spec,
 * presets, data specs, optimizer, schedule, loss weights, protocols), so nothing is declared twice; the type
 * is derived from it. Presets' configs live in the repository's configs/ folder.
 */
import * as fs from 'fs';
import { DepthblocksError, parseWithSchema, registeredName, z } from '@depthblocks/core';
import { dataSpecSchema } from '@depthblocks/datasets';
import { lossWeightsSchema } from '@depthblocks/losses';
import { protocolRegistry } from '@depthblocks/metrics';
import {
  depthModelSpecSchema,
  optimizerOptionsSchema,
  presetNameSchema,
  presetOptionsSchema,
  scheduleOptionsSchema,
} from '@depthblocks/models';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const probability = z.number().min(0).max(1);

/** The compute backend a run asks for. */
export const backendSchema = z.enum(['auto', 'tensorflow', 'wasm', 'cpu']);

/** The schema of a run config (strict at every level: a typo'd key is an error with a "did you mean"). */
export const runConfigSchema = z
  .strictObject({
    /** Free text (the preset configs explain their values here). */
    $comment: z.union([z.string(), z.array(z.string())]).optional(),
    /** A preset name (`densedepth169`, ...) or a model spec `{ encoder, decoder, head, depth }`. */
    model: z.union([presetNameSchema, depthModelSpecSchema]).optional(),
    presetOptions: presetOptionsSchema.optional(),
    /** Start from a saved model folder (model.json + weights) instead of building one. */
    modelDir: z.string().optional(),
    /** A weight file loaded into the model once built (Keras .h5 such as DenseDepth's nyu.h5, .safetensors, a checkpoint). */
    weights: z.string().optional(),
    /** Data specs `{ "type": <registered reader>, ...its options }`. */
    data: z.strictObject({ train: dataSpecSchema.optional(), test: dataSpecSchema.optional() }),
    train: z
      .strictObject({
        epochs: positiveInt.optional(),
        batchSize: positiveInt.optional(),
        /** [height, width] the samples are resized to (default: as stored). */
        inputSize: z.tuple([positiveInt, positiveInt]).optional(),
        optimizer: optimizerOptionsSchema.optional(),
        schedule: scheduleOptionsSchema.optional(),
        /** Loss term weights by registered term name, e.g. { "l1": 0.1, "grad": 1, "ssim": 1 }. */
        loss: lossWeightsSchema.optional(),
        /** Perceptual loss: a ResNet-50 Keras .h5 to load into its frozen feature extractor. */
        perceptualWeights: z.string().optional(),
        augmentation: z.strictObject({ hflip: probability.optional(), channelSwap: probability.optional() }).optional(),
        freezeEncoderEpochs: nonNegativeInt.optional(),
        clipGradNorm: z.number().positive().optional(),
        maxSteps: positiveInt.optional(),
        /** Evaluate on data.test every N epochs (0: never) on at most evalLimit images. */
        evalEvery: nonNegativeInt.optional(),
        evalLimit: positiveInt.optional(),
        resume: z.boolean().optional(),
        /** Also write the checkpoint every N steps (0: only at epoch ends, where it is always written, and when stopped by a signal). */
        checkpointEvery: nonNegativeInt.optional(),
      })
      .optional(),
    eval: z
      .strictObject({
        /** A registered protocol (default: from the data type). */
        protocol: registeredName(protocolRegistry).optional(),
        flipTTA: z.boolean().optional(),
        medianScaling: z.boolean().optional(),
        limit: positiveInt.optional(),
      })
      .optional(),
    /** Output folder (default runs/<model name>). */
    output: z.string().optional(),
    /** A sample or image that cannot be read: 'fail' (default) stops, 'skip' leaves it out and lists it at the end. */
    onError: z.enum(['fail', 'skip']).optional(),
    seed: z.number().int().optional(),
    backend: backendSchema.optional(),
    threads: positiveInt.optional(),
  })
  .refine((c) => c.model !== undefined || c.modelDir !== undefined, {
    message: 'needs "model" (a preset name or { encoder, decoder }) or "modelDir"',
  });

/** A run config (see {@link runConfigSchema}). */
export type RunConfig = z.input<typeof runConfigSchema>;

/**
 * Checks a run config against {@link runConfigSchema}, before anything is built or written:
 * `DepthblocksError('INVALID_CONFIG')` names every wrong field (`train.optimizer.lr: expected number, got
 * string "1e-4"`), with a "did you mean" for unknown keys and names.
 *
 * @example
 * checkRunConfig({ model: 'densedepth169', data: {}, train: { epoch: 3 } }, 'run.json');
 * // INVALID_CONFIG: Run config run.json: train: unknown key "epoch" (did you mean "epochs"?)
 */
export function checkRunConfig(cfg: unknown, where = 'config'): RunConfig {
  parseWithSchema(runConfigSchema, cfg, `Run config ${where}`);
  return cfg as RunConfig;
}

/** Reads a run config file (JSON) and checks it, with an error that names the file and the problem. */
export function readRunConfig(file: string): RunConfig {
  if (!fs.existsSync(file)) throw new DepthblocksError('FILE_NOT_FOUND', `Config file not found: ${file}`);
  let cfg: unknown;
  try {
    cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DepthblocksError('INVALID_CONFIG', `Config ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return checkRunConfig(cfg, file);
}

/** Deep-merges `patch` into `base` (objects merge, everything else replaces). */
export function mergeConfig<T>(base: T, patch: unknown): T {
  if (patch === undefined) return base;
  if (!patch || typeof patch !== 'object' || Array.isArray(patch) || !base || typeof base !== 'object' || Array.isArray(base))
    return patch as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) out[k] = mergeConfig(out[k], v);
  return out as T;
}
