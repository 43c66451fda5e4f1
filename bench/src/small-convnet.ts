/**
 * The foundation issue's yardstick: one training step (forward, backward, Adam) of 4 conv3x3(32)+ReLU layers
 * and a 1x1 head on 2x128x128x3, on cpu, wasm with 1 thread and wasm with N threads, each in its own process.
 *   node bench/dist/small-convnet.js            runs all three and prints a table (and JSON with --json)
 */
import { spawnSync } from 'child_process';
import * as os from 'os';
import { tf } from '@depthblocks/core';
import { setupBackend } from '@depthblocks/backend';

interface Row {
  mode: string;
  backend: string;
  threads: number;
  stepMs: number;
  forwardMs: number;
  steps: number;
}

async function one(mode: 'cpu' | 'wasm1' | 'wasmN'): Promise<Row> {
  const info = await setupBackend(
    mode === 'cpu' ? { backend: 'cpu' } : { backend: 'wasm', threads: mode === 'wasm1' ? 1 : os.cpus().length },
  );
  const input = tf.input({ shape: [128, 128, 3] });
  let y = input;
  for (let i = 0; i < 4; i++)
    y = tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.conv2d({ filters: 1, kernelSize: 1 }).apply(y) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: y });
  const opt = tf.train.adam(1e-3);
  const x = tf.randomNormal([2, 128, 128, 3]);
  const t = tf.randomNormal([2, 128, 128, 1]);
  const step = (): void => {
    const l = opt.minimize(() => tf.losses.meanSquaredError(t, model.apply(x) as tf.Tensor) as tf.Scalar, true)!;
    l.dataSync();
    l.dispose();
  };
  const reps = mode === 'cpu' ? 1 : 10;
  step();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const f0 = performance.now();
  for (let i = 0; i < reps; i++) {
    const p = model.predict(x) as tf.Tensor;
    p.dataSync();
    p.dispose();
  }
  return {
    mode,
    backend: info.name,
    threads: info.threads,
    stepMs: times[times.length >> 1],
    forwardMs: (performance.now() - f0) / reps,
    steps: reps,
  };
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === 'cpu' || mode === 'wasm1' || mode === 'wasmN') {
    process.stdout.write(JSON.stringify(await one(mode)) + '\n');
    return;
  }
  const rows: Row[] = [];
  for (const m of ['wasmN', 'wasm1', 'cpu']) {
    const r = spawnSync(process.execPath, [__filename, m], { encoding: 'utf8', timeout: 900_000 });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (line.startsWith('{')) rows.push(JSON.parse(line));
    else process.stderr.write(`${m} failed: ${r.stderr.slice(-500)}\n`);
  }
  const cpu = rows.find((r) => r.mode === 'cpu');
  const lines = ['| backend | threads | training step (ms) | forward (ms) | speed-up vs cpu |', '|---|---|---|---|---|'];
  for (const r of rows)
    lines.push(
      `| ${r.backend} | ${r.threads} | ${r.stepMs.toFixed(0)} | ${r.forwardMs.toFixed(0)} | ${cpu ? (cpu.stepMs / r.stepMs).toFixed(0) + 'x' : '-'} |`,
    );
  console.log(
    `Small conv net (4x conv3x3(32) + 1x1 on 2x128x128x3, Adam), load average ${os.loadavg()[0].toFixed(2)}\n\n${lines.join('\n')}`,
  );
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows));
}
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
