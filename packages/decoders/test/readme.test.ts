/** The README's examples, as written there. */
import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { getEncoder } from '@depthblocks/encoders';
import { getDecoder, listDecoders, Resize2D, resize2d } from '../src';

beforeAll(async () => {
  await setupTestBackend();
});

test('README example: resnet34 + unet at 200x200', () => {
  const input = tf.input({ shape: [200, 200, 3] });
  const features = getEncoder('resnet34').build(input);
  const decoder = getDecoder('unet', { channels: [128, 64, 32, 16, 8] });
  const out = decoder.build(features, input);
  expect([out.channels, out.stride]).toEqual([1, 1]);
  const model = tf.model({ inputs: input, outputs: out.tensor });
  const depth = model.predict(tf.zeros([1, 200, 200, 3])) as tf.Tensor;
  expect(depth.shape).toEqual([1, 200, 200, 1]);
  expect(
    listDecoders()
      .map((d) => `${d.name} (stride ${d.outputStride})`)
      .join(', '),
  ).toBe('densedepth (stride 2), unet (stride 1), unetplusplus (stride 1), lraspp (stride 8), bridge (stride 1)');
  depth.dispose();
  model.dispose();
});

test('README example: Resize2D', () => {
  const y = resize2d(tf.tensor4d([1, 2, 4], [1, 1, 3, 1]), [1, 5], { halfPixelCenters: true });
  Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([1, 1.4, 2, 3.2, 4][i], 5));
  const skip = tf.input({ shape: [25, 25, 64] });
  const deep = tf.input({ shape: [13, 13, 128] });
  const up = new Resize2D({ name: 'up' }).apply([deep, skip]) as tf.SymbolicTensor;
  expect(up.shape).toEqual([null, 25, 25, 128]);
});
