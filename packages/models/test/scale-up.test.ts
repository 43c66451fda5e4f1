/**
 * predict(..., { outputSize: 'input' }) = DenseDepth's scale_up: skimageResizeTensor against scikit-image's own
 * outputs (the metrics package's fixture, from its make_skimage_fixture.py with Debian's skimage 0.19).
 */
import * as fs from 'fs';
import * as path from 'path';
import { setupTestBackend } from '@depthblocks/backend';
import { tf } from '@depthblocks/core';
import { predict, skimageResizeTensor } from '../src';

interface Fixture {
  cases: { input: number[][]; shape: [number, number]; antiAliasing: boolean | null; output: number[][] }[];
  scaleUp: { input: number[][][]; output: number[][][] };
}
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../../metrics/test/fixtures/skimage_resize.json'), 'utf8')) as Fixture;

beforeAll(async () => {
  await setupTestBackend();
});

const maxRel = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.abs(b[i]));
  return m;
};

test.each(
  fixture.cases.filter((c) => c.antiAliasing !== false).map((c) => [`${c.input.length}x${c.input[0].length} -> ${c.shape.join('x')}`, c]),
)('skimageResizeTensor = skimage.transform.resize(order=1, mode="reflect", anti_aliasing=True): %s', (_, c) => {
  const x = tf.tensor4d(c.input.flat(), [1, c.input.length, c.input[0].length, 1]);
  const before = tf.memory().numTensors;
  const y = skimageResizeTensor(x, c.shape);
  expect(tf.memory().numTensors).toBe(before + 1);
  expect(y.shape).toEqual([1, ...c.shape, 1]);
  // float32 sums: up-sampling (2 taps) within a rounding or two, Gaussian pre-filters (many taps) within 1e-6
  expect(maxRel(y.dataSync(), c.output.flat())).toBeLessThan(c.shape[0] >= c.input.length ? 3e-7 : 1e-6);
  tf.dispose([x, y]);
});

test("predict's outputSize 'input' is DenseDepth's scale_up of each prediction (batch and channels kept apart)", () => {
  // a model that outputs its input's first channel at half resolution (1x1 conv, stride 2): predictions = the fixture's maps
  const [h, w] = [fixture.scaleUp.input[0].length, fixture.scaleUp.input[0][0].length];
  const input = tf.input({ shape: [2 * h, 2 * w, 3] });
  const conv = tf.layers.conv2d({ filters: 1, kernelSize: 1, strides: 2, useBias: false });
  const model = tf.model({ inputs: input, outputs: conv.apply(input) as tf.SymbolicTensor });
  conv.setWeights([tf.tensor4d([1, 0, 0], [1, 1, 3, 1])]);
  const x = tf.tidy(() => {
    const maps = tf.tensor4d(fixture.scaleUp.input.flat(2), [2, h, w, 1]);
    const up = tf.image.resizeNearestNeighbor(maps, [2 * h, 2 * w]); // even pixels carry the map's values
    return tf.concat([up, tf.onesLike(up), tf.onesLike(up)], 3) as tf.Tensor4D;
  });
  const y = predict(model, x, { outputSize: 'input' });
  expect(y.shape).toEqual([2, 2 * h, 2 * w, 1]);
  expect(maxRel(y.dataSync(), fixture.scaleUp.output.flat(2))).toBeLessThan(2e-7);
  tf.dispose([x, y, model]);
});
