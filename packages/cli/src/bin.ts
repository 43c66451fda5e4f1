#!/usr/bin/env node
/** The `depthblocks` command: train, eval, predict, ablate, info. `depthblocks <command> --help`. */
import * as fs from 'fs';
import { DepthblocksError } from '@depthblocks/core';
import { listPresets, parseShard as parseShardArg } from '@depthblocks/models';
import { checkAblationConfig, runAblation } from './commands/ablate';
import { formatResult, runEval, runMerge } from './commands/eval';
import { formatInfo, runInfo } from './commands/info';
import { runConvert } from './commands/convert';
import { runPredict } from './commands/predict';
import { runTrain } from './commands/train';
import { flagHelp, parseFlags, UsageError, type Command } from './flags';
import { checkRunConfig, mergeConfig, readRunConfig, type RunConfig } from './run-config';

const MAIN_HELP = `depthblocks: monocular depth estimation on TensorFlow.js

Usage: depthblocks <command> [options]

Commands:
  train     train a model (a preset or any registered encoder + decoder) on a dataset
  eval      evaluate a saved model under a protocol (NYU, KITTI, DIW); shards and merge
  predict   images -> depth PNGs (16-bit mm and colour), side-by-side, point clouds
  convert   a weight file (e.g. DenseDepth's nyu.h5) into a model folder or another weight format
  ablate    run config variants on the same data and seed; table and plots
  info      backend, threads, registered encoders, decoders, losses, datasets, protocols, presets

Run 'depthblocks <command> --help' for a command's options. Configs for each preset: configs/*.json.`;

const USAGE: Record<Command, string> = {
  train: 'Usage: depthblocks train [--config run.json] [options]\n\nOptions (override the config):',
  eval:
    'Usage: depthblocks eval --model DIR --config run.json [options]\n' +
    '       depthblocks eval --preset densedepth169 --weights nyu.h5 --config run.json [options]\n' +
    '       depthblocks eval merge SHARD.json [SHARD.json ...]\n\nOptions:',
  predict:
    'Usage: depthblocks predict --model DIR [--output DIR] IMAGE_OR_FOLDER...\n' +
    '       depthblocks predict --preset densedepth169 --weights nyu.h5 IMAGE_OR_FOLDER...\n\n' +
    'Writes <name>_depth.png (16-bit, millimetres), <name>_color.png and <name>_compare.png (RGB | depth).\nOptions:',
  convert:
    'Usage: depthblocks convert --preset NAME --weights FILE --output DIR_OR_FILE [--size WxH]\n' +
    '       depthblocks convert --model DIR --output FILE.h5|FILE.safetensors\n\n' +
    'Loads a weight file into a preset (or takes a saved model) and writes it as a tfjs model folder (model.json +\n' +
    'weights.bin: for --model, browsers and ONNX export) or, for a .h5 / .safetensors output, as a weight file (.h5 in\n' +
    "Keras' save_weights layout). Example: depthblocks convert --preset densedepth169 --weights nyu.h5 --output models/densedepth-nyu\nOptions:",
  ablate:
    'Usage: depthblocks ablate --config ablation.json [--output DIR]\n\n' +
    'The config: { "name", "base": <run config>, "variants": [{ "name", "patch": <partial run config> }] }.\n' +
    'Writes ablation.md / ablation.json, metrics.svg/png and loss.svg/png. Examples: configs/ablation-*.json.\nOptions:',
  info: 'Usage: depthblocks info [options]\n\nOptions:',
};

function help(cmd: Command): string {
  return `${USAGE[cmd]}\n${flagHelp(
    cmd,
    listPresets().map((p) => p.name),
  )}`;
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!(Number.isInteger(n) && n > 0)) throw new UsageError(`--${flag} ${v}: expected a positive integer`);
  return n;
}

function parseSize(v: string | undefined): [number, number] | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)x(\d+)$/.exec(v);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new UsageError(`--size ${v}: expected WxH, e.g. 64x48`);
  return [Number(m[2]), Number(m[1])];
}

/** --size of predict and convert: the preset's input size. */
function sizeOf(values: Record<string, string | string[] | boolean | undefined>): [number, number] | undefined {
  return parseSize(values.size as string | undefined);
}

/** The run config from --config and the flags (the flags' patch merged over the file), checked. */
function configFrom(values: Record<string, string | string[] | boolean | undefined>, patch: Record<string, unknown>): RunConfig {
  const file = typeof values.config === 'string' ? values.config : undefined;
  let cfg: RunConfig = file ? readRunConfig(file) : { model: 'unet_resnet34', data: {} };
  const extra: Record<string, unknown> = {};
  if (values.encoder || values.decoder) {
    if (!values.encoder || !values.decoder) throw new UsageError('--encoder and --decoder go together');
    extra.model = { encoder: values.encoder, decoder: values.decoder };
  }
  const size = parseSize(values.size as string | undefined);
  if (values.synthetic !== undefined) {
    const n = positiveInt(String(values.synthetic), 'synthetic');
    const [h, w] = size ?? [48, 64];
    extra.data = {
      train: { type: 'synthetic', count: n, width: w, height: h, seed: 1 },
      test: { type: 'synthetic', count: Math.max(1, Math.round(n / 4)), width: w, height: h, seed: 2 },
    };
  }
  if (size) extra.train = { inputSize: size };
  if (size && typeof values.preset === 'string') extra.presetOptions = { inputSize: size }; // the preset is built at --size
  cfg = mergeConfig(mergeConfig(cfg, extra), patch);
  return checkRunConfig(cfg, file ? `${file} with the flags` : 'from the flags');
}

/** Runs one command; returns the exit status (2: usage error). Errors other than usage errors are thrown. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(MAIN_HELP);
    return 0;
  }
  if (!(cmd in USAGE)) {
    console.error(`Unknown command "${cmd}".\n\n${MAIN_HELP}`);
    return 2;
  }
  const command = cmd as Command;
  let parsed: ReturnType<typeof parseFlags>;
  let cfg: RunConfig | undefined;
  try {
    parsed = parseFlags(command, rest);
    if (parsed.values.help) {
      console.log(help(command));
      return 0;
    }
    if (command === 'train' || (command === 'eval' && parsed.positionals[0] !== 'merge')) cfg = configFrom(parsed.values, parsed.patch);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\nRun 'depthblocks ${command} --help' for its options.`);
    return 2;
  }
  const { values, positionals, patch } = parsed;
  const progress = values.quiet ? false : undefined;
  const p = patch as RunConfig & { eval?: { flipTTA?: boolean } };
  switch (command) {
    case 'info': {
      const r = await runInfo({ backend: p.backend, threads: p.threads });
      console.log(values.json ? JSON.stringify(r, null, 2) : formatInfo(r));
      return 0;
    }
    case 'train': {
      const r = await runTrain(cfg!, { progress });
      console.log(`done: ${r.train.steps} steps in ${r.train.seconds.toFixed(1)} s; outputs in ${r.output}`);
      if (r.final) console.log(fs.readFileSync(`${r.output}/metrics.md`, 'utf8'));
      return 0;
    }
    case 'eval': {
      if (positionals[0] === 'merge') {
        const merged = runMerge(positionals.slice(1));
        console.log(formatResult('merged', merged));
        if (values.out) fs.writeFileSync(String(values.out), JSON.stringify(merged, null, 2));
        return 0;
      }
      const shard = typeof values.shard === 'string' ? parseShardArg(values.shard) : undefined;
      const out = await runEval(cfg!, { shard, out: values.out as string | undefined });
      console.log(formatResult(cfg!.modelDir ?? (typeof cfg!.model === 'string' ? cfg!.model : 'model'), out.result));
      return 0;
    }
    case 'predict': {
      const preset = typeof p.model === 'string' ? p.model : undefined;
      if (!p.modelDir && !preset)
        throw new DepthblocksError(
          'INVALID_ARGUMENT',
          'predict needs --model DIR (a folder written by train, with model.json) or --preset NAME --weights FILE (e.g. --preset densedepth169 --weights nyu.h5)',
        );
      if (preset && !p.weights)
        throw new DepthblocksError(
          'INVALID_ARGUMENT',
          `predict --preset ${preset} needs --weights FILE (its weights are random otherwise)`,
        );
      let ply;
      if (values.ply) {
        const k = String(values.ply).split(',').map(Number);
        if (k.length !== 4 || k.some((v) => !Number.isFinite(v)))
          throw new DepthblocksError('INVALID_ARGUMENT', `--ply needs FX,FY,CX,CY, got "${values.ply}"`);
        ply = { fx: k[0], fy: k[1], cx: k[2], cy: k[3] };
      }
      await runPredict({
        modelDir: p.modelDir,
        preset,
        weights: p.weights,
        size: sizeOf(values),
        inputs: positionals,
        output: p.output ?? 'predictions',
        colormap: values.colormap as never,
        sideBySide: !values['no-compare'],
        ply,
        flipTTA: p.eval?.flipTTA ?? true,
        backend: p.backend,
        threads: p.threads,
      });
      return 0;
    }
    case 'convert': {
      const preset = typeof p.model === 'string' ? p.model : undefined;
      if (!p.output)
        throw new DepthblocksError('INVALID_ARGUMENT', 'convert needs --output DIR (tfjs model folder) or FILE.h5 / FILE.safetensors');
      if (!p.modelDir && !(preset && p.weights))
        throw new DepthblocksError('INVALID_ARGUMENT', 'convert needs --weights FILE with --preset NAME, or --model DIR');
      await runConvert({
        modelDir: p.modelDir,
        preset,
        weights: p.weights,
        size: sizeOf(values),
        output: p.output,
        backend: p.backend,
        threads: p.threads,
      });
      return 0;
    }
    case 'ablate': {
      if (!values.config) throw new DepthblocksError('INVALID_ARGUMENT', 'ablate needs --config ablation.json');
      const file = String(values.config);
      const a = checkAblationConfig(JSON.parse(fs.readFileSync(file, 'utf8')), file);
      if (p.output) a.output = p.output;
      const r = await runAblation(a, { progress });
      console.log(fs.readFileSync(`${r.output}/ablation.md`, 'utf8'));
      console.log(`written: ${r.files.join(', ')}`);
      return 0;
    }
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(
        e instanceof DepthblocksError ? `error [${e.code}]: ${e.message}` : e instanceof Error ? `error: ${e.message}` : String(e),
      );
      process.exitCode = 1;
    },
  );
}
