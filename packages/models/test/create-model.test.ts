import { tf, DepthblocksError } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { resnet18 } from '@depthblocks/encoders';
import { unetDecoder } from '@depthblocks/decoders';
import { createDepthModel, buildFromConfig, parseConfig, resolveConfig, DepthModelSpec } from '../src';

beforeAll(async () => {
  await setupTestBackend();
});

const tiny: DepthModelSpec = {
  name: 'tiny_unet',
  encoder: { name: 'resnet18', options: { seed: 4 } },
  decoder: { name: 'unet', options: { channels: [16, 8, 8, 4, 4], seed: 9 } },
  head: { activation: 'softplus', outputSize: 'decoder' },
  depth: { kind: 'log' },
  metadata: { experiment: 'config round-trip' },
};

describe('config', () => {
  test('resolveConfig fills every default and is plain JSON', () => {
    const c = resolveConfig({ encoder: 'resnet34', decoder: 'unet' });
    expect(c).toEqual({
      format: 'depthblocks-model',
      version: 1,
      name: 'depth_model',
      encoder: {
        name: 'resnet34',
        options: { inChannels: 3, outputStride: 32, preprocessing: 'imagenet', namePrefix: '', seed: 0, style: 'torch' },
      },
      decoder: {
        name: 'unet',
        options: {
          channels: [256, 128, 64, 32, 16],
          norm: 'batchnorm',
          activation: 'relu',
          order: 'conv-norm-act',
          outChannels: 1,
          namePrefix: 'unet_',
          interpolation: 'nearest',
          alignCorners: false,
          halfPixelCenters: false,
        },
      },
      head: { activation: 'linear', outputSize: 'decoder' },
      input: { height: null, width: null, channels: 3 },
      depth: { kind: 'none' },
      metadata: {},
    });
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
    expect(resolveConfig(c)).toEqual(c); // a resolved config resolves to itself
  });

  test('config JSON rebuilds the same model: same topology, same weights (seeded), same predictions', () => {
    const a = createDepthModel(tiny);
    const json = JSON.parse(JSON.stringify(a.config));
    const b = buildFromConfig(json);
    expect(b.config).toEqual(a.config);
    expect(JSON.stringify(b.model.toJSON(null, false))).toEqual(JSON.stringify(a.model.toJSON(null, false)));
    const x = tf.randomUniform([1, 50, 70, 3], 0, 1, 'float32', 5);
    const ya = a.model.predict(x) as tf.Tensor;
    const yb = b.model.predict(x) as tf.Tensor;
    expect(ya.shape).toEqual([1, 50, 70, 1]);
    expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
    // softplus head: positive
    expect(ya.min().dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([x, ya, yb]);
    a.model.dispose();
    b.model.dispose();
  });

  test('head: each activation is applied to the same decoder output; outputSize input resizes', () => {
    const x = tf.randomUniform([1, 40, 40, 3], 0, 1, 'float32', 6);
    const base = { encoder: 'mobilenetv3_large', decoder: { name: 'lraspp', options: { interChannels: 8, seed: 2 } } };
    const outputs: Record<string, Float32Array> = {};
    for (const activation of ['linear', 'relu', 'sigmoid', 'softplus'] as const) {
      const { model } = createDepthModel({ ...base, head: { activation } });
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([1, 5, 5, 1]);
      outputs[activation] = y.dataSync() as Float32Array;
      y.dispose();
      model.dispose();
    }
    const lin = Array.from(outputs.linear);
    expect(lin.some((v) => v < 0)).toBe(true); // so that relu/sigmoid/softplus are exercised
    lin.forEach((v, i) => {
      expect(outputs.relu[i]).toBeCloseTo(Math.max(v, 0), 5);
      expect(outputs.sigmoid[i]).toBeCloseTo(1 / (1 + Math.exp(-v)), 5);
      expect(outputs.softplus[i]).toBeCloseTo(Math.log1p(Math.exp(v)), 5);
    });
    const { model } = createDepthModel({ ...base, head: { outputSize: 'input' }, inputSize: [40, 40] });
    expect(model.outputs[0].shape).toEqual([null, 40, 40, 1]);
    expect(model.layers.map((l) => l.name)).toContain('head_resize');
    model.dispose();
    x.dispose();
  });

  test('bad configs raise DepthblocksError that name the field and the value', () => {
    expect(() => createDepthModel({ encoder: 'vgg16', decoder: 'unet' })).toThrow(
      /^Model config: encoder: unknown encoder "vgg16"; registered encoders: densenet121.*unet_scratch$/,
    );
    expect(() => createDepthModel({ encoder: 'resnet18', decoder: 'fpn' })).toThrow(/decoder: unknown decoder "fpn"/);
    expect(() => resolveConfig({ encoder: 'resnet18', decoder: 'unet', head: { activation: 'tanh' as 'relu' } })).toThrow(
      /head.activation: expected one of "linear", "relu", "sigmoid", "softplus", got string "tanh"/,
    );
    expect(() => resolveConfig({ encoder: 'resnet18', decoder: 'unet', inputSize: [0, 64] })).toThrow(
      /inputSize\[0\]: must be > 0, got number 0/,
    );
    expect(() => resolveConfig({ encoder: 'resnet18', decoder: 'unet', depth: { kind: 'unit' } as never })).toThrow(
      /depth.maxDepth: is required/,
    );
    expect(() => resolveConfig({ encoder: 'resnet18', decoder: 'unet', metadata: { lr: NaN } })).toThrow(/metadata.lr: /);
    expect(() => resolveConfig({ encoder: 42 as unknown as string, decoder: 'unet' })).toThrow(DepthblocksError);
    expect(() => parseConfig({ ...resolveConfig({ encoder: 'resnet18', decoder: 'unet' }), version: 2 })).toThrow(
      /version 2 is not supported/,
    );
    expect(() => parseConfig({ encoder: 'resnet18', decoder: 'unet' })).toThrow(/format: expected "depthblocks-model"/);
  });

  test("a typo'd key anywhere in a model config is rejected with a did-you-mean, before anything is built", () => {
    const layersBefore = tf.memory().numTensors;
    const cases: [unknown, RegExp][] = [
      [{ encoder: 'resnet18', decoder: 'unet', haed: {} }, /^Model config: unknown key "haed" \(did you mean "head"\?\)$/],
      [
        { encoder: { name: 'resnet18', options: { outputStrid: 16 } }, decoder: 'unet' },
        /^Model config: encoder.options: unknown key "outputStrid" \(did you mean "outputStride"\?\)$/,
      ],
      [{ encoder: { name: 'resnet18', optoins: {} }, decoder: 'unet' }, /encoder: unknown key "optoins" \(did you mean "options"\?\)/],
      [
        { encoder: 'resnet18', decoder: { name: 'unet', options: { chanels: [8] } } },
        /decoder.options: unknown key "chanels" \(did you mean "channels"\?\)/,
      ],
      [{ encoder: 'resnet43', decoder: 'unet' }, /encoder: unknown encoder "resnet43" \(did you mean "resnet34"\?\)/],
      [
        { encoder: 'resnet18', decoder: 'unet', head: { activaton: 'relu' } },
        /head: unknown key "activaton" \(did you mean "activation"\?\)/,
      ],
      [
        { encoder: 'resnet18', decoder: 'unet', depth: { kind: 'unit', maxDepht: 10 } },
        /depth: unknown key "maxDepht" \(did you mean "maxDepth"\?\)/,
      ],
      [{ ...resolveConfig({ encoder: 'resnet18', decoder: 'unet' }), inputt: {} }, /unknown key "inputt" \(did you mean "input"\?\)/],
    ];
    for (const [spec, message] of cases) {
      let err: unknown;
      try {
        createDepthModel(spec as DepthModelSpec);
      } catch (e) {
        err = e;
      }
      expect([(err as DepthblocksError).code, (err as Error).message]).toEqual(['INVALID_CONFIG', expect.stringMatching(message)]);
    }
    expect(tf.memory().numTensors).toBe(layersBefore); // nothing was built
  });

  test('parts given as objects keep their options, and the config records their resolved options', () => {
    const encoder = resnet18({ outputStride: 16, seed: 2 });
    const decoder = unetDecoder({ channels: [16, 8, 8, 4, 4], seed: 1 });
    const a = createDepthModel({ encoder, decoder });
    expect(a.encoder).toBe(encoder); // the object itself is used, not rebuilt from its name
    expect(a.config.encoder).toEqual({ name: 'resnet18', options: { ...encoder.options } });
    expect(a.config.encoder.options).toMatchObject({ outputStride: 16, seed: 2 });
    expect(a.config.decoder.options).toMatchObject({ channels: [16, 8, 8, 4, 4], seed: 1, norm: 'batchnorm' });
    const b = buildFromConfig(JSON.parse(JSON.stringify(a.config)));
    expect(JSON.stringify(b.model.toJSON(null, false))).toEqual(JSON.stringify(a.model.toJSON(null, false)));
    a.model.dispose();
    b.model.dispose();
  });

  test("the 'unet_scratch' encoder (CS231N U-Net) composes, runs at 50x70 and trains", () => {
    const start = tf.memory().numTensors;
    const { model, encoder } = createDepthModel({
      encoder: { name: 'unet_scratch', options: { baseFilters: 4 } },
      decoder: { name: 'unet', options: { channels: [16, 8, 8, 4], activation: 'leaky_relu', order: 'conv-act-norm' } },
    });
    expect(encoder!.strides).toEqual([1, 2, 4, 8, 16]);
    const x = tf.randomUniform([1, 50, 70, 3], 0, 1, 'float32', 7);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 50, 70, 1]);
    const opt = tf.train.sgd(1e-2);
    const loss = opt.minimize(() => tf.mean(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, true)!;
    expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
    encoder!.freeze();
    expect(model.trainableWeights.every((w) => !w.name.startsWith('down'))).toBe(true);
    tf.dispose([x, y, loss]);
    opt.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
