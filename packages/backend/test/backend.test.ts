import { DepthblocksError, tf } from '@depthblocks/core';
import { setupBackend, setupTestBackend } from '../src/node';
import { smallConvNet } from './fixtures/small-net';

test('wasm backend: name, SIMD, training patches, and why', async () => {
  const info = await setupBackend({ backend: 'wasm', threads: 1 });
  expect(tf.getBackend()).toBe('wasm');
  expect(info).toMatchObject({ name: 'wasm', native: false, gpu: false, threads: 1, simd: true });
  expect(info.reason).toMatch(/1 thread/);
  expect(info.patches).toEqual(
    expect.arrayContaining(['wasm kernel:Conv2DBackpropFilter', 'wasm kernel:DepthwiseConv2dNativeBackpropFilter']),
  );
  expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
});

test("asking for 'tensorflow' without tfjs-node is a clear error that says how to install it", async () => {
  let err: unknown;
  try {
    await setupBackend({ backend: 'tensorflow' });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DepthblocksError);
  expect((err as DepthblocksError).code).toBe('BACKEND_UNAVAILABLE');
  expect((err as Error).message).toMatch(/npm install @tensorflow\/tfjs-node/);
  expect((err as Error).message).toMatch(/CUDA/);
  expect((err as Error).message).toMatch(/tfjs-node-gpu/);
});

test('auto falls through the native backends to wasm and says what it tried', async () => {
  const info = await setupBackend({ backend: 'auto', threads: 1 });
  expect(info.name).toBe('wasm');
  expect(info.reason).toMatch(/native backends not installed/);
});

test('cpu backend can be chosen, and switching back to wasm works', async () => {
  const cpu = await setupBackend({ backend: 'cpu' });
  expect(cpu.name).toBe('cpu');
  expect(tf.getBackend()).toBe('cpu');
  const info = await setupTestBackend();
  expect(info.name).toBe('wasm');
  expect(tf.getBackend()).toBe('wasm');
});

test('bad options are rejected with a message naming the value', async () => {
  await expect(setupBackend({ backend: 'gpu' as never })).rejects.toThrow(/Unknown backend 'gpu'/);
});

test('wasm and cpu give the same numbers for a small conv net forward and backward', async () => {
  const run = async (): Promise<number[]> => {
    const x = tf.tensor4d(
      Float32Array.from({ length: 2 * 10 * 10 * 3 }, (_, i) => Math.sin(i)),
      [2, 10, 10, 3],
    );
    const w = tf.tensor4d(
      Float32Array.from({ length: 3 * 3 * 3 * 5 }, (_, i) => Math.cos(i)),
      [3, 3, 3, 5],
    );
    const g = tf.grad((ww: tf.Tensor) => tf.sum(tf.relu(tf.conv2d(x, ww as tf.Tensor4D, 2, 'same'))))(w);
    const v = Array.from(await g.data());
    tf.dispose([x, w, g]);
    return v;
  };
  await setupBackend({ backend: 'cpu' });
  const c = await run();
  await setupTestBackend();
  const w = await run();
  c.forEach((v, i) => expect(w[i]).toBeCloseTo(v, 3));
});

test('tf.memory().numTensors is unchanged after 10 training steps of a small conv net on wasm', async () => {
  await setupTestBackend();
  const net = smallConvNet();
  const first = net.step(); // creates the optimizer's slots
  const before = tf.memory().numTensors;
  let last = first;
  for (let i = 0; i < 10; i++) last = net.step();
  expect(tf.memory().numTensors).toBe(before);
  expect(last).toBeLessThan(first);
  net.dispose();
});
