/** `depthblocks eval`: evaluate a saved model (or a preset) on a dataset under a protocol; folders, shards and merge. */
import * as fs from 'fs';
import * as path from 'path';
import { DepthblocksError } from '@depthblocks/core';
import { setupBackend } from '@depthblocks/backend';
import { openDataset } from '@depthblocks/datasets';
import { toJSONReport, toMarkdownTable, type EvaluationResult } from '@depthblocks/metrics';
import { evaluate, loadOnnxFile, mergeEvaluations, type EvaluationOutput, type InferenceRuntime } from '@depthblocks/models';
import { buildModel, runInputSize } from '../build';
import { isOnnxFile } from '../model-source';
import { parseShardFileName, shardFileName } from '../shard';
import { checkRunConfig, type RunConfig } from '../run-config';
import { datasetOnError, defaultProtocol, RunReport } from './train';

export interface EvalRunOptions {
  shard?: [number, number];
  /** Where to write the result JSON (and the state to merge shards). */
  out?: string;
  /** A folder to write the result JSON to as shard-<i>-of-<N>.json (what `eval merge DIR` reads). */
  outDir?: string;
  /** 'tfjs' (default) or 'onnx'; a .onnx modelDir always runs on ONNX Runtime. */
  runtime?: InferenceRuntime;
  log?: (line: string) => void;
}

/** Evaluates `cfg.modelDir` (or the config's model) on `cfg.data.test`. */
export async function runEval(cfg: RunConfig, opts: EvalRunOptions = {}): Promise<EvaluationOutput> {
  checkRunConfig(cfg);
  if (!cfg.data.test)
    throw new DepthblocksError(
      'INVALID_CONFIG',
      'Run config: data.test: is required for eval (a data spec), or --rgb DIR --depth DIR for two folders',
    );
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  await setupBackend({ backend: cfg.backend, threads: cfg.threads });
  if (isOnnxFile(cfg.modelDir) && opts.runtime === 'tfjs') {
    throw new DepthblocksError('INVALID_ARGUMENT', `${cfg.modelDir} is an ONNX model: it runs on ONNX Runtime (--runtime onnx)`);
  }
  const dm = isOnnxFile(cfg.modelDir) ? await loadOnnxFile(cfg.modelDir, { threads: cfg.threads }) : await buildModel(cfg);
  const protocol = defaultProtocol(cfg);
  const spec =
    cfg.data.test.type === 'folders' && !cfg.data.test.dataset
      ? { ...cfg.data.test, dataset: protocol.startsWith('kitti') ? ('kitti' as const) : ('nyu' as const) }
      : cfg.data.test;
  const report = new RunReport();
  const ds = await openDataset(spec, { onError: datasetOnError(cfg), onWarning: report.warn });
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
    onError: datasetOnError(cfg),
    runtime: opts.runtime,
    onnx: { threads: cfg.threads },
    onImage: () => {
      n++;
      if (n % 10 === 0) log(`evaluated ${n} images (${((1000 * n) / (performance.now() - t0)).toFixed(1)}/s)`);
    },
  });
  report.skipped.push(...out.skipped.map((s) => s.message));
  report.lines().forEach((l) => log(l));
  const outFile = opts.outDir ? path.join(opts.outDir, shardFileName(opts.shard ?? [0, 1])) : opts.out;
  if (outFile) {
    fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
    fs.writeFileSync(
      outFile,
      JSON.stringify({ protocol, shard: opts.shard, samples: out.samples, result: out.result, state: out.state }, null, 2),
    );
  }
  return out;
}

/** One line that says what was measured: how many images, under which protocol, with what skipped. */
export function formatEvalSummary(out: EvaluationOutput): string {
  const shard = out.shard ? `, shard ${out.shard[0]}/${out.shard[1]}` : '';
  const skipped = out.skipped.length ? `, ${out.skipped.length} skipped` : '';
  return `${out.samples} image(s), protocol ${out.protocol}${shard}${skipped}`;
}

/**
 * The shard files of a folder written by `eval --out-dir DIR`: all N of one run, or an error naming the missing
 * ones.
 */
export function shardFiles(dir: string): string[] {
  const found = fs
    .readdirSync(dir)
    .map((f) => [f, parseShardFileName(f)] as const)
    .filter(([, s]) => s !== null);
  if (found.length === 0)
    throw new DepthblocksError('FILE_NOT_FOUND', `No shard-<i>-of-<N>.json files in ${dir} (written by eval --out-dir)`);
  const counts = new Set(found.map(([, s]) => s![1]));
  if (counts.size > 1) {
    throw new DepthblocksError(
      'INVALID_DATA',
      `${dir} mixes runs with different shard counts (${[...counts].join(', ')}); keep one run per folder`,
    );
  }
  const n = [...counts][0];
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !found.some(([, s]) => s![0] === i));
  if (missing.length) {
    throw new DepthblocksError(
      'INVALID_DATA',
      `${dir} has ${found.length} of ${n} shards; missing shard(s) ${missing.join(', ')} (run them, then merge)`,
    );
  }
  return found.map(([f]) => path.join(dir, f)).sort();
}

/**
 * Merges shard result files written by `eval --shard i/N --out f` (or the folders of `eval --out-dir DIR`) into
 * one result; errors name the file.
 */
export function runMerge(files: string[]): EvaluationResult | ReturnType<typeof mergeEvaluations> {
  const all = files.flatMap((f) => (fs.existsSync(f) && fs.statSync(f).isDirectory() ? shardFiles(f) : [f]));
  const states = all.map((f) => {
    if (!fs.existsSync(f)) throw new DepthblocksError('FILE_NOT_FOUND', `Shard result not found: ${f}`);
    let json: { state?: unknown };
    try {
      json = JSON.parse(fs.readFileSync(f, 'utf8'));
    } catch (e) {
      throw new DepthblocksError(
        'CORRUPT_FILE',
        `Shard result ${f} is not valid JSON (${(e as Error).message}); it should be a file written by 'depthblocks eval --shard i/N --out ${f}'`,
      );
    }
    if (!json || typeof json !== 'object' || !json.state)
      throw new DepthblocksError('INVALID_DATA', `Shard result ${f} has no "state": it was not written by 'depthblocks eval --out'`);
    return json.state;
  });
  return mergeEvaluations(states as never);
}

/** Markdown (depth protocols) or JSON text of a result. */
export function formatResult(name: string, r: ReturnType<typeof mergeEvaluations>): string {
  return 'wholeSet' in r ? toMarkdownTable({ [name]: r.metrics }) : toJSONReport(r as never);
}
