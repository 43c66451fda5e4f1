/**
 * The command-line flags: one table that says, for each flag, which commands take it and which run-config
 * field it sets. A flag's value is parsed with the type of that field's schema (a number field gets a number)
 * and checked by it, so `--lr abc` and `--threads 0` are errors that name the flag, and a command given
 * another command's flag (`info --lr 3`) is a usage error.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { acceptsNumber, configIssues, schemaAt } from '@depthblocks/core';
import { runConfigSchema } from './run-config';

export type Command = 'train' | 'eval' | 'predict' | 'convert' | 'ablate' | 'info';

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
  /** The value's placeholder in the help text. */
  arg?: string;
  help: string;
}

const ALL: Command[] = ['train', 'eval', 'predict', 'convert', 'ablate', 'info'];
const RUN: Command[] = ['train', 'eval'];
const BACKEND: Command[] = ['train', 'eval', 'predict', 'convert', 'info'];

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
  { name: 'synthetic', arg: 'N', commands: RUN, help: 'use N synthetic samples for training (and N/4 for testing)' },
  { name: 'size', arg: 'WxH', commands: RUN, help: 'synthetic image size and train input size (default 64x48); a preset is built at it' },
  {
    name: 'size',
    arg: 'WxH',
    commands: ['predict', 'convert'],
    help: "the preset's input size (default: the preset's, 640x480 for densedepth169)",
  },
  { name: 'epochs', arg: 'N', commands: ['train'], path: ['train', 'epochs'], help: 'epochs' },
  { name: 'batch-size', arg: 'N', commands: ['train'], path: ['train', 'batchSize'], help: 'batch size' },
  { name: 'lr', arg: 'X', commands: ['train'], path: ['train', 'optimizer', 'lr'], help: 'learning rate' },
  { name: 'max-steps', arg: 'N', commands: ['train'], path: ['train', 'maxSteps'], help: 'stop after N steps' },
  { name: 'seed', arg: 'N', commands: ['train'], path: ['seed'], help: 'seed of the data order, augmentation and trainer' },
  {
    name: 'no-resume',
    boolean: true,
    commands: ['train'],
    path: ['train', 'resume'],
    sets: false,
    help: 'start over even if DIR/checkpoint.safetensors exists',
  },
  { name: 'model', arg: 'DIR', commands: ['eval', 'predict', 'convert'], path: ['modelDir'], help: 'saved model folder (model.json)' },
  {
    name: 'protocol',
    arg: 'P',
    commands: ['eval'],
    path: ['eval', 'protocol'],
    help: 'a registered protocol: nyu-densedepth | nyu-eigen | kitti-eigen-garg | diw',
  },
  { name: 'limit', arg: 'N', commands: ['eval'], path: ['eval', 'limit'], help: 'at most N samples' },
  { name: 'shard', arg: 'i/N', commands: ['eval'], help: 'evaluate every N-th sample from i (0-based), then merge the shards' },
  { name: 'out', arg: 'FILE', commands: ['eval'], help: 'write the result and the mergeable state as JSON' },
  {
    name: 'no-tta',
    boolean: true,
    commands: ['eval', 'predict'],
    path: ['eval', 'flipTTA'],
    sets: false,
    help: 'no flip test-time augmentation',
  },
  { name: 'output', arg: 'DIR', commands: ['train', 'predict', 'ablate'], path: ['output'], help: 'where to write' },
  {
    name: 'output',
    arg: 'DIR|FILE',
    commands: ['convert'],
    path: ['output'],
    help: 'a tfjs model folder, or FILE.h5 / FILE.safetensors for a weight file',
  },
  { name: 'colormap', arg: 'NAME', commands: ['predict'], help: 'viridis | plasma | turbo | gray' },
  {
    name: 'ply',
    arg: 'FX,FY,CX,CY',
    commands: ['predict'],
    help: 'also write a coloured point cloud (.ply) with these intrinsics (pixels)',
  },
  { name: 'no-compare', boolean: true, commands: ['predict'], help: 'no side-by-side image' },
  { name: 'json', boolean: true, commands: ['info'], help: 'print JSON' },
  { name: 'backend', arg: 'B', commands: BACKEND, path: ['backend'], help: 'auto | tensorflow | wasm | cpu' },
  { name: 'threads', arg: 'N', commands: BACKEND, path: ['threads'], help: 'threads of the wasm backend' },
  { name: 'quiet', boolean: true, commands: ['train', 'ablate'], help: 'no progress line' },
];

/** A usage error: a wrong flag or flag value (the command exits with status 2). */
export class UsageError extends Error {}

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

/**
 * Parses a command's arguments: only its own flags are accepted (UsageError otherwise); each flag with a
 * config path is parsed with that field's schema and set in `patch` (a partial run config).
 *
 * @example
 * parseFlags('train', ['--lr', '3e-4', '--epochs', '2']).patch; // { train: { optimizer: { lr: 0.0003 }, epochs: 2 } }
 */
export function parseFlags(
  cmd: Command,
  args: string[],
): { values: Record<string, string | string[] | boolean | undefined>; positionals: string[]; patch: Record<string, unknown> } {
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
  for (const f of flags) {
    const raw = values[f.name];
    if (raw === undefined || !f.path) continue;
    if (f.boolean) {
      setAt(patch, f.path, f.sets ?? true);
      continue;
    }
    const schema = schemaAt(runConfigSchema, f.path);
    if (!schema) throw new Error(`internal: flag --${f.name} names no run-config field ${f.path.join('.')}`);
    const text = String(raw);
    const value = acceptsNumber(schema) && text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
    const issues = configIssues(schema, value);
    if (issues.length) throw new UsageError(`--${f.name} ${text}: ${issues[0].message} (it sets ${f.path.join('.')})`);
    setAt(patch, f.path, value);
  }
  return { values, positionals: parsed.positionals, patch };
}
