/** `depthblocks eval`: evaluate a saved model (or a preset) on a dataset under a protocol; shards and merge. */
import * as fs from 'fs';
import * as path from 'path';
import { DepthblocksError } from '@depthblocks/core';
import { setupBackend } from '@depthblocks/backend';
import { toJSONReport, toMarkdownTable, type EvaluationResult } from '@depthblocks/metrics';
import { evaluate, mergeEvaluations, type EvaluationOutput } from '@depthblocks/models';
import { buildModel, runInputSize } from '../build';
import { openDataset } from '@depthblocks/datasets';
import { checkRunConfig, type RunConfig } from '../run-config';
import { defaultProtocol } from './train';

export interface EvalRunOptions {
  shard?: [number, number];
  /** Where to write the result JSON (and the state to merge shards). */
  out?: string;
  log?: (line: string) => void;
}

/** Evaluates `cfg.modelDir` (or the config's model) on `cfg.data.test`. */
export async function runEval(cfg: RunConfig, opts: EvalRunOptions = {}): Promise<EvaluationOutput> {
  checkRunConfig(cfg);
  if (!cfg.data.test) throw new DepthblocksError('INVALID_CONFIG', 'Run config: data.test: is required for eval (a data spec)');
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  await setupBackend({ backend: cfg.backend, threads: cfg.threads });
  const dm = await buildModel(cfg);
  const ds = await openDataset(cfg.data.test);
  const protocol = defaultProtocol(cfg);
  const size = runInputSize(cfg, dm);
  let n = 0;
  const t0 = performance.now();
  const out = await evaluate(dm, ds, {
    protocol,
    flipTTA: cfg.eval?.flipTTA ?? true,
    limit: cfg.eval?.limit,
    shard: opts.shard,
    inputSize: size ? { height: size[0], width: size[1] } : undefined,
    protocolOptions: { medianScaling: cfg.eval?.medianScaling },
    onImage: () => {
      n++;
      if (n % 10 === 0) log(`evaluated ${n} images (${((1000 * n) / (performance.now() - t0)).toFixed(1)}/s)`);
    },
  });
  if (opts.out) {
    fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
    fs.writeFileSync(
      opts.out,
      JSON.stringify({ protocol, shard: opts.shard, samples: out.samples, result: out.result, state: out.state }, null, 2),
    );
  }
  return out;
}

/** Merges shard result files written by `eval --shard i/N --out f` into one result. */
export function runMerge(files: string[]): EvaluationResult | ReturnType<typeof mergeEvaluations> {
  const states = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')).state);
  return mergeEvaluations(states);
}

/** Markdown (depth protocols) or JSON text of a result. */
export function formatResult(name: string, r: ReturnType<typeof mergeEvaluations>): string {
  return 'wholeSet' in r ? toMarkdownTable({ [name]: r.metrics }) : toJSONReport(r as never);
}
