import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DepthblocksError, tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { readCheckpoint, train } from '../../src/node';
import { l1Loss, tinyModel, toyData, weightsOf } from './helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-train-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await setupTestBackend();
});

test('the loss falls on a learnable problem, every step is logged, and nothing leaks', async () => {
  const { model } = tinyModel();
  const before = tf.memory().numTensors;
  const logFile = path.join(dir, 'log.jsonl');
  const res = await train({ model, loss: l1Loss, data: toyData(4), epochs: 6, optimizer: { lr: 0.01 }, logFile, progress: false });
  expect(tf.memory().numTensors).toBe(before);
  expect(res.steps).toBe(24);
  const first = res.history.slice(0, 4).reduce((a, r) => a + r.loss, 0);
  const last = res.history.slice(-4).reduce((a, r) => a + r.loss, 0);
  expect(last).toBeLessThan(first * 0.6);
  const lines = fs
    .readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines).toHaveLength(24);
  expect(lines[0]).toMatchObject({ type: 'step', step: 1, epoch: 0 });
  expect(res.samplesPerSecond).toBeGreaterThan(0);
  model.dispose();
});

test('resume continues exactly: 2 + 3 steps (mid-epoch) equal 5 straight steps', async () => {
  const straight = tinyModel(5).model;
  await train({
    model: straight,
    loss: l1Loss,
    data: toyData(2),
    epochs: 3,
    optimizer: { name: 'adamw', lr: 0.01, weightDecay: 0.1 },
    maxSteps: 5,
    progress: false,
  });
  const ckpt = path.join(dir, 'resume.safetensors');
  const a = tinyModel(5).model;
  await train({
    model: a,
    loss: l1Loss,
    data: toyData(2),
    epochs: 3,
    optimizer: { name: 'adamw', lr: 0.01, weightDecay: 0.1 },
    maxSteps: 3,
    checkpoint: ckpt,
    progress: false,
  });
  expect(readCheckpoint(ckpt).state).toMatchObject({ step: 3, epoch: 1, stepInEpoch: 1 });
  const b = tinyModel(99).model; // different initial weights: everything must come from the checkpoint
  const res = await train({
    model: b,
    loss: l1Loss,
    data: toyData(2),
    epochs: 3,
    optimizer: { name: 'adamw', lr: 0.01, weightDecay: 0.1 },
    maxSteps: 5,
    checkpoint: ckpt,
    resume: true,
    progress: false,
  });
  expect(res.steps).toBe(5);
  expect(weightsOf(b)).toEqual(weightsOf(straight));
  expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]); // atomic writes leave no temp files
  [straight, a, b].forEach((m) => m.dispose());
});

test('a non-finite loss stops training, names the step and the term, and keeps the last good weights', async () => {
  const { model } = tinyModel(3);
  const ckpt = path.join(dir, 'nan.safetensors');
  let calls = 0;
  const loss = (t: tf.Tensor4D, p: tf.Tensor4D, m?: tf.Tensor4D) => {
    calls++;
    const l1 = l1Loss(t, p, m);
    const ssim = calls === 3 ? tf.scalar(NaN) : tf.scalar(0.5);
    return { total: tf.add(l1, ssim) as tf.Scalar, terms: { l1, ssim } };
  };
  let good: number[][] = [];
  const err = await train({
    model,
    loss,
    data: toyData(2),
    epochs: 3,
    checkpoint: ckpt,
    checkpointEvery: 1,
    progress: false,
    onStep: () => (good = weightsOf(model)),
  }).catch((e) => e);
  expect(err).toBeInstanceOf(DepthblocksError);
  expect(err.code).toBe('NON_FINITE_LOSS');
  expect(err.message).toMatch(/at step 3 \(epoch 2\); term 'ssim' = NaN/);
  expect(weightsOf(model)).toEqual(good); // step 3 changed nothing
  expect(readCheckpoint(ckpt).state.step).toBe(2);
  model.dispose();
});

test('a frozen encoder does not change during its frozen epochs, then trains', async () => {
  const { model, first } = tinyModel(7);
  const encoder = { freeze: () => (first.trainable = false), unfreeze: () => (first.trainable = true) };
  const firstWeights = () => first.getWeights().map((w) => Array.from(w.dataSync()));
  const w0 = firstWeights();
  let afterEpoch1: number[][] = [];
  await train({
    model,
    loss: l1Loss,
    data: toyData(2),
    epochs: 2,
    freezeEncoder: { encoder, epochs: 1 },
    optimizer: { lr: 0.01 },
    progress: false,
    onStep: (r) => {
      if (r.step === 2) afterEpoch1 = firstWeights();
    },
  });
  expect(afterEpoch1).toEqual(w0);
  expect(firstWeights()).not.toEqual(w0);
  model.dispose();
});

test('gradient clipping bounds the global norm and reports it', async () => {
  const { model } = tinyModel(11);
  const big = (t: tf.Tensor4D, p: tf.Tensor4D) => tf.mul(l1Loss(t, p), 1e4) as tf.Scalar;
  const res = await train({
    model,
    loss: big,
    data: toyData(1),
    epochs: 1,
    optimizer: { name: 'sgd', lr: 1e-3, momentum: 0 },
    clipGradNorm: 1,
    progress: false,
  });
  expect(res.history[0].gradNorm).toBeGreaterThan(1);
  model.dispose();
});

test('evaluation runs each epoch and feeds the plateau schedule', async () => {
  const { model } = tinyModel(13);
  let evals = 0;
  const res = await train({
    model,
    loss: l1Loss,
    data: toyData(1),
    epochs: 4,
    progress: false,
    optimizer: { lr: 0.01 },
    schedule: { type: 'plateau', patience: 0, factor: 0.5, monitor: 'rmse' } as never,
    monitor: 'rmse',
    evaluate: async () => ({ rmse: 1 + 0 * evals++ }), // never improves
  });
  expect(evals).toBe(4);
  expect(res.evals.map((e) => e.metrics.rmse)).toEqual([1, 1, 1, 1]);
  expect(res.history[res.history.length - 1].lr).toBeLessThan(0.01);
  model.dispose();
});

test('a checkpoint from another model is a clear error', async () => {
  const ckpt = path.join(dir, 'other.safetensors');
  const { model } = tinyModel(1);
  await train({ model, loss: l1Loss, data: toyData(1), epochs: 1, checkpoint: ckpt, progress: false });
  const input = tf.input({ shape: [8, 8, 3] });
  const other = tf.model({ inputs: input, outputs: tf.layers.conv2d({ filters: 1, kernelSize: 1 }).apply(input) as tf.SymbolicTensor });
  await expect(
    train({ model: other, loss: l1Loss, data: toyData(1), epochs: 2, checkpoint: ckpt, resume: true, progress: false }),
  ).rejects.toThrow(/does not fit this model/);
  model.dispose();
  other.dispose();
});

test('running out of wasm memory is a clear OUT_OF_MEMORY error', async () => {
  const { model } = tinyModel(17);
  const oom = () => {
    throw new WebAssembly.RuntimeError('memory access out of bounds');
  };
  const err = await train({ model, loss: oom as never, data: toyData(1), epochs: 1, progress: false }).catch((e) => e);
  expect(err).toBeInstanceOf(DepthblocksError);
  expect(err.code).toBe('OUT_OF_MEMORY');
  expect(err.message).toMatch(/wasm is limited to 4 GB. Lower the batch size or the input size/);
  model.dispose();
});
