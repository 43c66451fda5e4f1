/**
 * `depthblocks train` stopped by SIGINT in a child process writes a checkpoint at the current step and says
 * how to resume; the same command resumes (printing where) and ends with the same weights as an uninterrupted
 * run, with every step once in log.jsonl.
 *
 * No timing: one RGB file of the training list is a named pipe (FIFO). Opening it for writing returns exactly
 * when the child starts reading it, i.e. while training waits for that batch; the test then waits for a
 * logged step, sends SIGINT, and only then writes the image into the pipe.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readSafetensors } from '@depthblocks/core';
import { Batcher, encodeDepthPng, encodeRgb, renderSyntheticSample, syntheticDataset } from '@depthblocks/datasets';

const root = path.resolve(__dirname, '../../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-sigint-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const bin = ['-r', path.join(root, 'scripts/ts-hook.js'), path.join(root, 'packages/cli/src/bin.ts')];
const N = 8;
const BATCH = 2;
const SEED = 4;

function config(output: string): object {
  return {
    model: {
      encoder: { name: 'resnet18', options: { seed: 1 } },
      decoder: { name: 'unet', options: { channels: [16, 8, 8, 4, 4], seed: 1 } },
      head: { activation: 'relu', outputSize: 'input' },
      depth: { kind: 'none' },
    },
    data: { train: { type: 'nyu-bts', listFile: path.join(dir, 'train.txt') } },
    train: { epochs: 2, batchSize: BATCH, optimizer: { lr: 1e-3 }, loss: { l1: 1 }, evalEvery: 0 },
    backend: 'wasm',
    threads: 1,
    seed: SEED,
    output,
  };
}

const modelWeights = (run: string): Float32Array[] => {
  const { tensors } = readSafetensors(new Uint8Array(fs.readFileSync(path.join(run, 'checkpoint.safetensors'))));
  return [...tensors.keys()]
    .filter((k) => k.startsWith('model/'))
    .sort()
    .map((k) => tensors.get(k)!.data as Float32Array);
};

const loggedSteps = (run: string): number[] =>
  fs.existsSync(path.join(run, 'log.jsonl'))
    ? fs
        .readFileSync(path.join(run, 'log.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).step)
    : [];

test('SIGINT -> checkpoint at the current step, exit 130 with a resume hint; resuming = uninterrupted', async () => {
  // 8 tiny RGB-D pairs (NYU BTS layout: 16-bit depth in mm)
  const pngs: Uint8Array[] = [];
  const lines: string[] = [];
  for (let i = 0; i < N; i++) {
    const s = renderSyntheticSample(100 + i, 32, 24);
    pngs.push(await encodeRgb(s.rgb, s.width, s.height));
    fs.writeFileSync(path.join(dir, `rgb${i}.png`), pngs[i]);
    fs.writeFileSync(path.join(dir, `depth${i}.png`), await encodeDepthPng(s.depth, s.width, s.height, 1 / 1000));
    lines.push(`rgb${i}.png depth${i}.png 518.8579`);
  }
  fs.writeFileSync(path.join(dir, 'train.txt'), lines.join('\n') + '\n');
  // the sample that the last batch of epoch 1 starts with (the batcher's order depends on seed and length only)
  const order: number[] = [];
  const probe = syntheticDataset({ count: N, width: 8, height: 8, seed: 0 });
  for await (const b of new Batcher(probe, { batchSize: BATCH, seed: SEED, shuffle: true, prefetch: 2 }).epoch(0)) {
    order.push(...b.ids.map((id) => probe.ids!.indexOf(id)));
    b.rgb.dispose();
    b.depth.dispose();
    b.mask.dispose();
  }
  const blocked = order[N - BATCH];
  const fifo = path.join(dir, `rgb${blocked}.png`);
  fs.rmSync(fifo);
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);

  const runB = path.join(dir, 'b');
  fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify(config(runB)));
  const args = [...bin, 'train', '--config', path.join(dir, 'b.json'), '--quiet'];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const fd = await fs.promises.open(fifo, 'w'); // returns when the child reads the pipe: training waits for it
  while (loggedSteps(runB).length === 0) await new Promise((r) => setTimeout(r, 50)); // steps before it are done
  child.kill('SIGINT');
  while (!/SIGINT: stopping/.test(stderr)) await new Promise((r) => setTimeout(r, 50)); // the child got it
  await fd.writeFile(pngs[blocked]);
  await fd.close();
  expect(await exited).toBe(130);
  const m = /stopped by SIGINT at step (\d+) \(epoch 1\); checkpoint written to (.*)\n/.exec(stderr);
  expect(m).not.toBeNull();
  const stoppedAt = Number(m![1]);
  expect(stoppedAt).toBeGreaterThanOrEqual(1);
  expect(stoppedAt).toBeLessThan(N / BATCH);
  expect(m![2]).toBe(path.join(runB, 'checkpoint.safetensors'));
  expect(stderr).toMatch(/resume: run the same command again .*:\n {2}depthblocks train --config .*b\.json --quiet/);
  expect(fs.existsSync(path.join(runB, 'model'))).toBe(false); // stopped: nothing but the checkpoint and the log

  // the pipe becomes the plain file it stands for; resume, and an uninterrupted run for reference
  fs.rmSync(fifo);
  fs.writeFileSync(fifo, pngs[blocked]);
  const resumed = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  expect(resumed.status).toBe(0);
  expect(resumed.stderr).toMatch(new RegExp(`resuming from .*checkpoint\\.safetensors: step ${stoppedAt}, epoch 1`));
  expect(loggedSteps(runB)).toEqual(Array.from({ length: 2 * (N / BATCH) }, (_, i) => i + 1)); // every step once

  const runA = path.join(dir, 'a');
  fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify(config(runA)));
  const straight = spawnSync(process.execPath, [...bin, 'train', '--config', path.join(dir, 'a.json'), '--quiet'], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(straight.status).toBe(0);
  const a = modelWeights(runA);
  const b = modelWeights(runB);
  expect(b.length).toBe(a.length);
  let maxDiff = 0;
  a.forEach((w, i) => w.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - b[i][j])))));
  expect(maxDiff).toBeLessThan(1e-6);
}, 600_000);
