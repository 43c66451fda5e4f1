/**
 * The command-line flags: one table that says, for each flag, which commands take it and which run-config
 * field it sets. A flag's value is parsed with the type of that field's schema (a number field gets a number)
 * and checked by it, so `--lr abc` and `--threads 0` are errors that name the flag, and a command given
 * another command's flag (`info --lr 3`) is a usage error. A flag that sets no run-config field (`--size`,
 * `--max-size`, `--colormap`, ...) names its own schema, which parses and checks its value the same way.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { acceptsNumber, configIssues, schemaAt, z } from '@depthblocks/core';
import { COLORMAPS, parseShard } from '@depthblocks/models';
import { runConfigSchema } from './run-config';
import { UsageError } from './usage';

export type Command = 'train' | 'eval' | 'predict' | 'convert' | 'export' | 'ablate' | 'info';

/** One flag. */
export interface Flag {
  name: string;
  /** Boolean flags take no value. */
  boolean?: boolean;
  /** The flag may be given several times (its values form a list). */
  multiple?: boolean;
  short?: string;
  commands: Command[];
  /** The run-config field it sets (its schema parses and checks the value). */
  path?: string[];
  /** For a boolean flag with a path: the value it sets (e.g. `--no-tta` sets eval.flipTTA to false). */
  sets?: unknown;
  /** For a flag without a path: the schema that parses and checks its value (its output is in `options`). */
  schema?: z.ZodType;
  /** The value's placeholder in the help text. */
  arg?: string;
  help: string;
}

const ALL: Command[] = ['train', 'eval', 'predict', 'convert', 'export', 'ablate', 'info'];
const RUN: Command[] = ['train', 'eval'];
const BACKEND: Command[] = ['train', 'eval', 'predict', 'convert', 'info'];

/** A custom issue (the message says what was expected) and zod's "no value". */
function bad(ctx: z.RefinementCtx, message: string, input: unknown): never {
  ctx.addIssue({ code: 'custom', message, input });
  return z.NEVER;
}

/** "WxH" (width x height) -> [height, width]. */
const sizeFlagSchema = z.string().transform((s, ctx): [number, number] => {
  const m = /^(\d+)x(\d+)$/.exec(s.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) return bad(ctx, `expected WxH (width x height in pixels), e.g. 64x48, got "${s}"`, s);
  return [Number(m[2]), Number(m[1])];
});

/** Metres per depth PNG unit: a positive number, as a decimal or a fraction ("0.001", "1/256"). */
const depthScaleFlagSchema = z.preprocess((v) => {
  const m = typeof v === 'string' ? /^\s*([0-9.eE+-]+)\s*\/\s*([0-9.eE+-]+)\s*$/.exec(v) : null;
  if (m) return Number(m[1]) / Number(m[2]);
  return typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
}, z.number().positive());

/** "FX,FY,CX,CY" (pixels) -> camera intrinsics. */
const plyFlagSchema = z.string().transform((s, ctx) => {
  const k = s.split(',').map((v) => (v.trim() === '' ? NaN : Number(v)));
  if (k.length !== 4 || k.some((v) => !Number.isFinite(v))) return bad(ctx, `expected FX,FY,CX,CY (four numbers, pixels), got "${s}"`, s);
  return { fx: k[0], fy: k[1], cx: k[2], cy: k[3] };
});

/** "i/N" -> [i, N] with 0 <= i < N, or "auto" (the index and count from a job array's environment: see shard.ts). */
const shardFlagSchema = z.string().transform((s, ctx): [number, number] | 'auto' => {
  if (s.trim() === 'auto') return 'auto';
  try {
    return parseShard(s);
  } catch (e) {
    return bad(ctx, (e as Error).message, s);
  }
});

const ON_ERROR = 'fail (default) | skip: leave out what cannot be read and list it at the end';

/** Every flag of every command. */
export const FLAGS: Flag[] = [
  { name: 'help', short: 'h', boolean: true, commands: ALL, help: 'this help' },
  {
    name: 'require',
    arg: 'MODULE',
    multiple: true,
    commands: ALL,
    help: 'load a CommonJS module first (repeatable): one that registers your own encoders, decoders, loss terms, datasets, protocols or presets',
  },
  { name: 'config', arg: 'FILE', commands: ['train', 'eval', 'ablate'], help: 'run config (JSON): model, data, train, eval, output' },
  { name: 'preset', arg: 'NAME', commands: [...RUN, 'predict', 'convert'], path: ['model'], help: 'model preset (PRESETS)' },
  {
    name: 'weights',
    arg: 'FILE',
    commands: ['eval', 'predict', 'convert'],
    path: ['weights'],
    help: "a weight file to load into the model: Keras .h5 (DenseDepth's nyu.h5), .safetensors, a training checkpoint",
  },
  { name: 'encoder', arg: 'NAME', commands: RUN, help: 'with --decoder: compose a model from registered parts' },
  { name: 'decoder', arg: 'NAME', commands: RUN, help: 'see --encoder' },
  {
    name: 'synthetic',
    arg: 'N',
    commands: RUN,
    schema: z.number().int().positive(),
    help: 'use N synthetic samples for training (and N/4 for testing)',
  },
  {
    name: 'size',
    arg: 'WxH',
    commands: RUN,
    schema: sizeFlagSchema,
    help: 'synthetic image size and train input size (default 64x48); a preset with a fixed input is rebuilt at it',
  },
  { name: 'epochs', arg: 'N', commands: ['train'], path: ['train', 'epochs'], help: 'epochs' },
  { name: 'batch-size', arg: 'N', commands: ['train'], path: ['train', 'batchSize'], help: 'batch size' },
  { name: 'lr', arg: 'X', commands: ['train'], path: ['train', 'optimizer', 'lr'], help: 'learning rate' },
  { name: 'max-steps', arg: 'N', commands: ['train'], path: ['train', 'maxSteps'], help: 'stop after N steps' },
  { name: 'seed', arg: 'N', commands: ['train'], path: ['seed'], help: 'seed of the data order, augmentation and trainer' },
  {
    name: 'checkpoint-every',
    arg: 'N',
    commands: ['train'],
    path: ['train', 'checkpointEvery'],
    help: 'also write the checkpoint every N steps (it is always written at epoch ends and on SIGINT/SIGTERM)',
  },
  {
    name: 'no-resume',
    boolean: true,
    commands: ['train'],
    path: ['train', 'resume'],
    sets: false,
    help: 'start over even if DIR/checkpoint.safetensors exists',
  },
  {
    name: 'model',
    arg: 'DIR',
    commands: ['eval', 'predict', 'convert', 'export'],
    path: ['modelDir'],
    help: 'saved model folder (model.json); eval and predict also run a .onnx file from depthblocks export',
  },
  {
    name: 'runtime',
    arg: 'R',
    commands: ['eval', 'predict'],
    schema: z.enum(['tfjs', 'onnx']),
    help: 'tfjs (default) | onnx: inference in ONNX Runtime (npm install onnxruntime-node; .onnx files always)',
  },
  {
    name: 'protocol',
    arg: 'P',
    commands: ['eval'],
    path: ['eval', 'protocol'],
    help: 'a registered protocol: nyu-densedepth | nyu-eigen | kitti-eigen-garg | diw',
  },
  {
    name: 'rgb',
    arg: 'DIR',
    commands: ['eval'],
    schema: z.string().min(1),
    help: 'folder of RGB images, paired by file name (without extension) with',
  },
  {
    name: 'depth',
    arg: 'DIR',
    commands: ['eval'],
    schema: z.string().min(1),
    help: 'a folder of 16-bit depth PNGs (data.test becomes { type: "folders" })',
  },
  {
    name: 'depth-scale',
    arg: 'S',
    commands: ['eval'],
    schema: depthScaleFlagSchema,
    help: 'metres per depth PNG unit, e.g. 0.001 or 1/256 (default 1/1000, 1/256 for KITTI protocols); given, 8-bit PNGs are accepted',
  },
  { name: 'limit', arg: 'N', commands: ['eval'], path: ['eval', 'limit'], help: 'at most N samples' },
  {
    name: 'shard',
    arg: 'i/N',
    commands: ['eval'],
    schema: shardFlagSchema,
    help:
      'evaluate every N-th sample from i (0-based), then merge the shards; "auto": i and N from a Kubernetes Indexed Job ' +
      '(JOB_COMPLETION_INDEX, with --shards N or DEPTHBLOCKS_SHARDS) or a Slurm array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT)',
  },
  {
    name: 'shards',
    arg: 'N',
    commands: ['eval'],
    schema: z.number().int().positive(),
    help: 'the shard count of --shard auto on Kubernetes',
  },
  { name: 'out', arg: 'FILE', commands: ['eval'], help: 'write the result and the mergeable state as JSON' },
  {
    name: 'out-dir',
    arg: 'DIR',
    commands: ['eval'],
    schema: z.string().min(1),
    help: "write it as DIR/shard-<i>-of-<N>.json; 'depthblocks eval merge DIR' merges a folder exactly",
  },
  { name: 'format', arg: 'F', commands: ['export'], schema: z.enum(['onnx']), help: 'onnx (the only format)' },
  { name: 'layout', arg: 'L', commands: ['export'], schema: z.enum(['nhwc', 'nchw']), help: 'nhwc (default, as the tfjs model) | nchw' },
  { name: 'keep-bn', boolean: true, commands: ['export'], help: 'keep batch norms (default: folded into the convolutions)' },
  { name: 'raw', boolean: true, commands: ['export'], help: "the model's raw output (default: metres, the normalisation inside)" },
  { name: 'fixed-size', boolean: true, commands: ['export'], help: "fix height and width to the model's input size" },
  {
    name: 'no-tta',
    boolean: true,
    commands: ['eval', 'predict'],
    path: ['eval', 'flipTTA'],
    sets: false,
    help: 'no flip test-time augmentation',
  },
  {
    name: 'on-error',
    arg: 'MODE',
    commands: ['train', 'eval', 'predict'],
    path: ['onError'],
    help: `${ON_ERROR} (predict with fail checks every image before writing anything)`,
  },
  { name: 'output', arg: 'DIR', commands: ['train', 'predict', 'ablate'], path: ['output'], help: 'where to write' },
  {
    name: 'output',
    arg: 'DIR|FILE',
    commands: ['convert'],
    path: ['output'],
    help: 'a tfjs model folder, or FILE.h5 / FILE.safetensors for a weight file',
  },
  { name: 'output', arg: 'FILE', commands: ['export'], path: ['output'], help: 'the .onnx file (default DIR/model.onnx)' },
  {
    name: 'max-size',
    arg: 'N',
    commands: ['predict'],
    schema: z.number().int().min(32),
    help: "long side of the working resolution (default: the model's training size, else 640; a fixed-input model uses its size)",
  },
  {
    name: 'size',
    arg: 'WxH',
    commands: ['predict'],
    schema: sizeFlagSchema,
    help: 'exact working resolution (not with --max-size); a --preset is built at it (default: its input size, 640x480 for densedepth169)',
  },
  {
    name: 'size',
    arg: 'WxH',
    commands: ['convert'],
    schema: sizeFlagSchema,
    help: "the preset's input size (default: the preset's, 640x480 for densedepth169)",
  },
  {
    name: 'tile',
    boolean: true,
    commands: ['predict'],
    help: 'full resolution: predict overlapping tiles at the working resolution and blend them',
  },
  { name: 'colormap', arg: 'NAME', commands: ['predict'], schema: z.enum(COLORMAPS), help: `${COLORMAPS.join(' | ')} (default turbo)` },
  {
    name: 'ply',
    arg: 'FX,FY,CX,CY',
    commands: ['predict'],
    schema: plyFlagSchema,
    help: 'also write a coloured point cloud (.ply) with these intrinsics (pixels)',
  },
  { name: 'no-compare', boolean: true, commands: ['predict'], help: 'no comparison figure' },
  { name: 'json', boolean: true, commands: ['info'], help: 'print JSON' },
  { name: 'backend', arg: 'B', commands: BACKEND, path: ['backend'], help: 'auto | tensorflow | wasm | cpu' },
  {
    name: 'threads',
    arg: 'N',
    commands: [...BACKEND, 'export'],
    path: ['threads'],
    help: 'threads of the wasm backend (and of ONNX Runtime with --runtime onnx or a .onnx model)',
  },
  { name: 'quiet', boolean: true, commands: ['train', 'ablate'], help: 'no progress lines' },
  { name: 'version', short: 'V', boolean: true, commands: ALL, help: 'print the version' },
];

/** The flags a command takes. */
export function flagsOf(cmd: Command): Flag[] {
  return FLAGS.filter((f) => f.commands.includes(cmd));
}

/** The options part of a command's help, from the table. */
export function flagHelp(cmd: Command, presets: string[]): string {
  const rows = flagsOf(cmd).map((f) => [`--${f.name}${f.arg ? ` ${f.arg}` : ''}`, f.help.replace('PRESETS', presets.join(', '))]);
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  return rows.map(([a, h]) => `  ${a.padEnd(width)}${h}`).join('\n');
}

/** Loads a --require module: a path (relative to the working directory) or a package name. */
function loadModule(name: string): void {
  let resolved: string;
  try {
    resolved = require.resolve(name.startsWith('.') ? path.resolve(name) : name, { paths: [process.cwd()] });
  } catch {
    throw new UsageError(`--require ${name}: module not found (from ${process.cwd()})`);
  }
  require(resolved);
}

/** Sets `value` at `path` inside `target`, creating objects on the way. */
function setAt(target: Record<string, unknown>, path: string[], value: unknown): void {
  let o = target;
  for (const k of path.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[path[path.length - 1]] = value;
}

/** What {@link parseFlags} returns. */
export interface ParsedFlags {
  /** Every given flag's text (booleans: true). */
  values: Record<string, string | string[] | boolean | undefined>;
  positionals: string[];
  /** The run-config fields the flags with a path set (a partial run config). */
  patch: Record<string, unknown>;
  /** The parsed values of the flags with their own schema, by flag name (`size` -> [height, width]). */
  options: Record<string, unknown>;
}

/**
 * Parses a command's arguments: only its own flags are accepted (UsageError otherwise); each flag with a
 * config path is parsed with that field's schema and set in `patch` (a partial run config); each flag with its
 * own schema is parsed with it into `options`.
 *
 * @example
 * parseFlags('train', ['--lr', '3e-4', '--epochs', '2']).patch; // { train: { optimizer: { lr: 0.0003 }, epochs: 2 } }
 * parseFlags('predict', ['--size', '640x480']).options; // { size: [480, 640] }
 */
export function parseFlags(cmd: Command, args: string[]): ParsedFlags {
  const flags = flagsOf(cmd);
  const options = Object.fromEntries(
    flags.map((f) => [
      f.name,
      {
        type: f.boolean ? ('boolean' as const) : ('string' as const),
        ...(f.short ? { short: f.short } : {}),
        ...(f.multiple ? { multiple: true } : {}),
      },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(
      `${(e as Error).message.split('. ')[0]} for 'depthblocks ${cmd}'; its options: ${flags.map((f) => `--${f.name}`).join(' ')}`,
    );
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  // modules that register parts load before any value is checked against the registries
  for (const m of (parsed.values.require as string[] | undefined) ?? []) loadModule(m);
  const patch: Record<string, unknown> = {};
  const parsedOptions: Record<string, unknown> = {};
  for (const f of flags) {
    const raw = values[f.name];
    if (raw === undefined || !(f.path || f.schema)) continue;
    if (f.boolean) {
      if (f.path) setAt(patch, f.path, f.sets ?? true);
      continue;
    }
    const schema = f.path ? schemaAt(runConfigSchema, f.path) : f.schema;
    if (!schema) throw new Error(`internal: flag --${f.name} names no run-config field ${f.path!.join('.')}`);
    const text = String(raw);
    const value = acceptsNumber(schema) && text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
    const issues = configIssues(schema, value);
    if (issues.length) throw new UsageError(`--${f.name} ${text}: ${issues[0].message}${f.path ? ` (it sets ${f.path.join('.')})` : ''}`);
    if (f.path) setAt(patch, f.path, value);
    else parsedOptions[f.name] = schema.parse(value);
  }
  return { values, positionals: parsed.positionals, patch, options: parsedOptions };
}
