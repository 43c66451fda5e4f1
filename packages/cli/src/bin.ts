#!/usr/bin/env node
/**
 * The `depthblocks` command: train, eval, predict, convert, export, ablate, info. `depthblocks <command> --help`.
 * `main()` runs one command: it returns 2 after printing a usage error (bad flags), and throws other errors;
 * `runCli()` (what the installed `depthblocks` runs) turns those into exit code 1 (one line, no stack trace)
 * and SIGINT/SIGTERM into a clean stop (130/143).
 */
import * as fs from 'fs';
import { DepthblocksError, silenceTfjsNodeBanner, type Intrinsics } from '@depthblocks/core';
import { listPresets, type ColormapName, type InferenceRuntime } from '@depthblocks/models';
import { readAblationConfig, runAblation } from './commands/ablate';
import { formatEvalSummary, formatResult, runEval, runMerge } from './commands/eval';
import { formatInfo, runInfo } from './commands/info';
import { runConvert } from './commands/convert';
import { runExport } from './commands/export';
import { shardFromEnvironment } from './shard';
import { runPredict } from './commands/predict';
import { runTrain } from './commands/train';
import { flagHelp, parseFlags, type Command, type ParsedFlags } from './flags';
import { checkRunConfig, mergeConfig, readRunConfig, type RunConfig } from './run-config';
import { UsageError, usageError } from './usage';

const MAIN_HELP = `depthblocks: monocular depth estimation on TensorFlow.js

Usage: depthblocks <command> [options]
       depthblocks --version

Commands:
  train     train a model (a preset or any registered encoder + decoder) on a dataset
  eval      evaluate a saved model under a protocol (NYU, KITTI, DIW); folders, shards and merge
  predict   images -> depth PNGs (16-bit mm and colour), comparison figures, point clouds
  convert   a weight file (e.g. DenseDepth's nyu.h5) into a model folder or another weight format
  export    a saved model -> ONNX (runs in ONNX Runtime: Node, Python, C++, browsers)
  ablate    run config variants on the same data and seed; table and plots
  info      backend, threads, registered encoders, decoders, losses, datasets, protocols, presets

Run 'depthblocks <command> --help' for a command's options. Configs for each preset: configs/*.json.
Exit codes: 0 done, 1 error, 2 usage error (bad flags), 130/143 stopped by SIGINT/SIGTERM.`;

/** What each command's help says before its options (the options come from the flag table). */
const USAGE: Record<Command, string> = {
  train: 'Usage: depthblocks train [--config run.json] [options]\n\nOptions (override the config):',
  eval:
    'Usage: depthblocks eval --model DIR|FILE.onnx --config run.json [options]\n' +
    '       depthblocks eval --model DIR|FILE.onnx --rgb DIR --depth DIR [--protocol P] [options]\n' +
    '       depthblocks eval --preset densedepth169 --weights nyu.h5 --config run.json [options]\n' +
    '       depthblocks eval merge DIR | SHARD.json [SHARD.json ...]\n\nOptions:',
  predict:
    'Usage: depthblocks predict --model DIR|FILE.onnx [--output DIR] IMAGE_OR_FOLDER...\n' +
    '       depthblocks predict --preset densedepth169 --weights nyu.h5 IMAGE_OR_FOLDER...\n\n' +
    "Writes <name>_depth.png (16-bit, millimetres, at the image's size), <name>_color.png and <name>_compare.png\n" +
    '(labelled RGB | depth panels with a colour bar in metres).\n' +
    "The model sees each image at a working resolution, then the depth is resized back to the image's size:\n" +
    "the model's input size if it has one, else the image scaled down to at most --max-size pixels on its long side.\n" +
    'Options:',
  convert:
    'Usage: depthblocks convert --preset NAME --weights FILE --output DIR_OR_FILE [--size WxH]\n' +
    '       depthblocks convert --model DIR --output FILE.h5|FILE.safetensors\n\n' +
    'Loads a weight file into a preset (or takes a saved model) and writes it as a tfjs model folder (model.json +\n' +
    'weights.bin: for --model, browsers and ONNX export) or, for a .h5 / .safetensors output, as a weight file (.h5 in\n' +
    "Keras' save_weights layout). Example: depthblocks convert --preset densedepth169 --weights nyu.h5 --output models/densedepth-nyu\nOptions:",
  export:
    'Usage: depthblocks export --format onnx --model DIR [--output FILE.onnx] [options]\n\n' +
    "Writes an ONNX model (opset 17): input 'input' float32 [batch, height, width, 3] RGB in [0, 1] (preprocessing inside),\n" +
    "output 'depth' [batch, h, w, 1] in metres; batch, height and width dynamic; the config in its metadata_props.\n" +
    'Weights over 2 GB go to FILE.onnx.data.\nOptions:',
  ablate:
    'Usage: depthblocks ablate --config ablation.json [--output DIR]\n\n' +
    'The config: { "name", "base": <run config>, "variants": [{ "name", "patch": <partial run config> }] }.\n' +
    'Writes ablation.md / ablation.json, metrics.svg/png and loss.svg/png.\n' +
    'Examples: configs/ablation-loss.json (loss terms), configs/ablation-encoder.json (encoders).\nOptions:',
  info: 'Usage: depthblocks info [options]\n\nOptions:',
};

/** What a command's help says after its options. */
const NOTES: Partial<Record<Command, string>> = {
  train: 'Ctrl-C (SIGINT) or SIGTERM writes a checkpoint at the current step and exits; the same command resumes.',
};

/** The names of the commands. */
export const COMMANDS = Object.keys(USAGE) as Command[];

/**
 * The help text of a command, or of the whole program for 'main'; lists (presets) are filled in when asked.
 *
 * @example
 * console.log(helpText('predict'));
 */
export function helpText(cmd: Command | 'main'): string {
  if (cmd === 'main') return MAIN_HELP;
  const notes = NOTES[cmd] ? `\n\n${NOTES[cmd]}` : '';
  return `${USAGE[cmd]}\n${flagHelp(
    cmd,
    listPresets().map((p) => p.name),
  )}${notes}`;
}

/** The CLI's version (its package.json). */
export function cliVersion(): string {
  return (require('../package.json') as { version: string }).version;
}

/**
 * The run config from --config and the flags (the flags' patch merged over the file), checked. A data spec
 * given by flags (`--synthetic`, `--rgb`/`--depth`) replaces the file's spec instead of merging into it.
 */
function configFrom({ values, patch, options }: ParsedFlags): RunConfig {
  const file = typeof values.config === 'string' ? values.config : undefined;
  let cfg: RunConfig = file ? readRunConfig(file) : { model: 'unet_resnet34', data: {} };
  const extra: Record<string, unknown> = {};
  if (values.encoder || values.decoder) {
    if (!values.encoder || !values.decoder) throw usageError('--encoder and --decoder go together');
    extra.model = { encoder: values.encoder, decoder: values.decoder };
  }
  const size = options.size as [number, number] | undefined;
  const data: RunConfig['data'] = {};
  if (options.synthetic !== undefined) {
    const n = options.synthetic as number;
    const [h, w] = size ?? [48, 64];
    data.train = { type: 'synthetic', count: n, width: w, height: h, seed: 1 };
    data.test = { type: 'synthetic', count: Math.max(1, Math.round(n / 4)), width: w, height: h, seed: 2 };
  }
  if (options.rgb !== undefined || options.depth !== undefined) {
    if (options.rgb === undefined || options.depth === undefined)
      throw usageError('--rgb DIR and --depth DIR go together (folders paired by file name)');
    const scale = options['depth-scale'];
    data.test = { type: 'folders', rgbDir: options.rgb, depthDir: options.depth, ...(scale !== undefined ? { depthScale: scale } : {}) };
  } else if (options['depth-scale'] !== undefined) throw usageError('--depth-scale goes with --rgb DIR --depth DIR');
  if (size) extra.train = { inputSize: size };
  if (size && typeof values.preset === 'string') extra.presetOptions = { inputSize: size }; // the preset is built at --size
  cfg = mergeConfig(mergeConfig(cfg, extra), patch);
  cfg = { ...cfg, data: { ...cfg.data, ...data } };
  return checkRunConfig(cfg, file ? `${file} with the flags` : 'from the flags');
}

/** Options of {@link main} that the installed command passes. */
export interface MainOptions {
  /** Stops `train` at the next step boundary (with a checkpoint) when aborted; runCli aborts it on SIGINT/SIGTERM. */
  signal?: AbortSignal;
}

/**
 * Runs one command and returns its exit status: 0, or 2 after printing a usage error (bad flags). Other errors
 * (bad config, data, files) are thrown; {@link runCli} prints them and exits with 1.
 *
 * @example
 * const code = await main(['train', '--synthetic', '16', '--encoder', 'resnet18', '--decoder', 'unet', '--max-steps', '2']);
 */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  silenceTfjsNodeBanner();
  const [cmd] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(MAIN_HELP);
    return 0;
  }
  if (cmd === '--version' || cmd === '-V' || cmd === 'version') {
    console.log(`depthblocks ${cliVersion()}`);
    return 0;
  }
  if (!(COMMANDS as string[]).includes(cmd)) {
    console.error(`Unknown command "${cmd}".\n\n${MAIN_HELP}`);
    return 2;
  }
  const command = cmd as Command;
  try {
    return await runCommand(command, argv, options);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${formatError(e)}\nRun 'depthblocks ${command} --help' for its options.`);
    return 2;
  }
}

/** One command, after its name is known; usage errors are thrown as UsageError. */
async function runCommand(command: Command, argv: string[], options: MainOptions): Promise<number> {
  const flags = parseFlags(command, argv.slice(1));
  const { values, positionals, patch } = flags;
  const o = flags.options;
  if (values.help) {
    console.log(helpText(command));
    return 0;
  }
  if (values.version) {
    console.log(`depthblocks ${cliVersion()}`);
    return 0;
  }
  const progress = values.quiet ? false : undefined;
  const p = patch as RunConfig & { eval?: { flipTTA?: boolean } };
  switch (command) {
    case 'info': {
      const r = await runInfo({ backend: p.backend, threads: p.threads });
      console.log(values.json ? JSON.stringify(r, null, 2) : formatInfo(r));
      return 0;
    }
    case 'train': {
      const r = await runTrain(configFrom(flags), { progress, signal: options.signal });
      if (r.interrupted) {
        const i = r.interrupted;
        console.error(
          `stopped by ${i.reason} at step ${i.step} (epoch ${i.epoch + 1}); checkpoint written to ${i.checkpoint}\n` +
            `resume: run the same command again (it continues from the checkpoint):\n  ${resumeCommand(argv)}`,
        );
        return i.reason === 'SIGTERM' ? 143 : 130;
      }
      console.log(`done: ${r.train.steps} steps in ${r.train.seconds.toFixed(1)} s; outputs in ${r.output}`);
      if (r.final) console.log(fs.readFileSync(`${r.output}/metrics.md`, 'utf8'));
      return 0;
    }
    case 'eval': {
      if (positionals[0] === 'merge') {
        if (positionals.length < 2)
          throw usageError('eval merge needs the shard files or their folder: depthblocks eval merge s0.json s1.json ... | DIR');
        const merged = runMerge(positionals.slice(1));
        console.log(formatResult('merged', merged));
        if (values.out) fs.writeFileSync(String(values.out), JSON.stringify(merged, null, 2));
        return 0;
      }
      if (positionals.length)
        throw usageError(`eval takes no positional arguments (got ${positionals.join(' ')}); did you mean 'eval merge'?`);
      const cfg = configFrom(flags);
      if (o.shard === 'auto' && !values.out && !values['out-dir'])
        throw usageError('--shard auto: each shard must write its state; add --out-dir DIR (then: depthblocks eval merge DIR)');
      if (o.shards !== undefined && o.shard !== 'auto') throw usageError('--shards N goes with --shard auto');
      const shard = o.shard === 'auto' ? shardFromEnvironment(process.env, o.shards as number | undefined) : o.shard;
      const out = await runEval(cfg, {
        shard: shard as [number, number] | undefined,
        out: values.out as string | undefined,
        outDir: o['out-dir'] as string | undefined,
        runtime: o.runtime as InferenceRuntime | undefined,
      });
      console.log(formatEvalSummary(out));
      console.log(formatResult(cfg.modelDir ?? (typeof cfg.model === 'string' ? cfg.model : 'model'), out.result));
      return 0;
    }
    case 'predict': {
      const preset = typeof p.model === 'string' ? p.model : undefined;
      if (!p.modelDir && !preset)
        throw usageError(
          'predict needs --model DIR (a folder written by train, with model.json) or FILE.onnx, or --preset NAME --weights FILE (e.g. --preset densedepth169 --weights nyu.h5)',
        );
      if (preset && !p.weights) throw usageError(`predict --preset ${preset} needs --weights FILE (its weights are random otherwise)`);
      if (positionals.length === 0) throw usageError('predict needs at least one image or folder');
      if (o.size && o['max-size']) throw usageError('--size and --max-size do not go together: give one');
      await runPredict({
        modelDir: p.modelDir,
        preset,
        weights: p.weights,
        inputs: positionals,
        output: p.output ?? 'predictions',
        colormap: o.colormap as ColormapName | undefined,
        sideBySide: !values['no-compare'],
        ply: o.ply as Intrinsics | undefined,
        flipTTA: p.eval?.flipTTA ?? true,
        size: o.size as [number, number] | undefined,
        maxSize: o['max-size'] as number | undefined,
        tile: values.tile === true,
        onError: p.onError,
        backend: p.backend,
        threads: p.threads,
        runtime: o.runtime as InferenceRuntime | undefined,
      });
      return 0;
    }
    case 'export': {
      if (!p.modelDir) throw usageError('export needs --model DIR (a folder written by train, with model.json)');
      await runExport({
        modelDir: p.modelDir,
        format: o.format as 'onnx' | undefined,
        output: p.output,
        layout: o.layout as 'nhwc' | 'nchw' | undefined,
        keepBatchNorm: values['keep-bn'] === true,
        raw: values.raw === true,
        fixedSize: values['fixed-size'] === true,
        threads: p.threads,
      });
      return 0;
    }
    case 'convert': {
      const preset = typeof p.model === 'string' ? p.model : undefined;
      if (!p.output) throw usageError('convert needs --output DIR (tfjs model folder) or FILE.h5 / FILE.safetensors');
      if (!p.modelDir && !(preset && p.weights)) throw usageError('convert needs --weights FILE with --preset NAME, or --model DIR');
      await runConvert({
        modelDir: p.modelDir,
        preset,
        weights: p.weights,
        size: o.size as [number, number] | undefined,
        output: p.output,
        backend: p.backend,
        threads: p.threads,
      });
      return 0;
    }
    case 'ablate': {
      if (!values.config) throw usageError('ablate needs --config ablation.json (examples: configs/ablation-*.json)');
      const a = readAblationConfig(String(values.config));
      if (p.output) a.output = p.output;
      const r = await runAblation(a, { progress });
      console.log(fs.readFileSync(`${r.output}/ablation.md`, 'utf8'));
      console.log(`written: ${r.files.join(', ')}`);
      return 0;
    }
  }
}

/** The command line that resumes a run: the same arguments, without --no-resume. */
function resumeCommand(argv: string[]): string {
  const q = (a: string): string => (/^[\w./:=,@+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ['depthblocks', ...argv.filter((a) => a !== '--no-resume')].map(q).join(' ');
}

/**
 * The message printed for an error: `usage error: message` for usage errors, else `error [CODE]: message`
 * (no stack trace).
 */
export function formatError(e: unknown): string {
  if (e instanceof DepthblocksError) return e.code === 'USAGE' ? `usage error: ${e.message}` : `error [${e.code}]: ${e.message}`;
  return e instanceof Error ? `error: ${e.message}` : `error: ${String(e)}`;
}

/** The exit code for an error: 2 for usage errors, else 1. */
export function exitCodeOf(e: unknown): number {
  return e instanceof DepthblocksError && e.code === 'USAGE' ? 2 : 1;
}

/**
 * What the installed `depthblocks` command runs: main() with SIGINT/SIGTERM turned into a clean stop (a first
 * signal stops training at the next step with a checkpoint; a second one exits at once), errors printed as
 * one line, and the exit code set.
 */
export async function runCli(argv: string[]): Promise<number> {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      console.error(`${sig} again: exiting now, without a checkpoint`);
      process.exit(sig === 'SIGTERM' ? 143 : 130);
    }
    console.error(`\n${sig}: stopping at the end of this step and writing a checkpoint (${sig} again to quit at once)`);
    controller.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let code: number;
  try {
    code = await main(argv, { signal: controller.signal });
    if (code === 0 && controller.signal.aborted) code = controller.signal.reason === 'SIGTERM' ? 143 : 130;
  } catch (e) {
    console.error(formatError(e));
    code = exitCodeOf(e);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  process.exitCode = code;
  return code;
}

if (require.main === module) void runCli(process.argv.slice(2));
