import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import {
  bridgeDensenet121,
  buildPreset,
  buildFromConfig,
  countTrainableParams,
  denseDepth169,
  denseDepth201,
  getPreset,
  listPresets,
  lrasppMobilenetV3,
  unetPlusPlusResnext50,
  unetResnet34,
  unetScratch,
  DepthModelConfig,
  TrainingRecipe,
} from '../src';

beforeAll(async () => {
  await setupTestBackend();
});

/** Builds a preset, returns trainable/total counts and the output shape, and frees it. */
function measure(config: DepthModelConfig) {
  const { model } = buildPreset(config);
  const result = {
    trainable: countTrainableParams(model),
    total: model.countParams(),
    input: model.inputs[0].shape,
    output: model.outputs[0].shape,
  };
  model.dispose();
  return result;
}

describe('presets reproduce the published models (symbolic shapes only, no forward pass)', () => {
  test('denseDepth169: exactly 42,657,689 trainable (42,816,089 total); 480x640x3 -> 240x320x1', () => {
    const m = measure(denseDepth169());
    expect(m.trainable).toBe(42_657_689);
    expect(m.total).toBe(42_816_089);
    expect(m.input).toEqual([null, 480, 640, 3]);
    expect(m.output).toEqual([null, 240, 320, 1]);
  });
  test('denseDepth169 for kitti.h5: the same 42,816,089 weights at 384x1248 -> 192x624', () => {
    const m = measure(denseDepth169({ dataset: 'kitti' }));
    expect(m.total).toBe(42_816_089);
    expect(m.input).toEqual([null, 384, 1248, 3]);
    expect(m.output).toEqual([null, 192, 624, 1]);
  });
  test('denseDepth169 half width: 21,523,805 total (the Keras code default)', () => {
    expect(measure(denseDepth169({ decoderOptions: { width: 'half' }, inputSize: null })).total).toBe(21_523_805);
  });
  test('unetPlusPlusResnext50: within 5% of 48 M', () => {
    const m = measure(unetPlusPlusResnext50());
    expect(Math.abs(m.trainable - 48e6) / 48e6).toBeLessThan(0.05);
    expect(m.output).toEqual([null, 200, 200, 1]);
  });
  test('lrasppMobilenetV3: within 5% of 3.2 M (torchvision 3,221,538 + 22 for the 21 -> 1 conv)', () => {
    const m = measure(lrasppMobilenetV3());
    expect(Math.abs(m.trainable - 3.2e6) / 3.2e6).toBeLessThan(0.05);
    expect(m.trainable).toBe(3_221_538 + 22);
    expect(m.output).toEqual([null, 200, 200, 1]);
  });
  test('bridgeDensenet121: within 10% of 15 M; output at the input size', () => {
    const m = measure(bridgeDensenet121({ inputSize: [224, 224] }));
    expect(Math.abs(m.trainable - 15e6) / 15e6).toBeLessThan(0.1);
    expect(m.output).toEqual([null, 224, 224, 1]);
  });
  test('unetResnet34 = smp Unet(resnet34): 24,436,369; unetScratch and denseDepth201 build', () => {
    expect(measure(unetResnet34()).trainable).toBe(24_436_369);
    const s = measure(unetScratch());
    expect(s.output).toEqual([null, 240, 320, 1]);
    const d = measure(denseDepth201({ inputSize: [96, 128] }));
    expect(d.output).toEqual([null, 48, 64, 1]);
  });
});

describe('preset configs', () => {
  test('every preset is plain JSON with a training recipe, and rebuilds from its JSON', () => {
    expect(listPresets().map((p) => p.name)).toEqual([
      'densedepth169',
      'densedepth169_kitti',
      'densedepth201',
      'unet_scratch',
      'unet_resnet34',
      'unetplusplus_resnext50',
      'lraspp_mobilenetv3',
      'bridge_densenet121',
    ]);
    for (const { name } of listPresets()) {
      const c = getPreset(name);
      expect(JSON.parse(JSON.stringify(c))).toEqual(c);
      const t = c.metadata.training as TrainingRecipe;
      expect(t.optimizer.name).toMatch(/^adamw?$/);
      expect(Object.keys(t.loss).length).toBeGreaterThan(0);
      expect(Array.isArray(t.notes)).toBe(true);
    }
    const dd = denseDepth169().metadata.training as TrainingRecipe;
    expect(dd).toMatchObject({
      optimizer: { lr: 1e-4, beta1: 0.9, beta2: 0.999 },
      batchSize: 8,
      loss: { ssim: 1, grad: 1, l1: 0.1 },
      augmentation: { hflip: 0.5, channelSwap: 0.25 },
      tta: 'flip',
    });
    expect(unetPlusPlusResnext50().metadata.training).toMatchObject({
      optimizer: { lr: 1e-3, weightDecay: 0.02 },
      loss: { mse: 1 },
      freezeEncoderEpochs: 2,
      inputSize: [200, 200],
    });
    expect(bridgeDensenet121().metadata.training).toMatchObject({
      optimizer: { lr: 3e-4 },
      batchSize: 8,
      loss: { l1: 0.1, grad: 1, ssim: 1, perceptual: 0.5 },
    });
    expect(denseDepth169().depth).toEqual({ kind: 'densedepth', minDepth: 0.1, maxDepth: 10 });
    expect(lrasppMobilenetV3().encoder.options).toMatchObject({ outputStride: 16 });
    expect(() => getPreset('midas')).toThrow(/Unknown preset "midas"; registered presets: densedepth169/);
    expect(() => getPreset('densedepth196')).toThrow(/Unknown preset "densedepth196" \(did you mean "densedepth169"\?\)/);
    expect(() => denseDepth169({ inputSzie: [96, 128] } as never)).toThrow(
      /^Preset densedepth169 options: unknown key "inputSzie" \(did you mean "inputSize"\?\)$/,
    );
    expect(() => denseDepth169({ decoderOptions: { widht: 'half' } })).toThrow(
      /decoder.options: unknown key "widht" \(did you mean "width"\?\)/,
    );
  });
  test("DenseDepth variants: the published weights' architecture by default, the 2020/TF2 code on request, KITTI", () => {
    const published = denseDepth169();
    expect(published.decoder.options).toMatchObject({ width: 'full', alignCorners: true, halfPixelCenters: false, leakyAfterConvA: false });
    expect(published.encoder.options).toMatchObject({ taps: 'densedepth', preprocessing: 'none' });
    expect(published.input).toMatchObject({ height: 480, width: 640 });
    const tf2 = denseDepth169({ code: 'tf2' });
    expect(tf2.decoder.options).toMatchObject({ alignCorners: false, halfPixelCenters: true, leakyAfterConvA: true });
    expect(tf2.name).toBe('densedepth169');
    const kitti = denseDepth169({ dataset: 'kitti' });
    expect(kitti.name).toBe('densedepth169_kitti');
    expect(getPreset('densedepth169_kitti')).toEqual(kitti);
    expect(kitti.depth).toEqual({ kind: 'densedepth', minDepth: 0.8, maxDepth: 80 });
    expect(kitti.input).toMatchObject({ height: 384, width: 1248 });
    expect(kitti.metadata.training).toMatchObject({ dataset: 'kitti', inputSize: [384, 1248], targetSize: [192, 624] });
    expect(kitti.decoder.options).toMatchObject({ alignCorners: true, leakyAfterConvA: false });
    // other options still apply on top, and the variant options are not model options
    const small = denseDepth169({ code: 'tf2', inputSize: [64, 96], decoderOptions: { width: 'half' } });
    expect(small.decoder.options).toMatchObject({ width: 'half', halfPixelCenters: true });
    for (const part of [small.decoder.options, small.encoder.options, small.head]) expect(Object.keys(part)).not.toContain('code');
    // the published architecture has no LeakyReLU between upN_convA and upN_convB
    const { model } = buildPreset(denseDepth169({ inputSize: [64, 96] }));
    const names = model.layers.map((l) => l.name);
    expect(names.filter((n) => /^up\d_leakyrelu/.test(n))).toEqual([
      'up1_leakyreluB',
      'up2_leakyreluB',
      'up3_leakyreluB',
      'up4_leakyreluB',
    ]);
    model.dispose();
    expect(() => denseDepth169({ code: '2019' as never })).toThrow(/code: expected one of "published", "tf2", got string "2019"/);
    expect(() => denseDepth169({ dataset: 'diw' as never })).toThrow(/dataset: expected one of "nyu", "kitti"/);
    expect(() => denseDepth169({ cod: 'tf2' } as never)).toThrow(/did you mean "code"/);
  });
  test('a preset with a small input runs forward and rebuilds identically from JSON', () => {
    const config = lrasppMobilenetV3({ inputSize: [48, 48], decoderOptions: { seed: 3 } });
    const a = buildFromConfig(JSON.parse(JSON.stringify(config)));
    const b = buildPreset(config);
    const x = tf.randomUniform([1, 48, 48, 3], 0, 1, 'float32', 8);
    const ya = a.model.predict(x) as tf.Tensor;
    const yb = b.model.predict(x) as tf.Tensor;
    expect(ya.shape).toEqual([1, 48, 48, 1]);
    expect(Array.from(ya.dataSync())).toEqual(Array.from(yb.dataSync()));
    const v = ya.dataSync();
    expect(Math.min(...v)).toBeGreaterThan(0); // sigmoid head
    expect(Math.max(...v)).toBeLessThan(1);
    tf.dispose([x, ya, yb]);
    a.model.dispose();
    b.model.dispose();
  });
});
