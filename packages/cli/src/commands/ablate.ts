/**
 * `depthblocks ablate`: runs config variants (loss terms on and off, encoders swapped, ...) on the same data and
 * seed, and writes a comparison table (markdown + JSON) and plots of the metrics and the loss curves.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DepthblocksError, parseWithSchema, z } from '@depthblocks/core';
import { toMarkdownTable, type DepthMetrics } from '@depthblocks/metrics';
import { barChart, lineChart } from '@depthblocks/models';
import { writeSvgAndPng } from '../output';
import { checkRunConfig, mergeConfig, type RunConfig } from '../run-config';
import { runTrain } from './train';

/** The schema of an ablation config; each variant's merged run config is checked against the run-config schema. */
export const ablationConfigSchema = z.strictObject({
  $comment: z.union([z.string(), z.array(z.string())]).optional(),
  name: z.string().min(1),
  /** The run config every variant starts from. */
  base: z.record(z.string(), z.unknown()),
  /** Each variant patches the base (deep merge), e.g. { "train": { "loss": { "ssim": 0 } } }. */
  variants: z.array(z.strictObject({ name: z.string().min(1), patch: z.record(z.string(), z.unknown()) })).min(1),
  output: z.string().optional(),
});

/** An ablation: a base run config and its variants. */
export interface AblationConfig extends Omit<z.input<typeof ablationConfigSchema>, 'base' | 'variants'> {
  base: RunConfig;
  variants: { name: string; patch: Partial<RunConfig> | Record<string, unknown> }[];
}

export interface AblationRow {
  name: string;
  metrics?: DepthMetrics;
  steps: number;
  seconds: number;
  samplesPerSecond: number;
  finalLoss: number;
  parameters: number;
}

/**
 * Checks an ablation config and each variant's run config (base + patch), before anything runs:
 * INVALID_CONFIG names the variant and the field, with a "did you mean" for typos.
 */
export function checkAblationConfig(a: unknown, where = 'ablation config'): AblationConfig {
  const c = parseWithSchema(ablationConfigSchema, a, `Ablation config ${where}`);
  const names = new Set<string>();
  for (const v of c.variants) {
    if (names.has(v.name))
      throw new DepthblocksError('INVALID_CONFIG', `Ablation config ${where}: variants: the name "${v.name}" is used twice`);
    names.add(v.name);
    checkRunConfig(mergeConfig(c.base, v.patch), `${where}, variant ${v.name}`);
  }
  return a as AblationConfig;
}

/** Reads an ablation config file, with errors that name the file (missing, not JSON, wrong shape). */
export function readAblationConfig(file: string): AblationConfig {
  if (!fs.existsSync(file)) {
    throw new DepthblocksError(
      'FILE_NOT_FOUND',
      `Ablation config not found: ${file}. Examples ship in the repository's configs/ folder (configs/ablation-loss.json, configs/ablation-encoder.json)`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DepthblocksError('INVALID_ARGUMENT', `Ablation config ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return checkAblationConfig(json, file);
}

/** Runs every variant and writes `<output>/ablation.md`, `ablation.json`, `metrics.svg/.png`, `loss.svg/.png`. */
export async function runAblation(
  a: AblationConfig,
  opts: { progress?: boolean | ((l: string) => void); log?: (l: string) => void } = {},
): Promise<{ rows: AblationRow[]; output: string; files: string[] }> {
  checkAblationConfig(a);
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const out = path.resolve(a.output ?? path.join('runs', `ablation-${a.name}`));
  fs.mkdirSync(out, { recursive: true });
  const rows: AblationRow[] = [];
  const curves: { name: string; points: [number, number][] }[] = [];
  for (const v of a.variants) {
    log(`== ${a.name}: variant ${v.name}`);
    const cfg = mergeConfig<RunConfig>(a.base, { ...v.patch, output: path.join(out, v.name) });
    const r = await runTrain(cfg, { progress: opts.progress, log });
    const h = r.train.history;
    rows.push({
      name: v.name,
      metrics: r.final?.metrics,
      steps: r.train.steps,
      seconds: r.train.seconds,
      samplesPerSecond: r.train.samplesPerSecond,
      finalLoss: h.length ? h.slice(-5).reduce((s, x) => s + x.loss, 0) / Math.min(5, h.length) : NaN,
      parameters: r.model.model.countParams(),
    });
    curves.push({ name: v.name, points: h.map((x) => [x.step, x.loss]) });
    r.model.model.dispose();
  }
  const withMetrics = rows.filter((r) => r.metrics);
  const table = withMetrics.length ? toMarkdownTable(Object.fromEntries(withMetrics.map((r) => [r.name, r.metrics!]))) : '';
  const md = [
    `# Ablation: ${a.name}`,
    '',
    table,
    '| variant | parameters | steps | s | samples/s | final loss |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.parameters.toLocaleString('en-US')} | ${r.steps} | ${r.seconds.toFixed(1)} | ${r.samplesPerSecond.toFixed(1)} | ${r.finalLoss.toPrecision(4)} |`,
    ),
    '',
  ].join('\n');
  const files = [path.join(out, 'ablation.md'), path.join(out, 'ablation.json')];
  fs.writeFileSync(files[0], md);
  fs.writeFileSync(files[1], JSON.stringify({ name: a.name, rows }, null, 2));
  if (withMetrics.length) {
    const keys: (keyof DepthMetrics)[] = ['d1', 'absRel', 'rmse', 'log10'];
    files.push(
      ...(await writeSvgAndPng(
        path.join(out, 'metrics'),
        barChart(
          ['d1 (higher is better)', 'abs rel', 'rmse', 'log10'],
          withMetrics.map((r) => ({ name: r.name, values: keys.map((k) => r.metrics![k]) })),
          { title: `${a.name}: test metrics` },
        ),
      )),
    );
  }
  files.push(
    ...(await writeSvgAndPng(
      path.join(out, 'loss'),
      lineChart(curves, { title: `${a.name}: training loss (each variant's own loss)`, xLabel: 'step', logY: true }),
    )),
  );
  return { rows, output: out, files };
}
