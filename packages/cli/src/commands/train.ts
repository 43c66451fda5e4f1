/** `depthblocks train`: build the model, train it on the config's data, evaluate, save everything. */
import * as fs from 'fs';
import * as path from 'path';
import { DepthblocksError } from '@depthblocks/core';
import { setupBackend, type BackendInfo } from '@depthblocks/backend';
import type { EvaluationResult } from '@depthblocks/metrics';
import { toMarkdownTable } from '@depthblocks/metrics';
import { evaluate, lineChart, saveDepthModel, train, type DepthModel, type TrainResult } from '@depthblocks/models';
import { buildBatcher, buildLoss, buildModel, runInputSize } from '../build';
import { openDataset } from '@depthblocks/datasets';
import { writeSvgAndPng } from '../output';
import { checkRunConfig, type RunConfig } from '../run-config';

export interface TrainRunResult {
  output: string;
  backend: BackendInfo;
  model: DepthModel;
  train: TrainResult;
  /** Final evaluation on data.test (with the config's flip TTA), when there is test data. */
  final?: EvaluationResult;
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

/**
 * Trains as the config says and writes into its output folder: checkpoint.safetensors (resumable),
 * log.jsonl, loss.svg/.png, model/ (tfjs format), metrics.json and metrics.md. The config is checked first
 * (INVALID_CONFIG naming each wrong field), before the backend is set up, a model built or a file written.
 */
export async function runTrain(
  cfg: RunConfig,
  opts: { progress?: boolean | ((line: string) => void); log?: (line: string) => void } = {},
): Promise<TrainRunResult> {
  checkRunConfig(cfg);
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const backend = await setupBackend({ backend: cfg.backend, threads: cfg.threads });
  log(`backend: ${backend.name}, ${backend.threads} thread(s) (${backend.reason})`);
  if (!cfg.data.train) throw new DepthblocksError('INVALID_CONFIG', 'Run config: data.train: is required for train (a data spec)');
  const dm = await buildModel(cfg);
  const out = path.resolve(cfg.output ?? path.join('runs', dm.config.name));
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'config.json'), JSON.stringify(cfg, null, 2));
  const trainDs = await openDataset(cfg.data.train);
  const testDs = cfg.data.test ? await openDataset(cfg.data.test) : null;
  const inputSize = runInputSize(cfg, dm);
  const batcher = buildBatcher(cfg, trainDs, inputSize);
  const { loss, warnings } = await buildLoss(cfg, dm.config.depth);
  warnings.forEach((w) => log(`warning: ${w}`));
  const protocol = defaultProtocol(cfg);
  const t = cfg.train ?? {};
  const evalEvery = t.evalEvery ?? 1;
  const inputSizeWH = inputSize ? { height: inputSize[0], width: inputSize[1] } : undefined;
  log(`model ${dm.config.name}: ${dm.config.encoder.name} + ${dm.config.decoder.name}; ${trainDs.length} training samples; output ${out}`);
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
    checkpoint: path.join(out, 'checkpoint.safetensors'),
    resume: t.resume ?? true,
    logFile: path.join(out, 'log.jsonl'),
    progress: opts.progress,
    modelConfig: dm.config,
    evalEvery: testDs && evalEvery > 0 ? evalEvery : undefined,
    evaluate:
      testDs && evalEvery > 0 && protocol !== 'diw'
        ? async () =>
            headline(
              (await evaluate(dm, testDs, { protocol, limit: t.evalLimit ?? 32, inputSize: inputSizeWH })).result as EvaluationResult,
            )
        : undefined,
    monitor: testDs && protocol !== 'diw' ? 'rmse' : 'loss',
  });
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
    });
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
  return { output: out, backend, model: dm, train: result, final };
}

function termSeries(r: TrainResult): { name: string; points: [number, number][] }[] {
  const names = Object.keys(r.history[0]?.terms ?? {});
  return names.length > 1 ? names.map((n) => ({ name: n, points: r.history.map((h) => [h.step, h.terms[n]] as [number, number]) })) : [];
}
