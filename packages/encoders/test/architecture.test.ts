import { tf, DepthblocksError } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { getEncoder, listEncoders, resnet34, type Encoder, type EncoderOptions } from '../src';

beforeAll(async () => {
  await setupTestBackend();
});

/**
 * Published parameter counts (no classifier). Keras: model.count_params() of
 * keras.applications.<Model>(include_top=False) (total includes BN moving statistics) and its trainable
 * count. torchvision: sum of p.numel() over model.parameters() minus the classifier
 * (resnet18 11,689,512 - fc 513,000; resnet34 21,797,672 - 513,000; resnet50 25,557,032 - 2,049,000;
 * resnet101 44,549,160 - 2,049,000; resnext50_32x4d 25,028,904 - 2,049,000;
 * mobilenet_v3_large 5,483,032 - classifier 2,511,080). Sources in the README.
 */
const KERAS = {
  densenet121: { total: 7037504, trainable: 6953856 },
  densenet169: { total: 12642880, trainable: 12484480 },
  densenet201: { total: 18321984, trainable: 18092928 },
  resnet50: { total: 23587712, trainable: 23534592 },
} as Record<string, { total: number; trainable: number }>;
const TORCHVISION = {
  resnet18: 11176512,
  resnet34: 21284672,
  resnet50: 23508032,
  resnet101: 42500160,
  resnext50_32x4d: 22979904,
  mobilenetv3_large: 2971952,
} as Record<string, number>;

function counts(enc: Encoder): { total: number; trainable: number } {
  let total = 0;
  let trainable = 0;
  for (const l of enc.layers) {
    for (const w of l.weights) {
      const n = (w.shape as number[]).reduce((a, b) => a * b, 1);
      total += n;
      if (w.trainable && l.trainable) trainable += n;
    }
  }
  return { total, trainable };
}

/** Builds on a [null, null, C] input and returns a model of the feature maps (no forward pass). */
function build(name: string, options: EncoderOptions = {}): { enc: Encoder; model: tf.LayersModel } {
  const enc = getEncoder(name, options);
  const input = tf.input({ shape: [null, null, options.inChannels ?? 3] });
  const feats = enc.build(input);
  return { enc, model: tf.model({ inputs: input, outputs: feats.map((f) => f.tensor) }) };
}

/** Feature shapes for an input size, from the layers' computeOutputShape (no tensors computed). */
function shapesFor(model: tf.LayersModel, h: number, w: number, c = 3): number[][] {
  return model.computeOutputShape([1, h, w, c]) as number[][];
}

/** Expected size after the stem and pools: PyTorch/Keras arithmetic, written out per stage. */
const conv = (n: number, k: number, s: number, p: number): number => Math.floor((n + 2 * p - k) / s) + 1;

describe.each(listEncoders().map((s) => s.name))('%s', (name) => {
  const spec = listEncoders().find((s) => s.name === name)!;
  let enc: Encoder;
  let model: tf.LayersModel;
  beforeAll(() => {
    ({ enc, model } = build(name));
  });
  afterAll(() => model.dispose());

  test('parameter counts equal the registry, the Keras figures exactly, torchvision within 1%', () => {
    const c = counts(enc);
    expect(c).toEqual(spec.params);
    if (KERAS[name]) expect(c).toEqual(KERAS[name]);
    if (TORCHVISION[name] && !(name === 'resnet50')) {
      expect(Math.abs(c.trainable - TORCHVISION[name]) / TORCHVISION[name]).toBeLessThan(0.01);
    }
  });

  test('feature shapes at 480x640, 200x200 and 97x131 (symbolic)', () => {
    expect(enc.channels).toEqual(spec.channels);
    expect(enc.strides).toEqual([2, 4, 8, 16, 32]);
    for (const [h, w] of [
      [480, 640],
      [200, 200],
      [97, 131],
    ]) {
      const shapes = shapesFor(model, h, w);
      // stem: 7x7/2 pad 3 (3x3/2 pad 1 for MobileNetV3), then every stage halves with k=3,p=1 / k=1 / 2x2 pool
      const stem = name.startsWith('mobilenet') ? [conv(h, 3, 2, 1), conv(w, 3, 2, 1)] : [conv(h, 7, 2, 3), conv(w, 7, 2, 3)];
      const sizes = [stem];
      for (let i = 1; i < 5; i++) {
        const [ph, pw] = sizes[i - 1];
        // DenseNet transitions are 2x2/2 average pools (floor); ResNet/MobileNet stages use pad-1 3x3/2 (ceil)
        const half = (n: number): number => (name.startsWith('densenet') && i > 1 ? Math.floor(n / 2) : conv(n, 3, 2, 1));
        sizes.push([half(ph), half(pw)]);
      }
      expect(shapes).toEqual(sizes.map(([a, b], i) => [1, a, b, spec.channels[i]]));
    }
    expect(shapesFor(model, 480, 640).map((s) => s.slice(1, 3))).toEqual([
      [240, 320],
      [120, 160],
      [60, 80],
      [30, 40],
      [15, 20],
    ]);
  });

  test('layer names are unique and carry the Keras names', () => {
    const names = enc.layers.map((l) => l.name);
    expect(new Set(names).size).toBe(names.length);
    const expected: Record<string, string[]> = {
      densenet121: [
        'conv1/conv',
        'conv1/bn',
        'conv1/relu',
        'pool1',
        'conv2_block1_0_bn',
        'conv2_block6_concat',
        'pool2_conv',
        'pool4_pool',
        'conv5_block16_2_conv',
        'bn',
        'relu',
      ],
      densenet169: ['conv4_block32_concat', 'conv5_block32_2_conv', 'pool3_pool'],
      densenet201: ['conv4_block48_concat', 'conv5_block32_1_bn'],
      resnet18: ['conv1_conv', 'conv1_bn', 'pool1_pool', 'conv2_block2_out', 'conv3_block1_0_conv', 'conv5_block2_2_bn'],
      resnet34: ['conv4_block6_out', 'conv3_block1_0_bn'],
      resnet50: ['conv1_conv', 'conv2_block1_0_conv', 'conv2_block3_3_bn', 'conv4_block6_out', 'conv5_block3_out'],
      resnet101: ['conv4_block23_out', 'conv4_block23_3_conv'],
      resnext50_32x4d: ['conv2_block1_2_conv', 'conv5_block3_out'],
      mobilenetv3_large: [
        'Conv',
        'Conv/BatchNorm',
        'expanded_conv/depthwise',
        'expanded_conv_1/expand',
        'expanded_conv_3/squeeze_excite/Conv_1',
        'expanded_conv_14/project/BatchNorm',
        'Conv_1',
      ],
    };
    for (const n of expected[name]) expect(names).toContain(n);
  });
});

describe('architecture details', () => {
  test('DenseNet BN epsilon 1.001e-5, ResNet-18 1e-5, Keras ResNet-50 1.001e-5 with conv biases, MobileNetV3 1e-3', () => {
    const eps = (name: string, layer: string, options: EncoderOptions = {}): number => {
      const enc = getEncoder(name, options);
      enc.build(tf.input({ shape: [null, null, 3] }));
      const l = enc.layers.find((x) => x.name === layer)!;
      return l.getConfig().epsilon as number;
    };
    expect(eps('densenet121', 'conv1/bn')).toBe(1.001e-5);
    expect(eps('resnet18', 'conv1_bn')).toBe(1e-5);
    expect(eps('resnet50', 'conv1_bn')).toBe(1.001e-5);
    expect(eps('resnet50', 'conv1_bn', { style: 'torch' })).toBe(1e-5);
    expect(eps('mobilenetv3_large', 'Conv/BatchNorm')).toBe(1e-3);
  });

  test('ResNet-50 style torch: torchvision count exactly, stride on the 3x3', () => {
    const { enc, model } = build('resnet50', { style: 'torch' });
    expect(counts(enc).trainable).toBe(TORCHVISION.resnet50);
    const k = enc.layers.find((l) => l.name === 'conv3_block1_2_conv')!;
    expect(k.getConfig().strides).toEqual([2, 2]);
    expect(enc.preprocessing).toBe('imagenet');
    model.dispose();
  });

  test('DenseDepth taps: conv1/relu, pool1, pool2_pool, pool3_pool, relu', () => {
    const enc = getEncoder('densenet169', { taps: 'densedepth' });
    const input = tf.input({ shape: [480, 640, 3] });
    const f = enc.build(input);
    expect(f.map((x) => [x.name, x.channels, x.stride, x.tensor.shape])).toEqual([
      ['conv1/relu', 64, 2, [null, 240, 320, 64]],
      ['pool1', 64, 4, [null, 120, 160, 64]],
      ['pool2_pool', 128, 8, [null, 60, 80, 128]],
      ['pool3_pool', 256, 16, [null, 30, 40, 256]],
      ['relu', 1664, 32, [null, 15, 20, 1664]],
    ]);
    expect(enc.channels).toEqual([64, 64, 128, 256, 1664]);
  });

  test.each([
    ['resnet34', 16, [2, 4, 8, 16, 16]],
    ['resnet50', 8, [2, 4, 8, 8, 8]],
    ['resnext50_32x4d', 16, [2, 4, 8, 16, 16]],
    ['mobilenetv3_large', 16, [2, 4, 8, 16, 16]],
    ['mobilenetv3_large', 8, [2, 4, 8, 8, 8]],
  ] as const)('%s outputStride %d: strides %j and matching shapes at 200x200', (name, os, strides) => {
    const { enc, model } = build(name, { outputStride: os });
    expect(enc.strides).toEqual(strides);
    const shapes = shapesFor(model, 200, 200);
    const at = (s: number): number => [100, 50, 25, 13, 7][Math.log2(s) - 1];
    expect(shapes.map((s) => s[1])).toEqual(strides.map(at));
    // dilation keeps the parameter count
    expect(counts(enc)).toEqual(listEncoders().find((s) => s.name === name)!.params);
    model.dispose();
  });

  test('inChannels 1 and 5 change only the stem kernel', () => {
    for (const n of [1, 5]) {
      const { enc, model } = build('resnet18', { inChannels: n });
      expect(enc.layers.find((l) => l.name === 'conv1_conv')!.getWeights()[0].shape).toEqual([7, 7, n, 64]);
      expect(counts(enc).total).toBe(11186112 + 7 * 7 * 64 * (n - 3));
      model.dispose();
    }
  });

  test('namePrefix prefixes every layer', () => {
    const enc = getEncoder('mobilenetv3_large', { namePrefix: 'enc/' });
    const f = enc.build(tf.input({ shape: [32, 32, 3] }));
    expect(enc.layers.every((l) => l.name.startsWith('enc/'))).toBe(true);
    expect(f[4].name).toBe('enc/Conv_1/hard_swish');
  });

  test('same seed, same initial weights; other seed, others', () => {
    const w = (seed: number): Float32Array => {
      const enc = getEncoder('resnet18', { seed });
      enc.build(tf.input({ shape: [null, null, 3] }));
      const t = enc.layers.find((l) => l.name === 'conv2_block1_1_conv')!.getWeights()[0];
      const d = t.dataSync() as Float32Array;
      t.dispose();
      return d;
    };
    expect(w(1)).toEqual(w(1));
    expect(w(1)).not.toEqual(w(2));
  });

  test('errors: DenseNet output stride, unknown name, wrong channels, second build, bad options', () => {
    const err = (f: () => unknown): DepthblocksError => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(DepthblocksError);
        return e as DepthblocksError;
      }
      throw new Error('expected a DepthblocksError');
    };
    let e = err(() => getEncoder('densenet169', { outputStride: 16 }));
    expect(e.code).toBe('UNSUPPORTED');
    expect(e.message).toMatch(/outputStride 16 is not supported; use 32/);
    e = err(() => getEncoder('resnet152'));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(/Unknown encoder "resnet152" \(did you mean "resnet18"\?\); registered encoders: densenet121, .*resnet18/);
    const enc = getEncoder('resnet18');
    e = err(() => enc.build(tf.input({ shape: [32, 32, 4] })));
    expect(e.code).toBe('SHAPE_MISMATCH');
    expect(e.message).toMatch(/4 channels.*inChannels 3/);
    enc.build(tf.input({ shape: [32, 32, 3] }));
    expect(err(() => enc.build(tf.input({ shape: [32, 32, 3] }))).message).toMatch(/already called/);
    e = err(() => getEncoder('resnet18', { outputStride: 4 as never }));
    expect([e.code, e.message]).toEqual(['INVALID_CONFIG', 'resnet18 options: outputStride: expected one of 32, 16, 8, got number 4']);
    expect(err(() => getEncoder('resnet18', { inChannels: 0 })).message).toBe('resnet18 options: inChannels: must be > 0, got number 0');
    expect(err(() => getEncoder('resnet18', { style: 'keras' })).message).toMatch(/style 'keras' exists for resnet50\/resnet101 only/);
    expect(err(() => getEncoder('densenet121', { taps: 'unet' as never })).message).toBe(
      'densenet121 options: taps: expected one of "smp", "densedepth", got string "unet"',
    );
    expect(err(() => getEncoder('resnet18', { taps: 'smp' } as never)).message).toMatch(
      /^resnet18 options: unknown key "taps"; valid keys: inChannels, .*style$/,
    );
    e = err(() => getEncoder('resnet34', { outputStrid: 16 } as never));
    expect([e.code, e.message]).toEqual(['INVALID_CONFIG', 'resnet34 options: unknown key "outputStrid" (did you mean "outputStride"?)']);
    expect(err(() => resnet34({ seed: 'one' } as never)).message).toBe('resnet34 options: seed: expected number, got string "one"');
  });

  test('listEncoders returns copies with weights info', () => {
    const a = listEncoders();
    expect(a.map((s) => s.name)).toEqual([
      'densenet121',
      'densenet169',
      'densenet201',
      'resnet18',
      'resnet34',
      'resnet50',
      'resnet101',
      'resnext50_32x4d',
      'mobilenetv3_large',
    ]);
    a[0].channels[0] = -1;
    expect(listEncoders()[0].channels[0]).toBe(64);
    expect(a.find((s) => s.name === 'densenet169')!.weights.keras).toBe('densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5');
  });
});
