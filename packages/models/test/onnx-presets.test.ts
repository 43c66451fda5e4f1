/** @jest-environment ./scripts/jest-environment-onnx.js */
/**
 * Every preset exported to ONNX equals its tfjs model (relative 1e-4 of the raw output) on the real NYU frame. The
 * presets run at small sizes (multiples of 32, about the preset's aspect ratio) rather than their own, to keep the
 * suite fast on 2 loaded cores: the exported graphs are the same, since their sizes are dynamic (the resize nodes
 * read the tensors' shapes at run time), and odd sizes are covered by the equality matrix at 75x100. The bench
 * exports and runs DenseDepth-169 at its own 480x640. LR-ASPP, which is cheap, runs at its own 200x200.
 */
import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { buildPreset, listPresets } from '../src';
import { compareOnnx, realImage, realPresent, spread, REAL } from './onnx-helpers';

const SIZES: Record<string, [number, number]> = {
  densedepth169: [96, 128],
  densedepth169_kitti: [64, 224],
  densedepth201: [96, 128],
  unet_scratch: [96, 128],
  unet_resnet34: [96, 128],
  unetplusplus_resnext50: [96, 96],
  lraspp_mobilenetv3: [200, 200],
  bridge_densenet121: [96, 128],
};
const started = Date.now();
if (!realPresent) console.warn(`SKIPPED: ONNX preset equality: the real image under ${REAL} is absent (shared/data/real not mounted)`);
const testReal = realPresent ? test : test.skip;

beforeAll(async () => {
  await setupTestBackend();
});
afterAll(() =>
  console.log(`ONNX preset equality: ${Object.keys(SIZES).length} presets in ${((Date.now() - started) / 1000).toFixed(1)} s`),
);

test('every preset has a size here', () => {
  expect(Object.keys(SIZES).sort()).toEqual(
    listPresets()
      .map((p) => p.name)
      .sort(),
  );
});

// generous per-test limit: on a loaded 2-core machine one preset has taken over 2 minutes
testReal.each(Object.entries(SIZES))(
  '%s at %j: ONNX Runtime = tfjs (rel 1e-4)',
  async (name, [h, w]) => {
    const dm = buildPreset(name, { inputSize: [h, w] });
    const x = await realImage(h, w);
    const { rel, outputs } = await compareOnnx(dm.model, [x], { output: 'raw' });
    expect(spread(outputs[0][0])).toBeGreaterThan(0);
    expect(rel).toBeLessThan(1e-4);
    tf.dispose([x, ...outputs.flat()]);
    dm.model.dispose();
  },
  600_000,
);
