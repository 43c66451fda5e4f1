/** @jest-environment ./scripts/jest-environment-onnx.js */
/**
 * The equality matrix, as a covering design rather than the full cross product (which cost 7 minutes on 2 loaded
 * cores): every registered encoder with the DenseDepth decoder (each encoder's layers), and every decoder with three
 * encoders whose skip features differ in count, stride and channels (resnet18, densenet121, mobilenetv3_large), all
 * with tiny decoder options, exported to ONNX, run by ONNX Runtime on the real NYU frame at 75x100 (not a multiple of 32), equals the tfjs
 * model within relative 1e-4 (max |tfjs - ort| / max |tfjs|, on the network's raw output). Presets:
 * onnx-presets.test.ts. Skipped, with a message, when shared/data/real is absent.
 */
import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { listEncoders } from '@depthblocks/encoders';
import { listDecoders } from '@depthblocks/decoders';
import { createDepthModel } from '../src';
import { compareOnnx, realImage, realPresent, spread, REAL } from './onnx-helpers';

// the encoders of @depthblocks/encoders ('unet_scratch', registered by this package, is exported in its preset: onnx-presets.test.ts)
const encoders = listEncoders()
  .map((e) => e.name)
  .filter((n) => n !== 'unet_scratch');
const decoders = listDecoders();
const SKIP_SHAPES = ['resnet18', 'densenet121', 'mobilenetv3_large'];
const pairs: [string, (typeof decoders)[number]][] = [];
for (const encoder of encoders)
  for (const dec of decoders) {
    if (dec.name === 'densedepth' || SKIP_SHAPES.includes(encoder)) pairs.push([encoder, dec]);
  }
const started = Date.now();
if (!realPresent) console.warn(`SKIPPED: ONNX equality matrix: the real image under ${REAL} is absent (shared/data/real not mounted)`);
const describeReal = realPresent ? describe : describe.skip;

let x: tf.Tensor4D;
beforeAll(async () => {
  await setupTestBackend();
  if (realPresent) x = await realImage(75, 100);
});
afterAll(() => {
  x?.dispose();
  console.log(`ONNX equality matrix: ${pairs.length} pairs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

test('the design covers every encoder and every decoder', () => {
  expect(new Set(pairs.map(([e]) => e))).toEqual(new Set(encoders));
  expect(new Set(pairs.map(([, d]) => d.name))).toEqual(new Set(decoders.map((d) => d.name)));
  for (const e of SKIP_SHAPES) expect(encoders).toContain(e);
});

describeReal.each(pairs.map(([e, d]) => [e, d.name, d] as const))('%s + %s', (encoder, _name, dec) => {
  test('ONNX Runtime = tfjs at 75x100 (rel 1e-4)', async () => {
    const start = tf.memory().numTensors;
    const { model } = createDepthModel({ encoder, decoder: { name: dec.name, options: { ...dec.tinyOptions, seed: 1 } } });
    const { rel, outputs } = await compareOnnx(model, [x], { output: 'raw' });
    const [a] = outputs[0];
    expect(spread(a)).toBeGreaterThan(0);
    expect(rel).toBeLessThan(1e-4);
    tf.dispose(outputs.flat());
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  }, 600_000);
});
