/**
 * Stopping and resuming: an aborted signal stops at the next step with a checkpoint at that step; resuming
 * says where it resumes and cuts the log back to the checkpoint's step (no step logged twice); a non-finite
 * loss says what is true about checkpoints.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { readCheckpoint, train, truncateLog } from '../../src/node';
import { l1Loss, tinyModel, toyData, weightsOf } from './helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-interrupt-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await setupTestBackend();
});

const steps = (file: string): number[] =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((r) => r.type === 'step')
    .map((r) => r.step);

test('abort -> checkpoint at the current step; resume prints where, truncates the log, and ends where a straight run ends', async () => {
  const opts = {
    loss: l1Loss,
    data: toyData(2),
    epochs: 3,
    optimizer: { name: 'adam' as const, lr: 0.01 },
    progress: false as const,
    seed: 3,
  };
  const straight = tinyModel(9).model;
  await train({ ...opts, model: straight, maxSteps: 5 });

  const ckpt = path.join(dir, 'a.safetensors');
  const logFile = path.join(dir, 'a.jsonl');
  const a = tinyModel(9).model;
  const stop = new AbortController();
  const said: string[] = [];
  const r1 = await train({
    ...opts,
    model: a,
    maxSteps: 5,
    checkpoint: ckpt,
    logFile,
    log: (l) => said.push(l),
    signal: stop.signal,
    onStep: (r) => r.step === 3 && stop.abort('SIGINT'),
  });
  expect(r1.interrupted).toEqual({ step: 3, epoch: 1, reason: 'SIGINT', checkpoint: ckpt });
  expect(readCheckpoint(ckpt).state).toMatchObject({ step: 3, epoch: 1, stepInEpoch: 1 });
  expect(said.join('\n')).toMatch(/stopped \(SIGINT\) at step 3, epoch 2; checkpoint: /);
  // a lost step after the checkpoint (e.g. a crash between checkpoints) is in the log: resume must drop it
  fs.appendFileSync(logFile, JSON.stringify({ type: 'step', step: 4, loss: 1 }) + '\n');
  expect(steps(logFile)).toEqual([1, 2, 3, 4]);

  const b = tinyModel(9).model;
  const said2: string[] = [];
  const r2 = await train({ ...opts, model: b, maxSteps: 5, checkpoint: ckpt, resume: true, logFile, log: (l) => said2.push(l) });
  expect(r2.resumed).toEqual({ step: 3, epoch: 1, stepInEpoch: 1, checkpoint: ckpt });
  expect(said2[0]).toBe(`resuming from ${ckpt}: step 3, epoch 2 (batch 1 of the epoch done)`);
  expect(said2[1]).toMatch(/dropped 1 record\(s\) after step 3/);
  expect(steps(logFile)).toEqual([1, 2, 3, 4, 5]); // each step once
  expect(weightsOf(b)).toEqual(weightsOf(straight));
  [straight, a, b].forEach((m) => m.dispose());
});

test('truncateLog keeps records up to the step (and cuts a half-written last line)', () => {
  const f = path.join(dir, 't.jsonl');
  fs.writeFileSync(f, ['{"type":"step","step":1}', '{"type":"eval","step":1}', '{"type":"step","step":2}', '{"type":"st'].join('\n'));
  expect(truncateLog(f, 1)).toBe(2);
  expect(fs.readFileSync(f, 'utf8')).toBe('{"type":"step","step":1}\n{"type":"eval","step":1}\n');
});

test('a non-finite loss before any checkpoint says so (not "the last checkpoint is the last good state")', async () => {
  const nanAt = (n: number) => {
    let calls = 0;
    return (t: tf.Tensor4D, p: tf.Tensor4D, m?: tf.Tensor4D) =>
      ++calls === n ? (tf.mul(l1Loss(t, p, m), NaN) as tf.Scalar) : l1Loss(t, p, m);
  };
  const { model } = tinyModel(4);
  const ckpt = path.join(dir, 'nan.safetensors');
  const e1 = await train({ model, loss: nanAt(1), data: toyData(2), epochs: 2, checkpoint: ckpt, progress: false }).catch((e) => e);
  expect(e1.code).toBe('NON_FINITE_LOSS');
  expect(e1.message).toMatch(/No checkpoint has been written yet/);
  expect(e1.message).not.toMatch(/last checkpoint is the last good state/);
  const e2 = await train({
    model,
    loss: nanAt(3),
    data: toyData(2),
    epochs: 2,
    checkpoint: ckpt,
    checkpointEvery: 1,
    progress: false,
  }).catch((e) => e);
  expect(e2.message).toMatch(new RegExp(`last good state is the checkpoint .*nan\\.safetensors at step 2`));
  const e3 = await train({ model, loss: nanAt(1), data: toyData(2), epochs: 1, progress: false }).catch((e) => e);
  expect(e3.message).toMatch(/No checkpoint file was given/);
  model.dispose();
});
