/**
 * Kernels that work on wasm heap offsets must handle offsets above 2 GB (DenseDepth-169 training at 240x320
 * uses a 2.4 GB heap): wasm's malloc returns an i32, negative there, and `offset >> 2` turns negative too.
 * A 2.1 GB tensor is allocated first, so that everything after it lives above 2 GB; every SIMD and JS-heap
 * kernel then has to give the results it gives below 2 GB.
 */
import { BackendKernels, batchNormTrain, tf } from '@depthblocks/core';
import { setupBackend, wasmKernelTuning } from '../src/node';
import { rand } from './fixtures/small-net';

/** Every heap-offset kernel once; returns all results as plain arrays. */
function runAll(): number[][] {
  const out: number[][] = [];
  const keep = (t: tf.Tensor): void => {
    out.push(Array.from(t.dataSync()));
  };
  tf.tidy(() => {
    const x = tf.tensor4d(rand(2 * 6 * 7 * 12, 1), [2, 6, 7, 12]);
    const g = tf.tensor1d(rand(12, 2));
    const b = tf.tensor1d(rand(12, 3));
    const grads = tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.mul(tf.leakyRelu(tf.relu(batchNormTrain(a, gg, bb, 1e-3)[0]), 0.1), tf.linspace(0, 1, a.size).reshape(a.shape))),
    )([x, g, b]);
    grads.forEach(keep);
    keep(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeBilinear(a as tf.Tensor4D, [11, 13], false, true), 2)))(x));
    tf.split(x, [5, 7], 3).forEach(keep);
    const f = tf.tensor4d(rand(3 * 3 * 12 * 8, 4), [3, 3, 12, 8]);
    for (const route of ['col2im', 'col2im-js', 'conv'] as const) {
      wasmKernelTuning.backpropInput = route;
      keep(tf.grad((a: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, f, 1, 'same')))(x));
    }
    wasmKernelTuning.backpropInput = 'auto';
    keep(tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 2, 'same')))(f)); // strided backprop filter
    keep(tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 1, 'same')))(f)); // wide im2col
    const w = tf.tensor1d(rand(10, 5));
    const m = tf.zerosLike(w);
    const v = tf.zerosLike(w);
    const step = { beta1: 0.9, beta2: 0.999, lrCorrected: 0.1, invCorrection2: 1000, epsilon: 1e-7, l2: 0, shrink: 1 };
    const adam = tf.engine().runKernel(BackendKernels.adamUpdate, { w, g: tf.onesLike(w), m, v }, step as any) as tf.Tensor[];
    adam.forEach(keep); // new weights, first and second moments
  });
  return out;
}

test('SIMD and JS-heap kernels give the same results above 2 GB of wasm heap', async () => {
  await setupBackend({ backend: 'wasm', threads: 1 });
  const below = runAll();
  const big = tf.zeros([540 * 1024 * 1024]); // 2.1 GB: later allocations sit above it
  const heap = (tf.backend() as any).wasm.HEAPU8.length;
  expect(heap).toBeGreaterThan(2 ** 31);
  const above = runAll();
  big.dispose();
  expect(above.length).toBe(below.length);
  above.forEach((a, i) => expect(a).toEqual(below[i]));
}, 60_000);
