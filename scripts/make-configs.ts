/**
 * Writes configs/<preset>.json, one run config per preset, from the presets' own training recipes
 * (so configs and presets cannot drift apart; test: packages/cli/test/configs.test.ts).
 * Run: node -r ./scripts/ts-hook.js scripts/make-configs.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { getPreset, listPresets, type TrainingRecipe } from '@depthblocks/models';

const out = path.resolve(__dirname, '../configs');
fs.mkdirSync(out, { recursive: true });
for (const { name } of listPresets()) {
  const preset = getPreset(name);
  const t = preset.metadata.training as TrainingRecipe;
  const denseDepth = name.startsWith('densedepth');
  const kitti = t.dataset === 'kitti';
  const data = kitti
    ? {
        train: { type: 'kitti', listFile: 'data/kitti/train_files.txt', rgbRoot: 'data/kitti/raw', depthRoot: 'data/kitti/raw' },
        test: {
          type: 'kitti',
          listFile: 'data/kitti/eigen_test_files_with_gt.txt',
          rgbRoot: 'data/kitti/raw',
          depthRoot: 'data/kitti/raw',
        },
      }
    : denseDepth
      ? {
          train: { type: 'nyu-zip', path: 'data/nyu_data.zip', split: 'train' },
          test: { type: 'nyu-zip', path: 'data/nyu_data.zip', split: 'test' },
        }
      : {
          train: { type: 'nyu-labeled', path: 'data/nyu_depth_v2_labeled.mat', split: 'train' },
          test: { type: 'nyu-labeled', path: 'data/nyu_depth_v2_labeled.mat', split: 'test' },
        };
  const { name: optName, lr, weightDecay } = t.optimizer;
  const cfg = {
    $comment: [
      `Preset ${name}: ${preset.metadata.paper}.`,
      'Values the source does not state are marked in "notes"; edit data paths to your copies.',
      ...t.notes,
    ],
    model: name,
    data,
    train: {
      epochs: t.epochs ?? 20,
      batchSize: t.batchSize ?? 8,
      ...(t.inputSize ? { inputSize: t.inputSize } : {}),
      optimizer: { name: optName, lr: lr ?? 1e-4, ...(weightDecay ? { weightDecay } : {}) },
      loss: t.loss,
      augmentation: t.augmentation,
      ...(t.freezeEncoderEpochs ? { freezeEncoderEpochs: t.freezeEncoderEpochs } : {}),
      ...(t.loss.perceptual ? { perceptualWeights: 'weights/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5' } : {}),
      evalEvery: 1,
      evalLimit: 64,
    },
    eval: { protocol: kitti ? 'kitti-eigen-garg' : denseDepth ? 'nyu-densedepth' : 'nyu-eigen', flipTTA: t.tta === 'flip' },
    output: `runs/${name}`,
    seed: 0,
  };
  fs.writeFileSync(path.join(out, `${name}.json`), JSON.stringify(cfg, null, 2) + '\n');
  console.log(`configs/${name}.json`);
}
