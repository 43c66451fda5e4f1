/**
 * The Maastricht brief's two stages: (1) NYU with MSE on depth/10 m, Adam 1e-3 with weight decay 0.02, encoder
 * frozen for the first 2 epochs; (2) fine-tuning on Depth in the Wild with the ranking loss, evaluated by
 * WHDR (ordinal error) on the test pairs.
 *
 *   node examples/dist/maastricht-two-stage.js [--model lraspp_mobilenetv3|unetplusplus_resnext50]
 *   node examples/dist/maastricht-two-stage.js --mat data/nyu_depth_v2_labeled.mat --diw-csv DIW_train_val.csv --diw-root DIW
 *
 * Without real data: synthetic scenes for stage 1, and for stage 2 the same renderer with one random point
 * pair per image labelled from its depth (withOrdinalPairs), as DIW has one pair per image.
 */
import * as path from 'path';
import { setupBackend } from '@depthblocks/backend';
import { evaluate, train, type DepthModel } from '@depthblocks/models';
import { Batcher, diw, resize, syntheticDataset, withOrdinalPairs, type Dataset } from '@depthblocks/datasets';
import { runTrain, type RunConfig } from '@depthblocks/cli';
import { ranking } from '@depthblocks/losses';
import { exampleArgs, nyuLabeledData, syntheticData } from './common';

async function main(): Promise<void> {
  const a = exampleArgs(
    { model: { type: 'string' }, mat: { type: 'string' }, 'diw-csv': { type: 'string' }, 'diw-root': { type: 'string' } },
    { size: '64x64', steps: 4 },
  );
  const preset = String(a.values.model ?? 'lraspp_mobilenetv3');
  const out = a.out ?? `runs/example-maastricht-${preset}`;
  const inputSize: [number, number] = a.values.mat ? [200, 200] : a.size;
  // Stage 1: NYU (or synthetic), MSE on depth / 10 m
  const stage1: RunConfig = {
    model: preset,
    presetOptions: { inputSize },
    data: a.values.mat ? nyuLabeledData(String(a.values.mat)) : syntheticData(a.size, 32, 8),
    train: {
      epochs: a.values.mat ? 8 : 3,
      batchSize: 8,
      maxSteps: a.steps,
      inputSize,
      optimizer: { name: 'adam', lr: 1e-3, weightDecay: 0.02 },
      loss: { mse: 1 },
      freezeEncoderEpochs: 2,
      evalEvery: 0,
    },
    eval: { protocol: 'nyu-eigen', flipTTA: false, limit: 16 },
    output: path.join(out, 'stage1-nyu'),
    threads: a.threads,
  };
  const s1 = await runTrain(stage1);
  const dm: DepthModel = s1.model;
  if (s1.final) console.log(`stage 1 (NYU): MSE-trained, d1 ${s1.final.metrics.d1.toFixed(3)} rmse ${s1.final.metrics.rmse.toFixed(3)}`);

  // Stage 2: ranking loss on point pairs (DIW)
  await setupBackend({ threads: a.threads });
  const diwTrain: Dataset = a.values['diw-csv']
    ? await diw({ csvFile: String(a.values['diw-csv']), imageRoot: a.values['diw-root'] as string | undefined })
    : withOrdinalPairs(syntheticDataset({ count: 64, width: a.size[1], height: a.size[0], seed: 3 }), { pairsPerImage: 1, seed: 3 });
  const diwTest: Dataset = withOrdinalPairs(syntheticDataset({ count: 32, width: a.size[1], height: a.size[0], seed: 4 }), {
    pairsPerImage: 1,
    seed: 4,
  });
  const whdr = async (): Promise<number> =>
    (
      (await evaluate(dm, diwTest, { protocol: 'diw', inputSize: { height: inputSize[0], width: inputSize[1] } })).result as {
        whdr: number;
      }
    ).whdr;
  const before = await whdr();
  const batcher = new Batcher(diwTrain, { batchSize: 8, seed: 5, transform: resize({ height: inputSize[0], width: inputSize[1] }) });
  const r = await train({
    model: dm.model,
    data: batcher,
    epochs: 2,
    maxSteps: a.steps,
    optimizer: { name: 'adam', lr: 1e-4, weightDecay: 0.02 },
    progress: false,
    loss: (_t, p, _m, ctx) => ranking(null, p, undefined, ctx),
  });
  const after = await whdr();
  console.log(
    `stage 2 (DIW ranking loss, ${r.steps} steps): WHDR ${before.toFixed(3)} -> ${after.toFixed(3)} (ordinal accuracy ${(1 - after).toFixed(3)}; brief: 0.584 LR-ASPP, 0.653 U-Net++)`,
  );
}
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
