// The README's example, as written there (weights line left out: no network in tests).
import { tf, writeSafetensors, type FeatureMap } from '@depthblocks/core';
import { setupBackend } from '@depthblocks/backend';
import {
  EncoderBase,
  encoderOptionsSchema,
  getEncoder,
  listEncoders,
  loadWeights,
  registerEncoder,
  resolveEncoderOptions,
  type CommonEncoderOptions,
} from '../src';

test('README example runs', async () => {
  await setupBackend({ backend: 'wasm', threads: 1 });
  const names = listEncoders().map((s) => `${s.name} ${s.params?.total}`);
  expect(names).toContain('densenet169 12642880');

  const encoder = getEncoder('resnet34', { outputStride: 16 });
  const input = tf.input({ shape: [200, 200, 3] });
  const features = encoder.build(input);
  expect(features.map((f) => `${f.name}: ${f.channels} ch, stride ${f.stride}, ${f.tensor.shape}`)).toEqual([
    'conv1_relu: 64 ch, stride 2, ,100,100,64',
    'conv2_block3_out: 64 ch, stride 4, ,50,50,64',
    'conv3_block4_out: 128 ch, stride 8, ,25,25,128',
    'conv4_block6_out: 256 ch, stride 16, ,13,13,256',
    'conv5_block3_out: 512 ch, stride 16, ,13,13,512',
  ]);

  const model = tf.model({ inputs: input, outputs: features.map((f) => f.tensor) });
  encoder.freeze();
  const x = tf.zeros([1, 200, 200, 3]);
  const maps = model.predict(x) as tf.Tensor[];
  expect(maps.map((m) => m.shape)).toEqual([
    [1, 100, 100, 64],
    [1, 50, 50, 64],
    [1, 25, 25, 128],
    [1, 13, 13, 256],
    [1, 13, 13, 512],
  ]);
  tf.dispose([x, ...maps]);
  model.dispose();
});

// "Your own encoder", as written in the README.
class TwoStage extends EncoderBase {
  protected readonly bnEpsilon = 1e-5;
  protected readonly bnMomentum = 0.9;
  readonly stemConv = 'stem_conv';
  constructor(options: CommonEncoderOptions = {}) {
    super('two_stage', resolveEncoderOptions('two_stage', encoderOptionsSchema, options, { preprocessing: 'none', outputStrides: [32] }));
  }
  get channels(): number[] {
    return [16, 32];
  }
  get strides(): number[] {
    return [2, 4];
  }
  override torchPath(layer: string): string | null {
    return ({ stem_conv: 'stem.0', stem_bn: 'stem.1', down_conv: 'down.0', down_bn: 'down.1' } as Record<string, string>)[layer] ?? null;
  }
  protected body(x: tf.SymbolicTensor): FeatureMap[] {
    x = this.act(this.bn(this.conv(x, 'stem_conv', { filters: 16, kernel: 3, stride: 2 }), 'stem_bn'), 'stem_relu');
    const shallow = this.feature('stem_relu', x, 2);
    x = this.act(this.bn(this.conv(x, 'down_conv', { filters: 32, kernel: 3, stride: 2 }), 'down_bn'), 'down_relu');
    return [shallow, this.feature('down_relu', x, 4)];
  }
}
const twoStage = (options: CommonEncoderOptions = {}) => new TwoStage(options);

test("README 'your own encoder': registered, made by name, options checked, torch weights load through its key map", async () => {
  registerEncoder('two_stage', twoStage, { description: 'Two conv stages (an example)', options: encoderOptionsSchema });
  expect(listEncoders().find((s) => s.name === 'two_stage')).toMatchObject({ channels: [16, 32], strides: [2, 4], preprocessing: 'none' });
  expect(() => getEncoder('two_stage', { seeed: 1 })).toThrow(/^two_stage options: unknown key "seeed" \(did you mean "seed"\?\)$/);
  const enc = getEncoder('two_stage', { seed: 3 });
  const input = tf.input({ shape: [16, 16, 3] });
  expect(enc.build(input).map((f) => f.tensor.shape)).toEqual([
    [null, 8, 8, 16],
    [null, 4, 4, 32],
  ]);
  // a torchvision-layout state dict for it, as safetensors bytes
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  const put = (name: string, shape: number[]) =>
    (tensors[name] = { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i % 7) });
  put('stem.0.weight', [16, 3, 3, 3]);
  put('down.0.weight', [32, 16, 3, 3]);
  for (const [p, c] of [
    ['stem.1', 16],
    ['down.1', 32],
  ] as const)
    for (const k of ['weight', 'bias', 'running_mean', 'running_var']) put(`${p}.${k}`, [c]);
  const report = await loadWeights(enc, writeSafetensors(tensors));
  expect([report.loaded, report.missing, report.unexpected]).toEqual([10, [], []]);
});
