/**
 * The quickstart: renders the built-in synthetic RGB-D set, trains a small U-Net (ResNet-18 encoder) that fits
 * a 2-core laptop, evaluates it before and after training and against the best constant-depth predictor, and
 * writes depth PNGs, side-by-side images, a loss-curve plot and the metrics table.
 *
 *   npm start                                  (from the repository root: builds, then runs this)
 *   node examples/dist/quickstart.js --minutes 2 --out runs/quick
 *
 * Options: --minutes M (training time budget, default 4), --size WxH (default 64x48), --train N (default 800),
 * --test N (default 64), --out DIR (default runs/quickstart), --threads N.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { writeSvgAndPng } from '@depthblocks/cli';
import { tf } from '@depthblocks/core';
import { setupBackend } from '@depthblocks/backend';
import { Batcher, compose, randomChannelPermutation, randomHorizontalFlip, syntheticDataset, type Dataset } from '@depthblocks/datasets';
import { combineLosses } from '@depthblocks/losses';
import { createAccumulator, toMarkdownTable, type DepthMetrics } from '@depthblocks/metrics';
import {
  constantBaseline,
  createDepthModel,
  depthToTarget,
  evaluate,
  lineChart,
  predict,
  sampleToInput,
  saveDepthModel,
  train,
  writeDepthOutputs,
} from '@depthblocks/models';

const PROTOCOL = 'nyu-eigen'; // caps 1e-3..10 m, Eigen crop (scaled to the image size), per-image averages

async function constantMetrics(ds: Dataset, c: number): Promise<DepthMetrics> {
  const acc = createAccumulator(PROTOCOL);
  for (let i = 0; i < ds.length; i++) {
    const s = await ds.get(i);
    acc.add({ gt: s.depth, width: s.width, height: s.height, pred: new Float32Array(s.depth.length).fill(c) });
  }
  return acc.result().metrics;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string' },
      size: { type: 'string' },
      train: { type: 'string' },
      test: { type: 'string' },
      out: { type: 'string' },
      threads: { type: 'string' },
    },
  });
  const minutes = Number(values.minutes ?? 4);
  const [width, height] = (values.size ?? '64x48').split('x').map(Number);
  const out = path.resolve(values.out ?? 'runs/quickstart');
  fs.mkdirSync(out, { recursive: true });
  const say = (s: string): void => console.log(s);
  const t0 = performance.now();

  const backend = await setupBackend({ threads: values.threads ? Number(values.threads) : undefined });
  say(`depthblocks quickstart: backend ${backend.name}, ${backend.threads} thread(s) (${backend.reason})`);

  // 1. data: the procedural indoor scenes (exact depth), train and test from different seeds
  const trainSet = syntheticDataset({ count: Number(values.train ?? 800), width, height, seed: 1 });
  const testSet = syntheticDataset({ count: Number(values.test ?? 64), width, height, seed: 2 });
  const trainSamples = await Promise.all(Array.from({ length: Math.min(200, trainSet.length) }, (_, i) => trainSet.get(i)));
  say(`data: ${trainSet.length} training and ${testSet.length} test scenes at ${width}x${height}`);

  // 2. a model composed by name; depth is learnt as depth/10 m in [0, 1] (sigmoid output)
  const dm = createDepthModel({
    name: 'quickstart_unet_resnet18',
    encoder: { name: 'resnet18', options: { seed: 1 } }, // seeded initial weights: the same run every time
    decoder: { name: 'unet', options: { channels: [128, 64, 32, 16, 16], seed: 1 } },
    head: { activation: 'sigmoid', outputSize: 'input' },
    inputSize: [height, width],
    depth: { kind: 'unit', maxDepth: 10 },
  });
  say(`model: ResNet-18 encoder + U-Net decoder, ${dm.model.countParams().toLocaleString('en-US')} parameters`);

  // 3. baselines: the best constant depth (median of the training depths) and the untrained model
  const c = constantBaseline(trainSamples);
  const rows: Record<string, DepthMetrics> = {};
  rows[`constant ${c.toFixed(2)} m`] = await constantMetrics(testSet, c);
  rows['before training'] = ((await evaluate(dm, testSet, { protocol: PROTOCOL })).result as { metrics: DepthMetrics }).metrics;

  // 4. train: DenseDepth-style loss (L1 + image gradients + SSIM) on the normalised depth, flip and colour augmentation
  const terms = combineLosses({ l1: 1, grad: 1, ssim: 1 }, { ssim: { maxVal: 1 } });
  const loss = (t: tf.Tensor4D, p: tf.Tensor4D, m?: tf.Tensor4D) => {
    const y = depthToTarget(t, dm.config.depth) as tf.Tensor4D;
    const r = terms(y, p, m);
    y.dispose();
    return r;
  };
  const batcher = new Batcher(trainSet, {
    batchSize: 8,
    seed: 1,
    transform: compose(randomHorizontalFlip(0.5), randomChannelPermutation(0.25)),
  });
  say(`training for up to ${minutes} minute(s)...`);
  const result = await train({
    model: dm.model,
    loss,
    data: batcher,
    epochs: 50,
    optimizer: { name: 'adam', lr: 1e-3 },
    // constant rate: a time budget gives no known step count for a decaying schedule
    maxSeconds: minutes * 60,
    logFile: path.join(out, 'log.jsonl'),
    checkpoint: path.join(out, 'checkpoint.safetensors'),
    evaluate: async () => {
      const r = await evaluate(dm, testSet, { protocol: PROTOCOL, limit: 16 });
      const m = (r.result as { metrics: DepthMetrics }).metrics;
      return { d1: m.d1, absRel: m.absRel, rmse: m.rmse };
    },
    evalEvery: 2,
  });
  say(
    `trained ${result.steps} steps (${(result.steps / Math.max(1, batcher.batchesPerEpoch)).toFixed(1)} epochs) in ${result.seconds.toFixed(0)} s, ${result.samplesPerSecond.toFixed(1)} samples/s`,
  );

  // 5. evaluate after training (with flip test-time augmentation)
  rows['after training'] = ((await evaluate(dm, testSet, { protocol: PROTOCOL })).result as { metrics: DepthMetrics }).metrics;
  rows['after training + flip TTA'] = (
    (await evaluate(dm, testSet, { protocol: PROTOCOL, flipTTA: true })).result as { metrics: DepthMetrics }
  ).metrics;
  const table = toMarkdownTable(rows);
  fs.writeFileSync(
    path.join(out, 'metrics.md'),
    `# depthblocks quickstart (${PROTOCOL} protocol, ${testSet.length} synthetic test scenes)\n\n${table}`,
  );
  fs.writeFileSync(
    path.join(out, 'metrics.json'),
    JSON.stringify({ protocol: PROTOCOL, rows, train: { steps: result.steps, seconds: result.seconds } }, null, 2),
  );

  // 6. pictures: depth PNGs (16-bit mm + colour) and RGB | prediction | ground truth for a few test scenes
  const pictures: string[] = [];
  for (let i = 0; i < 4; i++) {
    const s = await testSet.get(i);
    const x = sampleToInput(s);
    const p = predict(dm, x, { flipTTA: true });
    const d = (await p.data()) as Float32Array;
    tf.dispose([x, p]);
    pictures.push(
      ...(await writeDepthOutputs(path.join(out, 'predictions'), `test_${i}`, d, s.width, s.height, {
        sideBySide: true, // the labelled figure, in the default colour map (turbo), as `depthblocks predict` writes
        rgb: { rgb: s.rgb, width: s.width, height: s.height },
        groundTruth: { depth: s.depth, width: s.width, height: s.height },
      })),
    );
  }
  const svg = lineChart(
    [
      { name: 'loss', points: result.history.map((r) => [r.step, r.loss]) },
      ...['l1', 'grad', 'ssim'].map((k) => ({ name: k, points: result.history.map((r) => [r.step, r.terms[k]] as [number, number]) })),
    ],
    { title: 'quickstart: training loss', xLabel: 'step', yLabel: 'loss', logY: true },
  );
  await writeSvgAndPng(path.join(out, 'loss'), svg);
  await saveDepthModel(dm, path.join(out, 'model'));

  say(`\n${table}`);
  say(`Look in ${out}:`);
  say(`  metrics.md               the table above (constant predictor, before and after training)`);
  say(`  predictions/*_compare.png RGB | prediction | ground truth | error, labelled, colour bars in metres`);
  say(`  predictions/*_depth.png   predicted depth as 16-bit PNG in millimetres`);
  say(`  loss.png / loss.svg       the training loss curve;  log.jsonl  every step's loss`);
  say(
    `  model/                    the trained model (tfjs format): npx depthblocks predict --model ${path.relative(process.cwd(), path.join(out, 'model')) || '.'} <images>`,
  );
  say(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
