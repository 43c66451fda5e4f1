/**
 * `npm run bench:routes`: the numbers behind Conv2DBackpropInput's route choice on wasm (@depthblocks/backend's preferCol2im).
 * Times each route (the conv with the rotated filter, matmul + SIMD col2im) on DenseDepth-169's shapes at
 * 240x320, batch 2, with fresh operands (as in training), and prints which wins.
 */
import { tf } from '@depthblocks/core';
import { setupBackend, wasmKernelTuning } from '@depthblocks/backend';
import { median } from './stats';

// dy [H, W, OC], filter [KH, KW, C, OC], stride
const SHAPES: [number[], number[], number][] = [
  [[7, 10, 32], [3, 3, 128, 32], 1],
  [[15, 20, 32], [3, 3, 128, 32], 1],
  [[30, 40, 32], [3, 3, 128, 32], 1],
  [[60, 80, 32], [3, 3, 128, 32], 1],
  [[15, 20, 832], [3, 3, 1920, 832], 1],
  [[15, 20, 832], [3, 3, 832, 832], 1],
  [[30, 40, 416], [3, 3, 960, 416], 1],
  [[30, 40, 416], [3, 3, 416, 416], 1],
  [[60, 80, 208], [3, 3, 480, 208], 1],
  [[60, 80, 208], [3, 3, 208, 208], 1],
  [[120, 160, 104], [3, 3, 272, 104], 1],
  [[120, 160, 104], [3, 3, 104, 104], 1],
  [[120, 160, 1], [3, 3, 104, 1], 1],
  [[120, 160, 64], [7, 7, 3, 64], 2],
];

async function main(): Promise<void> {
  const info = await setupBackend({ backend: 'wasm' });
  console.log(`wasm, ${info.threads} threads; median of 5 after one warm-up; ms (GFLOP/s)`);
  console.log('dy | filter | stride | conv | col2im | faster');
  for (const [d, f, s] of SHAPES) {
    const dys = [0, 1, 2].map((i) => tf.randomNormal([2, d[0], d[1], d[2]], 0, 1, 'float32', i) as tf.Tensor4D);
    const filters = [0, 1, 2].map((i) => tf.randomNormal([f[0], f[1], f[2], f[3]], 0, 1, 'float32', 10 + i) as tf.Tensor4D);
    const inShape: [number, number, number, number] = [2, d[0] * s, d[1] * s, f[2]];
    const gflop = (2 * 2 * d[0] * d[1] * d[2] * f[0] * f[1] * f[2]) / 1e9;
    const cell: Record<string, number> = {};
    for (const route of ['conv', 'col2im'] as const) {
      wasmKernelTuning.backpropInput = route;
      let i = 0;
      const run = (): void => {
        const r = tf.conv2dTranspose(dys[i % 3], filters[i % 3], inShape, s, 'same');
        i++;
        r.dataSync();
        r.dispose();
      };
      run();
      const times: number[] = [];
      for (let k = 0; k < 5; k++) {
        const t0 = performance.now();
        run();
        times.push(performance.now() - t0);
      }
      cell[route] = median(times);
    }
    wasmKernelTuning.backpropInput = 'auto';
    const fmt = (ms: number): string => `${ms.toFixed(1)} (${(gflop / (ms / 1000)).toFixed(1)})`;
    const best = cell.conv <= cell.col2im ? 'conv' : 'col2im';
    console.log(`[2,${d}] | [${f}] | ${s} | ${fmt(cell.conv)} | ${fmt(cell.col2im)} | ${best}`);
    tf.dispose([...dys, ...filters]);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
