/** The README's examples, as written there. */
import { tf } from '@depthblocks/core';
import { install, installedPatches, setupBackend, uninstall } from '../src/node';

test('README example: setupBackend, and a convolution trains on wasm', async () => {
  const info = await setupBackend({ backend: 'wasm', threads: 1 });
  expect(info.name).toBe('wasm');
  expect(info.reason).toMatch(/1 thread/);
  const x = tf.randomNormal([1, 32, 32, 3]);
  const w = tf.variable(tf.randomNormal([3, 3, 3, 8]));
  const before = w.dataSync().slice();
  const opt = tf.train.adam(1e-3);
  opt.minimize(() => tf.mean(tf.square(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'))) as tf.Scalar);
  expect(Array.from(w.dataSync()).some((v, i) => v !== before[i])).toBe(true);
  tf.dispose([x, w]);
  opt.dispose();
});

test('README example: install after tf.setBackend, list, uninstall', async () => {
  await tf.setBackend('cpu');
  await install({ patches: { frugalGradients: false } }); // everything else
  const lines = installedPatches().map((c) => `${c.patch}: ${c.kind} ${c.target}`);
  expect(lines).toContain('dilatedConvGradients: gradient Conv2D');
  expect(lines).toContain('resizeBilinearGrad: kernel ResizeBilinearGrad');
  expect(lines.some((l) => l.startsWith('frugalGradients'))).toBe(false);
  uninstall(); // tfjs as it was
  expect(installedPatches()).toEqual([]);
  expect(tf.getKernel('DepthblocksBatchNormTrain', 'cpu')).toBeUndefined();
});
