/** `depthblocks train`: build the model, train it on the config's data, evaluate, save everything. */
import * as fs from 'fs';
import * as path from 'path';
import { DepthblocksError } from '@depthblocks/core';
import { setupBackend, type BackendInfo } from '@depthblocks/backend';
import { openDataset, type Dataset } from '@depthblocks/datasets';
import type { EvaluationResult } from '@depthblocks/metrics';
import { toMarkdownTable } from '@depthblocks/metrics';
import {
  checkCheckpointFits,
  evaluate,
  lineChart,
  readCheckpoint,
  saveDepthModel,
  train,
  type DepthModel,
  type TrainResult,
} from '@depthblocks/models';
import { buildBatcher, buildLoss, buildModel, runInputSize } from '../build';
import { writeSvgAndPng } from '../output';
import { checkRunConfig, type RunConfig } from '../run-config';

export interface TrainRunResult {
  output: string;
  backend: BackendInfo;
  model: DepthModel;
  train: TrainResult;
  /** Final evaluation on data.test (with the config's flip TTA), when there is test data. */
  final?: EvaluationResult;
  /** Set when a signal stopped the run: where, and the checkpoint to resume from. */
  interrupted?: { step: number; epoch: number; reason: string; checkpoint: string };
  /** Samples skipped (onError: skip), as messages naming the files. */
  skipped?: string[];
  /** Warnings about the data (implausible depth ranges). */
  warnings?: string[];
}

/** The config's protocol, else one that fits its data: KITTI -> kitti-eigen-garg, DIW -> diw, else nyu-eigen. */
export function defaultProtocol(cfg: RunConfig): string {
  if (cfg.eval?.protocol) return cfg.eval.protocol;
  const type = cfg.data.test?.type ?? cfg.data.train?.type;
  return type === 'kitti' ? 'kitti-eigen-garg' : type === 'diw' ? 'diw' : 'nyu-eigen';
}

/** The headline numbers of an evaluation (depth protocols), for logs and the plateau schedule. */
export function headline(r: EvaluationResult): Record<string, number> {
  const m = r.metrics;
  return { d1: m.d1, absRel: m.absRel, rmse: m.rmse, log10: m.log10 };
}

/** Collects dataset warnings and skipped samples, and says them at the end of a run. */
export class RunReport {
  readonly warnings: string[] = [];
  readonly skipped: string[] = [];
  warn = (m: string): void => void this.warnings.push(m);
  /** Lines for the end of the run (nothing when all went well). */
  lines(): string[] {
    const out: string[] = [];
    if (this.warnings.length) {
      out.push(`warning: ${this.warnings.length} depth map(s) look implausible:`);
      out.push(...this.warnings.slice(0, 5).map((w) => `  ${w}`));
      if (this.warnings.length > 5) out.push(`  ... and ${this.warnings.length - 5} more`);
    }
    if (this.skipped.length) {
      out.push(`skipped ${this.skipped.length} sample(s) that could not be read (onError: skip):`);
      out.push(...this.skipped.map((m) => `  ${m}`));
    }
    return out;
  }
}

/** The skip policy of a run config: 'skip' or 'throw'. */
export function datasetOnError(cfg: RunConfig): 'skip' | 'throw' {
  return cfg.onError === 'skip' ? 'skip' : 'throw';
}

/** Checks that a dataset's files exist before anything is written (skipped files are listed when skipping). */
async function checkData(ds: Dataset, what: string, onError: 'skip' | 'throw', log: (l: string) => void): Promise<void> {
  if (!ds.validate) return;
  const r = await ds.validate({ sizes: false, throwOnProblem: onError === 'throw' });
  if (!r.ok) log(`warning: ${what}: ${r.problems.length} of ${r.checked} samples have missing files and will be skipped`);
}

/**
 * Trains as the config says and writes into its output folder: checkpoint.safetensors (resumable),
 * log.jsonl, loss.svg/.png, model/ (tfjs format), metrics.json and metrics.md. Everything is checked first
 * (the config against its schema, then the model, data files and an existing checkpoint's fit): a run that cannot start writes nothing.
 * With `signal`, an abort (the CLI's SIGINT/SIGTERM) stops at the next step with a checkpoint.
 */
export async function runTrain(
  cfg: RunConfig,
  opts: { progress?: boolean | ((line: string) => void); log?: (line: string) => void; signal?: AbortSignal } = {},
): Promise<TrainRunResult> {
  checkRunConfig(cfg);
  if (!cfg.data.train)
    throw new DepthblocksError('INVALID_CONFIG', 'Run config: data.train: is required for train (a data spec), e.g. --synthetic 64');
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const backend = await setupBackend({ backend: cfg.backend, threads: cfg.threads });
  log(`backend: ${backend.name}, ${backend.threads} thread(s) (${backend.reason})`);
  // 1. everything that can fail, before anything is written
  const dm = await buildModel(cfg);
  const out = path.resolve(cfg.output ?? path.join('runs', dm.config.name));
  const report = new RunReport();
  const onError = datasetOnError(cfg);
  const trainDs = await openDataset(cfg.data.train, { onError, onWarning: report.warn });
  const testDs = cfg.data.test ? await openDataset(cfg.data.test, { onError, onWarning: report.warn }) : null;
  await checkData(trainDs, 'data.train', onError, log);
  if (testDs) await checkData(testDs, 'data.test', onError, log);
  const inputSize = runInputSize(cfg, dm);
  const { loss, warnings } = await buildLoss(cfg, dm.config.depth);
  warnings.forEach((w) => log(`warning: ${w}`));
  const t = cfg.train ?? {};
  const checkpoint = path.join(out, 'checkpoint.safetensors');
  const resume = t.resume ?? true;
  if (resume && fs.existsSync(checkpoint)) checkCheckpointFits(readCheckpoint(checkpoint), dm.model, checkpoint);
  // 2. the run starts: now the folder is written
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'config.json'), JSON.stringify(cfg, null, 2));
  if (inputSize) dm.config.metadata = { ...dm.config.metadata, trainingInputSize: inputSize };
  const batcher = buildBatcher(cfg, trainDs, inputSize);
  const protocol = defaultProtocol(cfg);
  const evalEvery = t.evalEvery ?? 1;
  const inputSizeWH = inputSize ? { height: inputSize[0], width: inputSize[1] } : undefined;
  log(`model ${dm.config.name}: ${dm.config.encoder.name} + ${dm.config.decoder.name}; ${trainDs.length} training samples; output ${out}`);
  const evalOnError = onError;
  const result = await train({
    model: dm.model,
    loss,
    data: batcher,
    epochs: t.epochs ?? 1,
    optimizer: t.optimizer,
    schedule: t.schedule,
    freezeEncoder: t.freezeEncoderEpochs && dm.encoder ? { encoder: dm.encoder, epochs: t.freezeEncoderEpochs } : undefined,
    clipGradNorm: t.clipGradNorm,
    maxSteps: t.maxSteps,
    seed: cfg.seed,
    checkpoint,
    checkpointEvery: t.checkpointEvery,
    resume,
    logFile: path.join(out, 'log.jsonl'),
    progress: opts.progress,
    log,
    signal: opts.signal,
    modelConfig: dm.config,
    evalEvery: testDs && evalEvery > 0 ? evalEvery : undefined,
    evaluate:
      testDs && evalEvery > 0 && protocol !== 'diw'
        ? async () => {
            const ev = await evaluate(dm, testDs, { protocol, limit: t.evalLimit ?? 32, inputSize: inputSizeWH, onError: evalOnError });
            return headline(ev.result as EvaluationResult);
          }
        : undefined,
    monitor: testDs && protocol !== 'diw' ? 'rmse' : 'loss',
  });
  report.skipped.push(...batcher.skippedErrors.map((e) => (e instanceof Error ? e.message : String(e))));
  if (result.interrupted) {
    report.lines().forEach((l) => log(l));
    return { output: out, backend, model: dm, train: result, interrupted: { ...result.interrupted, checkpoint } };
  }
  await saveDepthModel(dm, path.join(out, 'model'));
  await writeSvgAndPng(
    path.join(out, 'loss'),
    lineChart([{ name: 'train loss', points: result.history.map((r) => [r.step, r.loss]) }, ...termSeries(result)], {
      title: `${dm.config.name}: training loss`,
      xLabel: 'step',
      yLabel: 'loss',
      logY: true,
    }),
  );
  let final: EvaluationResult | undefined;
  if (testDs && protocol !== 'diw') {
    const ev = await evaluate(dm, testDs, {
      protocol,
      flipTTA: cfg.eval?.flipTTA ?? true,
      limit: cfg.eval?.limit,
      inputSize: inputSizeWH,
      protocolOptions: { medianScaling: cfg.eval?.medianScaling },
      onError: evalOnError,
    });
    report.skipped.push(...ev.skipped.map((x) => x.message));
    final = ev.result as EvaluationResult;
    fs.writeFileSync(
      path.join(out, 'metrics.json'),
      JSON.stringify(
        { protocol, result: final, train: { steps: result.steps, seconds: result.seconds, samplesPerSecond: result.samplesPerSecond } },
        null,
        2,
      ),
    );
    fs.writeFileSync(path.join(out, 'metrics.md'), toMarkdownTable({ [dm.config.name]: final.metrics }));
  }
  report.lines().forEach((l) => log(l));
  return { output: out, backend, model: dm, train: result, final, skipped: report.skipped, warnings: report.warnings };
}

function termSeries(r: TrainResult): { name: string; points: [number, number][] }[] {
  const names = Object.keys(r.history[0]?.terms ?? {});
  return names.length > 1 ? names.map((n) => ({ name: n, points: r.history.map((h) => [h.step, h.terms[n]] as [number, number]) })) : [];
}
