import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { getEncoder, listEncoders, type Encoder, type EncoderOptions } from '../src';

beforeAll(async () => {
  await setupTestBackend();
});

// Batch 3 because at 32x32 the deepest maps are 1x1: with 2 values per channel a training-mode batch
// norm outputs exactly +-1 whatever its input, so nothing before it would get a gradient.

/** Builds `name` on a [1, size, size, c] input; returns the model of its feature maps. */
function buildModel(name: string, size: number, options: EncoderOptions = {}): { enc: Encoder; model: tf.LayersModel } {
  const enc = getEncoder(name, options);
  const input = tf.input({ shape: [size, size, options.inChannels ?? 3] });
  const features = enc.build(input);
  return { enc, model: tf.model({ inputs: input, outputs: features.map((f) => f.tensor) }) };
}

/** Sum of squares of every feature map (each normalised by its size): a loss that touches every layer. */
function loss(model: tf.LayersModel, x: tf.Tensor): tf.Scalar {
  const outs = model.apply(x, { training: true }) as tf.Tensor[];
  return tf.addN(outs.map((o) => tf.mean(tf.square(o)))) as tf.Scalar;
}

/** One SGD step; returns the loss and how many trainable / BN-statistic tensors changed. */
function step(
  enc: Encoder,
  model: tf.LayersModel,
  x: tf.Tensor,
): { value: number; changedTrainable: number; changedStats: number; nTrainable: number } {
  const trainable = model.trainableWeights.map((w) => w.read());
  const stats = model.nonTrainableWeights.filter((w) => /moving_(mean|variance)$/.test(w.originalName));
  const before = tf.tidy(() => [...trainable, ...stats.map((w) => w.read())].map((t) => t.clone()));
  const opt = tf.train.sgd(0.1);
  const l = opt.minimize(() => loss(model, x), true, trainable.length ? (trainable as tf.Variable[]) : undefined);
  const value = l ? l.dataSync()[0] : NaN;
  l?.dispose();
  opt.dispose();
  const after = [...trainable, ...stats.map((w) => w.read())];
  const changed = tf.tidy(() => after.map((t, i) => tf.any(tf.notEqual(t, before[i])).dataSync()[0] === 1));
  tf.dispose(before);
  void enc;
  if (process.env.DEBUG_ENC)
    console.log(
      model.trainableWeights
        .filter((_, i) => !changed[i])
        .map((w) => w.originalName)
        .join(' '),
    );
  // A conv bias feeding a batch norm (Keras ResNet-50/101) has an exactly zero gradient in training
  // mode (BN subtracts the batch mean), so it need not move.
  const exempt = model.trainableWeights.map((w) => /_conv\/bias$/.test(w.originalName));
  return {
    value,
    changedTrainable: changed.slice(0, trainable.length).filter((c, i) => c || exempt[i]).length,
    changedStats: changed.slice(trainable.length).filter(Boolean).length,
    nTrainable: trainable.length,
  };
}

describe.each(listEncoders().map((s) => s.name))('%s', (name) => {
  test('a training step at 3x32x32x3 changes every weight, keeps the loss finite, and leaks nothing', () => {
    const { enc, model } = buildModel(name, 32);
    const x = tf.randomUniform([3, 32, 32, 3], 0, 1, 'float32', 7);
    const before = tf.memory().numTensors;
    const r = step(enc, model, x);
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(r.value)).toBe(true);
    expect(r.value).toBeGreaterThan(0);
    expect(r.nTrainable).toBe(model.trainableWeights.length);
    // every trainable tensor got a non-zero gradient step
    expect(r.changedTrainable).toBe(r.nTrainable);
    expect(r.changedStats).toBeGreaterThan(0);
    x.dispose();
    model.dispose();
  });
});

describe('dilated variants', () => {
  test.each([
    ['resnet18', 8],
    ['resnext50_32x4d', 16],
    ['mobilenetv3_large', 16],
  ] as const)('%s at output stride %d trains (finite loss, weights change, no leak)', (name, os) => {
    const { enc, model } = buildModel(name, 32, { outputStride: os });
    expect(enc.strides[4]).toBe(os);
    const x = tf.randomUniform([3, 32, 32, 3], 0, 1, 'float32', 3);
    const before = tf.memory().numTensors;
    const r = step(enc, model, x);
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(r.value)).toBe(true);
    expect(r.changedTrainable).toBe(r.nTrainable);
    x.dispose();
    model.dispose();
  });
});

describe('freeze / unfreeze', () => {
  test('a frozen encoder has no trainable weights and its batch norms run in inference mode while training', () => {
    const { enc, model } = buildModel('resnet18', 32);
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 5);
    // give the BN statistics non-trivial values so that inference and training mode differ
    for (const w of model.nonTrainableWeights) {
      tf.tidy(() => w.write(tf.randomUniform(w.shape as number[], 0.5, 1.5, 'float32', 11)));
    }
    enc.freeze();
    expect(model.trainableWeights).toHaveLength(0);
    expect(enc.layers.every((l) => !l.trainable)).toBe(true);
    const stats = tf.tidy(() => model.nonTrainableWeights.map((w) => w.read().clone()));
    const [train, infer] = tf.tidy(() => {
      const a = (model.apply(x, { training: true }) as tf.Tensor[])[4];
      const b = (model.apply(x, { training: false }) as tf.Tensor[])[4];
      return [a, b];
    });
    expect(tf.max(tf.abs(tf.sub(train, infer))).dataSync()[0]).toBe(0);
    // statistics untouched by the training-mode call
    model.nonTrainableWeights.forEach((w, i) => expect(tf.tidy(() => tf.max(tf.abs(tf.sub(w.read(), stats[i]))).dataSync()[0])).toBe(0));
    enc.unfreeze();
    expect(model.trainableWeights.length).toBe(60); // 20 conv kernels + 20 BN x (gamma, beta)
    const train2 = tf.tidy(() => (model.apply(x, { training: true }) as tf.Tensor[])[4]);
    expect(tf.max(tf.abs(tf.sub(train2, infer))).dataSync()[0]).toBeGreaterThan(1e-3);
    const moved = model.nonTrainableWeights.some((w, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(w.read(), stats[i]))).dataSync()[0]) > 0);
    expect(moved).toBe(true);
    tf.dispose([x, train, infer, train2, ...stats]);
    model.dispose();
  });

  test('freeze() before build() applies to the layers build() adds', () => {
    const enc = getEncoder('mobilenetv3_large');
    enc.freeze();
    enc.build(tf.input({ shape: [32, 32, 3] }));
    expect(enc.layers.length).toBeGreaterThan(100);
    expect(enc.layers.every((l) => !l.trainable)).toBe(true);
  });
});
