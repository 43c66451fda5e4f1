import { tf, DepthblocksError } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { bridgeDecoder, denseDepthDecoder, getDecoder, listDecoders, lrasppDecoder, unetDecoder, unetPlusPlusDecoder } from '../src';
import { fakeEncoder, inputFeatures, trainableParams } from './fake-encoder';

beforeAll(async () => {
  await setupTestBackend();
});

/** Builds decoder-only model from symbolic feature inputs and returns its trainable count. */
function decoderParams(make: () => ReturnType<typeof getDecoder>, channels: number[], withInput = false): number {
  const feats = inputFeatures(channels);
  const input = tf.input({ shape: [64, 64, 3] });
  const out = make().build(feats, withInput ? input : undefined);
  const inputs = feats.map((f) => f.tensor);
  const model = tf.model({ inputs: withInput ? [...inputs, input] : inputs, outputs: out.tensor });
  const n = trainableParams(model);
  model.dispose();
  return n;
}

// Independent parameter formulas, written from the reference implementations' constructors.
const convBlock = (cin: number, cout: number, bn: boolean) =>
  9 * cin * cout + (bn ? 2 * cout : cout) + 9 * cout * cout + (bn ? 2 * cout : cout);
/** smp UnetDecoder + SegmentationHead(kernel 3, 1 class). */
function smpUnetParams(enc: number[], dec: number[]): number {
  const e = [...enc].reverse();
  const inCh = [e[0], ...dec.slice(0, -1)];
  const skip = [...e.slice(1), 0];
  return dec.reduce((s, o, i) => s + convBlock(inCh[i] + skip[i], o, true), 0) + 9 * dec[dec.length - 1] + 1;
}
/** smp UnetPlusPlusDecoder.__init__ + SegmentationHead. */
function smpUnetPlusPlusParams(enc: number[], dec: number[]): number {
  const e = [...enc].reverse();
  const inCh = [e[0], ...dec.slice(0, -1)];
  const skip = [...e.slice(1), 0];
  let total = 0;
  for (let l = 0; l < inCh.length - 1; l++) {
    for (let d = 0; d <= l; d++) {
      if (d === 0) total += convBlock(inCh[l] + skip[l] * (l + 1), dec[l], true);
      else total += convBlock(skip[l - 1] + skip[l] * (l + 1 - d), skip[l], true);
    }
  }
  return total + convBlock(inCh[inCh.length - 1], dec[dec.length - 1], true) + 9 * dec[dec.length - 1] + 1;
}

describe('parameter counts against the reference implementations', () => {
  const densenet169 = [64, 64, 128, 256, 1664]; // conv1/relu, pool1, pool2_pool, pool3_pool, relu
  test('DenseDepth, DenseNet-169 taps: full width 30,173,209 (REFERENCE), half width 8,880,925', () => {
    expect(decoderParams(() => denseDepthDecoder({ width: 'full' }), densenet169)).toBe(30_173_209);
    // 21,523,805 (Keras half-width total) - 12,642,880 (DenseNet-169 incl. BN statistics)
    expect(decoderParams(() => denseDepthDecoder({ width: 'half' }), densenet169)).toBe(21_523_805 - 12_642_880);
  });
  test('U-Net, ResNet-34 channels: 3,151,697 = smp Unet(resnet34) 24,436,369 - encoder 21,284,672', () => {
    const enc = [64, 64, 128, 256, 512];
    expect(smpUnetParams(enc, [256, 128, 64, 32, 16])).toBe(24_436_369 - 21_284_672);
    expect(decoderParams(() => unetDecoder(), enc, true)).toBe(3_151_697);
  });
  test('U-Net++, ResNeXt-50 channels: smp formula', () => {
    const enc = [64, 256, 512, 1024, 2048];
    const expected = smpUnetPlusPlusParams(enc, [256, 128, 64, 32, 16]);
    expect(expected).toBe(25_477_713);
    expect(decoderParams(() => unetPlusPlusDecoder(), enc, true)).toBe(expected);
    // a second, narrow configuration exercises the nested channel bookkeeping differently
    expect(decoderParams(() => unetPlusPlusDecoder({ channels: [32, 16, 8, 8, 4] }), [3, 5, 7, 9, 11], true)).toBe(
      smpUnetPlusPlusParams([3, 5, 7, 9, 11], [32, 16, 8, 8, 4]),
    );
  });
  test('LR-ASPP head, MobileNetV3-Large channels (low 40 @ /8, high 960 @ /16): torchvision 249,586 (+22 for 21->1)', () => {
    const mk = () => lrasppDecoder({ classes: 21 });
    // torchvision lraspp_mobilenet_v3_large 3,221,538 - backbone 2,971,952 = 249,586; + 1x1 conv 21 -> 1
    const feats = inputFeatures([16, 24, 40, 960], [2, 4, 8, 16]);
    const out = mk().build(feats);
    const model = tf.model({ inputs: feats.map((f) => f.tensor), outputs: out.tensor });
    expect(trainableParams(model)).toBe(3_221_538 - 2_971_952 + 22);
    expect(out.stride).toBe(8);
    model.dispose();
  });
  test('bridge, DenseNet-121 taps, F = 768: 7,280,809; F = 512 (public code delta 0.5) 3,675,418', () => {
    const enc = [64, 64, 128, 256, 1024];
    expect(decoderParams(() => bridgeDecoder({ width: 768 }), enc, true)).toBe(7_280_809);
    // delta 0.5: 1x1 1024->512, bridges 768->256, 384->128, 192->64, 128->32, no-skip 32->16, 1x1 16->1
    const byHand =
      1024 * 512 +
      512 +
      [
        [768, 256],
        [384, 128],
        [192, 64],
        [128, 32],
        [32, 16],
      ].reduce((s, [i, o]) => s + convBlock(i, o, false), 0) +
      17;
    expect(decoderParams(() => bridgeDecoder({ width: 'half' }), enc, true)).toBe(byHand);
  });
});

describe('every decoder on a fake encoder', () => {
  for (const spec of listDecoders()) {
    describe(spec.name, () => {
      test('symbolic output shapes for 200x200, 97x131 and 480x640 inputs', () => {
        for (const [h, w] of [
          [200, 200],
          [97, 131],
          [480, 640],
        ]) {
          const input = tf.input({ shape: [h, w, 3] });
          const out = getDecoder(spec.name, spec.tinyOptions).build(fakeEncoder(input), input);
          expect(out.stride).toBe(spec.outputStride);
          const s = spec.outputStride;
          expect(out.tensor.shape).toEqual([null, Math.ceil(h / s), Math.ceil(w / s), 1]);
        }
      });
      test('forward at 64x64 and 50x70 (dynamic input), one training step: finite loss, no leak', () => {
        const input = tf.input({ shape: [null, null, 3] });
        const out = getDecoder(spec.name, { ...spec.tinyOptions, seed: 3 }).build(fakeEncoder(input), input);
        const model = tf.model({ inputs: input, outputs: out.tensor });
        const before = tf.memory().numTensors;
        for (const [h, w] of [
          [64, 64],
          [50, 70],
        ]) {
          const y = tf.tidy(() => model.predict(tf.randomUniform([1, h, w, 3], 0, 1, 'float32', 1)) as tf.Tensor);
          expect(y.shape).toEqual([1, Math.ceil(h / spec.outputStride), Math.ceil(w / spec.outputStride), 1]);
          expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
          y.dispose();
        }
        const x = tf.randomUniform([1, 50, 70, 3], 0, 1, 'float32', 2);
        const opt = tf.train.adam(1e-3);
        const weights0 = model.trainableWeights.map((v) => v.read().clone());
        const loss = opt.minimize(() => tf.mean(tf.square(tf.sub(model.apply(x, { training: true }) as tf.Tensor, 1))) as tf.Scalar, true);
        expect(Number.isFinite(loss!.dataSync()[0])).toBe(true);
        // every trainable weight moved (so the gradient reaches every layer)
        const moved = model.trainableWeights.filter(
          (v, i) => tf.tidy(() => tf.any(tf.notEqual(v.read(), weights0[i])).dataSync()[0]) === 1,
        );
        expect(moved.length).toBe(model.trainableWeights.length);
        tf.dispose([loss!, x, ...weights0]);
        opt.dispose();
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      });
    });
  }
});

describe('behaviour details', () => {
  test('DenseDepth keeps the Keras layer names', () => {
    const dec = denseDepthDecoder({ width: 64 });
    dec.build(inputFeatures([4, 4, 8, 8, 16]));
    const names = dec.layers.map((l) => l.name);
    for (const n of ['conv2', 'up1_upsampling2d', 'up1_concat', 'up1_convA', 'up1_convB', 'up4_convB', 'conv3']) expect(names).toContain(n);
    expect(dec.options).toMatchObject({ width: 64, halfPixelCenters: true, alignCorners: false });
  });
  test('U-Net nearest x2 up-sampling copies pixels (PyTorch nearest) and BN layers exist', () => {
    const dec = unetDecoder({ channels: [4, 4], norm: 'none' });
    const feats = inputFeatures([2, 3], [16, 32]);
    const out = dec.build(feats);
    expect(out.stride).toBe(8);
    expect(dec.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(false);
    expect(unetDecoder().options).toMatchObject({ interpolation: 'nearest', norm: 'batchnorm' });
  });
  test('same seed -> same initial weights', () => {
    const w = (seed: number) => {
      const dec = bridgeDecoder({ width: 32, seed });
      dec.build(inputFeatures([4, 4, 8, 8, 16]));
      return Array.from(
        dec.layers
          .find((l) => l.name === 'bridge_block1_conv1')!
          .getWeights()[0]
          .dataSync()
          .slice(0, 5),
      );
    };
    expect(w(5)).toEqual(w(5));
    expect(w(5)).not.toEqual(w(6));
  });
  test('errors name the problem and the value', () => {
    expect(() => getDecoder('segformer')).toThrow(
      /Unknown decoder "segformer"; registered decoders: densedepth, unet, unetplusplus, lraspp, bridge/,
    );
    expect(() => getDecoder('unte')).toThrow(/Unknown decoder "unte" \(did you mean "unet"\?\)/);
    expect(() => getDecoder('unet', { chanels: [8] })).toThrow(
      /^unet decoder options: unknown key "chanels" \(did you mean "channels"\?\)$/,
    );
    expect(() => denseDepthDecoder({ width: 8 })).toThrow(/DenseDepth decoder options: width: /);
    expect(() => denseDepthDecoder({ width: 8 })).toThrow(DepthblocksError);
    expect(() => denseDepthDecoder({ width: 'quarter' as 'half' })).toThrow(/quarter/);
    expect(() => unetDecoder({ channels: [16, -1] })).toThrow(/-1/);
    expect(() => unetPlusPlusDecoder({ channels: [8, 8] }).build(inputFeatures([2, 3, 4]))).toThrow(/3 for 3 feature maps/);
    expect(() => lrasppDecoder().build(inputFeatures([2, 3], [16, 32]))).toThrow(/stride 8/);
    expect(() => denseDepthDecoder().build([])).toThrow(/at least 2 feature maps/);
    const bad = inputFeatures([4, 8]);
    bad[1] = { ...bad[1], channels: 9 };
    expect(() => unetDecoder().build(bad)).toThrow(/says 9 channels but its tensor has 8/);
    const dec = bridgeDecoder({ width: 32 });
    dec.build(inputFeatures([4, 4, 8, 8, 16]));
    expect(() => dec.build(inputFeatures([4, 4, 8, 8, 16]))).toThrow(/once/);
  });
  test('listDecoders names the five decoders', () => {
    expect(listDecoders().map((d) => d.name)).toEqual(['densedepth', 'unet', 'unetplusplus', 'lraspp', 'bridge']);
  });
});
