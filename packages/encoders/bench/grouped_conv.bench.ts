/**
 * Benchmark (not a test): three ways to compute ResNeXt's 32-group 3x3 convolution on the current
 * backend, forward + backward (input and kernel gradients), at the stage shapes of a 1x224x224 input.
 * Run: npm run test:fast -- --testMatch '**' packages/encoders/bench/grouped_conv.bench.ts
 *  - split:     one conv2d per group on channel slices, then concat
 *  - depthwise: depthwise conv with multiplier Cout/groups, then a reshape-sum over the group inputs
 *               (GroupedConv2D's default)
 *  - masked:    one dense conv with a block-diagonal (masked) kernel: `groups` times the work
 */
import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { getEncoder, groupedConv2d, GroupedConv2D } from '../src';

const G = 32;

function masked(x: tf.Tensor4D, k: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor4D {
  return tf.conv2d(x, tf.mul(tf.tile(k, [1, 1, G, 1]), mask) as tf.Tensor4D, 1, 'same');
}

test('grouped conv: split vs depthwise vs masked', async () => {
  const info = await setupTestBackend();
  const rows: string[] = [
    `backend ${JSON.stringify(info)}`,
    'shape            split ms   depthwise ms   masked ms   (forward + backward, median of 3)',
  ];
  for (const [h, c] of [
    [56, 128],
    [28, 256],
    [14, 512],
    [7, 1024],
  ]) {
    const cg = c / G;
    const x = tf.randomNormal([1, h, h, c]) as tf.Tensor4D;
    const k = tf.randomNormal([3, 3, cg, c]) as tf.Tensor4D;
    const m = tf.buffer([3, 3, c, c]);
    for (let t = 0; t < 9; t++)
      for (let i = 0; i < c; i++)
        for (let o = Math.floor(i / cg) * cg; o < (Math.floor(i / cg) + 1) * cg; o++) m.set(1, Math.floor(t / 3), t % 3, i, o);
    const mask = m.toTensor() as tf.Tensor4D;
    const impls: Record<string, (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D> = {
      split: (a, b) => groupedConv2d(a, b, G, 1, 'same', 1, 'split'),
      depthwise: (a, b) => groupedConv2d(a, b, G, 1, 'same', 1, 'depthwise'),
      masked: (a, b) => masked(a, b, mask),
    };
    const ms: string[] = [];
    for (const f of Object.values(impls)) {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(f(a as tf.Tensor4D, b as tf.Tensor4D))));
      const run = (): number => {
        const t0 = performance.now();
        tf.tidy(() => g([x, k]).forEach((t) => t.dataSync()));
        return performance.now() - t0;
      };
      run();
      const times = [run(), run(), run()].sort((a, b) => a - b);
      ms.push(times[1].toFixed(1).padStart(10));
    }
    rows.push(`1x${h}x${h}x${c}`.padEnd(16) + ms.join('  '));
    tf.dispose([x, k, mask]);
  }
  console.log(rows.join('\n'));
});

test('ResNeXt-50 32x4d forward + backward: depthwise vs split grouped convs', async () => {
  await setupTestBackend();
  const rows = ['input            depthwise ms   split ms   (median of 3)'];
  for (const size of [64, 224]) {
    const ms: string[] = [];
    for (const impl of ['depthwise', 'split'] as const) {
      const enc = getEncoder('resnext50_32x4d');
      const input = tf.input({ shape: [size, size, 3] });
      const model = tf.model({ inputs: input, outputs: enc.build(input).map((f) => f.tensor) });
      // bench only: switch the grouped convs' implementation after construction
      for (const l of enc.layers) if (l instanceof GroupedConv2D) (l as unknown as { implementation: string }).implementation = impl;
      const x = tf.randomUniform([1, size, size, 3]);
      const step = (): number => {
        const t0 = performance.now();
        tf.tidy(() => {
          const { grads } = tf.variableGrads(
            () => tf.addN((model.apply(x, { training: true }) as tf.Tensor[]).map((o) => tf.mean(o))) as tf.Scalar,
          );
          Object.values(grads).forEach((g) => g.dataSync());
        });
        return performance.now() - t0;
      };
      step();
      ms.push(
        [step(), step(), step()]
          .sort((a, b) => a - b)[1]
          .toFixed(0)
          .padStart(12),
      );
      x.dispose();
      model.dispose();
    }
    rows.push(`1x${size}x${size}x3`.padEnd(16) + ms.join(' '));
  }
  console.log(rows.join('\n'));
});
