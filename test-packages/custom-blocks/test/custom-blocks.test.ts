/**
 * Blocks defined and registered outside depthblocks (../src), used end to end through the public entry
 * points only: compose by import, train 2 steps, save, load, predict, and the CLI (train from a run config
 * naming them, then predict).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DepthblocksError, tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { Batcher, encodeRgb, renderSyntheticSample, syntheticDataset } from '@depthblocks/datasets';
import { combineLosses } from '@depthblocks/losses';
import { getEncoder, hasEncoder, type EncoderName } from '@depthblocks/encoders';
import { buildFromConfig, createDepthModel, depthToTarget, loadDepthModel, predict, saveDepthModel, train } from '@depthblocks/models';
import { main } from '@depthblocks/cli';
import { tinyCnn, tinyFuse } from '../src';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-custom-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await setupTestBackend();
});

const DEPTH = { kind: 'unit', maxDepth: 10 } as const;

test('composed by import: the objects are used, their options kept in the plain-JSON config', () => {
  const encoder = tinyCnn({ width: 4, seed: 1 });
  const dm = createDepthModel({ encoder, decoder: tinyFuse({ channels: 4, seed: 2 }), inputSize: [32, 32], depth: DEPTH });
  expect(dm.encoder).toBe(encoder);
  expect(dm.config.encoder).toEqual({ name: 'tiny_cnn', options: { width: 4, inChannels: 3, seed: 1 } });
  expect(dm.config.decoder).toEqual({ name: 'tiny_fuse', options: { channels: 4, seed: 2 } });
  expect(dm.model.outputs[0].shape).toEqual([null, 32, 32, 1]);
  dm.model.dispose();
});

test('registered names work like the built-in ones, typos included', () => {
  // types: the package's declaration merging makes editors complete and check its names and options (tsc -b checks this file)
  const names: EncoderName[] = ['resnet34', 'densenet169', 'tiny_cnn', 'unet_scratch'];
  expect(names.every(hasEncoder)).toBe(true);
  // @ts-expect-error: 'widht' is not a tiny_cnn option (and throws at run time too)
  expect(() => getEncoder('tiny_cnn', { widht: 2 })).toThrow(/did you mean "width"/);
  const dm = createDepthModel({ encoder: { name: 'tiny_cnn', options: { width: 2 } }, decoder: 'tiny_fuse' });
  expect(dm.config.decoder.options).toEqual({ channels: 8, seed: 0 });
  dm.model.dispose();
  expect(() => createDepthModel({ encoder: { name: 'tiny_cnn', options: { widht: 2 } }, decoder: 'tiny_fuse' })).toThrow(
    /^Model config: encoder.options: unknown key "widht" \(did you mean "width"\?\)$/,
  );
  expect(() => createDepthModel({ encoder: 'tiny_cnm', decoder: 'tiny_fuse' })).toThrow(
    /unknown encoder "tiny_cnm" \(did you mean "tiny_cnn"\?\)/,
  );
  let err: unknown;
  try {
    combineLosses({ edge_l2: 1 });
  } catch (e) {
    err = e;
  }
  expect((err as DepthblocksError).message).toMatch(/unknown loss term "edge_l2" \(did you mean "edge_l1"\?\)/);
});

test('trains 2 steps (with its own loss term), saves, loads and predicts the same', async () => {
  const dm = createDepthModel({
    name: 'tiny',
    encoder: tinyCnn({ width: 4, seed: 1 }),
    decoder: tinyFuse({ channels: 4, seed: 2 }),
    head: { activation: 'sigmoid' },
    inputSize: [32, 32],
    depth: DEPTH,
  });
  const batcher = new Batcher(syntheticDataset({ count: 4, width: 32, height: 32, seed: 3 }), { batchSize: 2, seed: 1 });
  const terms = combineLosses({ l1: 0.1, edge_l1: 1 });
  const before = tf.memory().numTensors;
  const result = await train({
    model: dm.model,
    data: batcher,
    epochs: 1,
    maxSteps: 2,
    optimizer: { lr: 1e-3 },
    progress: false,
    loss: (t, p, m) => {
      const y = depthToTarget(t, dm.config.depth) as tf.Tensor4D;
      const out = terms(y, p, m);
      y.dispose();
      return out;
    },
  });
  expect(result.steps).toBe(2);
  expect(result.history.every((h) => Number.isFinite(h.loss) && 'edge_l1' in h.terms)).toBe(true);
  expect(tf.memory().numTensors).toBe(before);

  const folder = path.join(dir, 'saved');
  await saveDepthModel(dm, folder);
  const loaded = await loadDepthModel(folder);
  expect(loaded.config).toEqual(dm.config);
  const x = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
  const a = predict(dm, x);
  const b = predict(loaded, x);
  expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
  expect(Math.max(...a.dataSync())).toBeLessThanOrEqual(10); // metres: sigmoid * maxDepth
  const rebuilt = buildFromConfig(JSON.parse(JSON.stringify(loaded.config)));
  expect(rebuilt.model.countParams()).toBe(dm.model.countParams());
  tf.dispose([x, a, b]);
  [dm.model, loaded.model, rebuilt.model].forEach((m) => m.dispose());
});

test('the CLI trains a run config that names the custom blocks and loss term, then predicts', async () => {
  const output = path.join(dir, 'run');
  const cfgFile = path.join(dir, 'run.json');
  const run = {
    model: {
      name: 'tiny_cli',
      encoder: { name: 'tiny_cnn', options: { width: 4 } },
      decoder: { name: 'tiny_fuse', options: { channels: 4 } },
      head: { activation: 'sigmoid' },
      inputSize: [24, 32],
      depth: DEPTH,
    },
    data: {
      train: { type: 'synthetic', count: 4, width: 32, height: 24, seed: 1 },
      test: { type: 'synthetic', count: 2, width: 32, height: 24, seed: 2 },
    },
    train: { epochs: 1, batchSize: 2, maxSteps: 2, loss: { l1: 0.1, edge_l1: 1 }, evalEvery: 0 },
    eval: { flipTTA: false },
    output,
    backend: 'wasm',
    threads: 1,
  };
  fs.writeFileSync(cfgFile, JSON.stringify(run));
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    expect(await main(['train', '--config', cfgFile, '--quiet'])).toBe(0);
    const saved = JSON.parse(fs.readFileSync(path.join(output, 'model', 'model.json'), 'utf8'));
    expect(saved.userDefinedMetadata.depthblocks.encoder).toEqual({ name: 'tiny_cnn', options: { width: 4, inChannels: 3, seed: 0 } });
    const images = path.join(dir, 'images');
    fs.mkdirSync(images);
    const s = renderSyntheticSample(9, 40, 30);
    fs.writeFileSync(path.join(images, 'a.png'), await encodeRgb(s.rgb, s.width, s.height));
    const pred = path.join(dir, 'pred');
    const code = await main(['predict', '--model', path.join(output, 'model'), '--output', pred, '--no-compare', '--threads', '1', images]);
    expect(code).toBe(0);
    expect(fs.readdirSync(pred).sort()).toEqual(['a_color.png', 'a_depth.png']);
  } finally {
    log.mockRestore();
  }
});
