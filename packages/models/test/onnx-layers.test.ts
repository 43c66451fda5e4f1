/** @jest-environment ./scripts/jest-environment-onnx.js */
/**
 * Every layer class the exporter maps, one small model each, checked numerically: ONNX Runtime's output equals
 * tfjs' (relative 1e-5 of the output's scale) at several input sizes, including odd ones (dynamic H/W). Resize is
 * also checked against tfjs' own tf.image.resizeBilinear / resizeNearestNeighbor kernels (TensorFlow's semantics)
 * in all three sampling modes, up and down, by whole and fractional factors. Fusions are checked by the ops left
 * in the graph.
 */
import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { DilatedConv2D, GroupedConv2D, HardSigmoid, HardSwish, FreezableBatchNormalization, Preprocess } from '@depthblocks/encoders';
import { Resize2D } from '@depthblocks/decoders';
import { exportOnnx, loadOnnxModel, registerOnnxLayer, onnxLayerClasses } from '../src';
import { compareOnnx, difference } from './onnx-helpers';

beforeAll(async () => {
  await setupTestBackend();
});

const SIZES: [number, number][] = [
  [9, 13],
  [16, 16],
  [7, 5],
];

/** A one-input model applying `build` to an input of C channels and any size. */
function single(c: number, build: (x: tf.SymbolicTensor) => tf.SymbolicTensor): tf.LayersModel {
  const input = tf.input({ shape: [null, null, c] as unknown as number[] });
  return tf.model({ inputs: input, outputs: build(input) });
}

function inputs(c: number, sizes = SIZES, batch = 1): tf.Tensor4D[] {
  return sizes.map(([h, w], i) => tf.randomUniform([batch, h, w, c], -1, 1, 'float32', 10 + i) as tf.Tensor4D);
}

/** Randomises every weight (batch-norm variances positive), so that no check passes on zeros and ones. */
function randomize(model: tf.LayersModel, seed = 1): void {
  for (const l of model.layers) {
    l.setWeights(
      l.getWeights().map((w, i) => {
        const name = l.weights[i].name;
        return name.includes('variance')
          ? tf.randomUniform(w.shape, 0.5, 2, 'float32', seed + i)
          : tf.randomUniform(w.shape, -0.5, 0.5, 'float32', seed + i);
      }),
    );
  }
}

async function expectSame(model: tf.LayersModel, c: number, options = {}, sizes = SIZES, tol = 1e-5) {
  randomize(model);
  const xs = inputs(c, sizes);
  const r = await compareOnnx(model, xs, options);
  expect(r.rel).toBeLessThan(tol);
  tf.dispose([...xs, ...r.outputs.flat()]);
  model.dispose();
  return r.exported;
}

describe('convolutions', () => {
  test.each([
    ['same, stride 1, 3x3, bias, relu', { filters: 5, kernelSize: 3, padding: 'same', activation: 'relu' }],
    ['same, stride 1, even 4x2 kernel', { filters: 4, kernelSize: [4, 2], padding: 'same', useBias: false }],
    ['same, stride 2 (SAME_UPPER)', { filters: 3, kernelSize: 3, strides: 2, padding: 'same' }],
    ['valid, stride 2, 5x5', { filters: 3, kernelSize: 5, strides: 2, padding: 'valid' }],
    ['same, dilation 2', { filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same' }],
    ['1x1, sigmoid', { filters: 6, kernelSize: 1, activation: 'sigmoid' }],
  ])('Conv2D %s', async (_name, args) => {
    const sizes: [number, number][] = [
      [9, 13],
      [16, 16],
      [11, 6],
    ];
    await expectSame(
      single(4, (x) => tf.layers.conv2d(args as never).apply(x) as tf.SymbolicTensor),
      4,
      {},
      sizes,
    );
  });

  test('DepthwiseConv2D with multiplier 2, strided valid and same', async () => {
    await expectSame(
      single(
        3,
        (x) => tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'valid' }).apply(x) as tf.SymbolicTensor,
      ),
      3,
    );
    await expectSame(
      single(3, (x) => tf.layers.depthwiseConv2d({ kernelSize: 5, padding: 'same' }).apply(x) as tf.SymbolicTensor),
      3,
    );
  });

  test('DilatedConv2D (dense and depthwise) and GroupedConv2D (stride 2, dilated)', async () => {
    await expectSame(
      single(4, (x) => new DilatedConv2D({ filters: 5, kernelSize: 3, dilationRate: 2, useBias: true }).apply(x) as tf.SymbolicTensor),
      4,
    );
    await expectSame(
      single(4, (x) => new DilatedConv2D({ kernelSize: 5, dilationRate: 3, depthwise: true }).apply(x) as tf.SymbolicTensor),
      4,
    );
    await expectSame(
      single(
        8,
        (x) =>
          new GroupedConv2D({ filters: 12, kernelSize: 3, groups: 4, strides: 2, padding: 'valid', useBias: true }).apply(
            x,
          ) as tf.SymbolicTensor,
      ),
      8,
    );
    await expectSame(
      single(
        8,
        (x) => new GroupedConv2D({ filters: 8, kernelSize: 3, groups: 2, padding: 'same', dilationRate: 2 }).apply(x) as tf.SymbolicTensor,
      ),
      8,
    );
  });

  test('a ZeroPadding2D before a valid conv becomes its pads (no Pad node); before a max pool of a ReLU too; else it stays', async () => {
    const padConv = await expectSame(
      single(3, (x) => {
        const p = tf.layers
          .zeroPadding2d({
            padding: [
              [1, 2],
              [3, 0],
            ],
          })
          .apply(x) as tf.SymbolicTensor;
        return tf.layers.conv2d({ filters: 2, kernelSize: 3, strides: 2 }).apply(p) as tf.SymbolicTensor;
      }),
      3,
    );
    expect(padConv.stats.ops.Pad).toBeUndefined();
    const padPool = await expectSame(
      single(3, (x) => {
        const p = tf.layers.zeroPadding2d({ padding: 1 }).apply(x) as tf.SymbolicTensor;
        return tf.layers.maxPooling2d({ poolSize: 3, strides: 2 }).apply(p) as tf.SymbolicTensor;
      }),
      3,
    );
    expect(padPool.stats.ops.Pad).toBe(1); // inputs may be negative: zero padding is not max pooling's padding
    const reluPadPool = await expectSame(
      single(3, (x) => {
        const a = tf.layers.activation({ activation: 'relu' }).apply(x) as tf.SymbolicTensor;
        const p = tf.layers.zeroPadding2d({ padding: 1 }).apply(a) as tf.SymbolicTensor;
        return tf.layers.maxPooling2d({ poolSize: 3, strides: 2 }).apply(p) as tf.SymbolicTensor;
      }),
      3,
    );
    expect(reluPadPool.stats.ops.Pad).toBeUndefined();
  });
});

describe('batch norm', () => {
  const convBn = (bn: 'tfjs' | 'freezable', twoReaders = false) =>
    single(3, (x) => {
      const c = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: bn === 'tfjs' }).apply(x) as tf.SymbolicTensor;
      const layer =
        bn === 'tfjs' ? tf.layers.batchNormalization({ epsilon: 1e-3 }) : new FreezableBatchNormalization({ epsilon: 1.001e-5 });
      const y = layer.apply(c) as tf.SymbolicTensor;
      return twoReaders ? (tf.layers.add().apply([y, c]) as tf.SymbolicTensor) : y;
    });

  test.each(['tfjs', 'freezable'] as const)('%s batch norm after a conv is folded into it by default, kept on request', async (kind) => {
    const folded = await expectSame(convBn(kind), 3);
    expect(folded.stats.ops).toEqual({ Transpose: 2, Conv: 1 });
    expect(folded.stats.foldedBatchNorms).toBe(1);
    const kept = await expectSame(convBn(kind), 3, { keepBatchNorm: true });
    expect(kept.stats.ops.BatchNormalization).toBe(1);
    expect(kept.stats.foldedBatchNorms).toBe(0);
  });

  test('a batch norm is not folded when its conv output has another reader, nor after an activation', async () => {
    const e = await expectSame(convBn('tfjs', true), 3);
    expect(e.stats.ops.BatchNormalization).toBe(1);
    const afterRelu = await expectSame(
      single(3, (x) => {
        const c = tf.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
        return tf.layers.batchNormalization().apply(c) as tf.SymbolicTensor;
      }),
      3,
    );
    expect(afterRelu.stats.ops.BatchNormalization).toBe(1);
  });
});

describe('pooling', () => {
  test.each([
    ['MaxPooling2D 3/2 valid', () => tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid' })],
    ['MaxPooling2D 2/2 same (odd sizes pad at the end)', () => tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' })],
    ['AveragePooling2D 2/2 valid (floors)', () => tf.layers.averagePooling2d({ poolSize: 2, strides: 2 })],
    ['AveragePooling2D 3/2 same (padding not counted)', () => tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' })],
  ])('%s', async (_name, make) => {
    await expectSame(
      single(3, (x) => make().apply(x) as tf.SymbolicTensor),
      3,
    );
  });

  test('GlobalAveragePooling2D + Reshape [1, 1, C] + Multiply (squeeze-excite) needs no transpose or reshape', async () => {
    const e = await expectSame(
      single(4, (x) => {
        let s = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
        s = tf.layers.reshape({ targetShape: [1, 1, 4] }).apply(s) as tf.SymbolicTensor;
        s = tf.layers.conv2d({ filters: 4, kernelSize: 1 }).apply(s) as tf.SymbolicTensor;
        s = new HardSigmoid({}).apply(s) as tf.SymbolicTensor;
        return tf.layers.multiply().apply([x, s]) as tf.SymbolicTensor;
      }),
      4,
    );
    expect(e.stats.ops.Transpose).toBe(2);
    expect(e.stats.ops.Reshape).toBeUndefined();
  });
});

describe('activations, merges, shapes', () => {
  test.each(['relu', 'relu6', 'sigmoid', 'tanh', 'softplus', 'softsign', 'elu', 'selu', 'hardSigmoid', 'swish', 'softmax', 'linear'])(
    "Activation('%s')",
    async (activation) => {
      await expectSame(
        single(3, (x) => tf.layers.activation({ activation: activation as never }).apply(x) as tf.SymbolicTensor),
        3,
      );
    },
  );

  test('LeakyReLU, ReLU(maxValue), ELU, Softmax, HardSwish, HardSigmoid', async () => {
    for (const layer of [
      () => tf.layers.leakyReLU({ alpha: 0.2 }),
      () => tf.layers.reLU({ maxValue: 0.5 }),
      () => tf.layers.elu({}),
      () => tf.layers.softmax({ axis: -1 }),
      () => new HardSwish({}),
      () => new HardSigmoid({}),
    ]) {
      await expectSame(
        single(3, (x) => layer().apply(x) as tf.SymbolicTensor),
        3,
      );
    }
  });

  test.each(['imagenet', 'caffe', 'none'] as const)('Preprocess %s (inside the graph)', async (mode) => {
    await expectSame(
      single(3, (x) => new Preprocess({ mode }).apply(x) as tf.SymbolicTensor),
      3,
    );
  });

  test('Concatenate, Add (3 inputs), Multiply, Average, Maximum, Minimum', async () => {
    await expectSame(
      single(3, (x) => {
        const a = tf.layers.conv2d({ filters: 3, kernelSize: 1 }).apply(x) as tf.SymbolicTensor;
        const b = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;
        const merged = [
          tf.layers.add().apply([x, a, b]),
          tf.layers.multiply().apply([a, b]),
          tf.layers.average().apply([a, b]),
          tf.layers.maximum().apply([a, b]),
          tf.layers.minimum().apply([a, b]),
        ] as tf.SymbolicTensor[];
        return tf.layers.concatenate({ axis: -1 }).apply(merged) as tf.SymbolicTensor;
      }),
      3,
    );
  });

  test('Dropout is the identity; Cropping2D slices', async () => {
    await expectSame(
      single(3, (x) => {
        const d = tf.layers.dropout({ rate: 0.5 }).apply(x) as tf.SymbolicTensor;
        return tf.layers
          .cropping2D({
            cropping: [
              [1, 2],
              [0, 1],
            ],
          })
          .apply(d) as tf.SymbolicTensor;
      }),
      3,
    );
  });

  test('Flatten + Dense + Reshape pin the input size (stated in the metadata)', async () => {
    const input = tf.input({ shape: [6, 5, 2] });
    let y = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    y = tf.layers.dense({ units: 12, activation: 'tanh' }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.reshape({ targetShape: [3, 4, 1] }).apply(y) as tf.SymbolicTensor;
    const e = await expectSame(tf.model({ inputs: input, outputs: y }), 2, {}, [[6, 5]]);
    expect(e.metadata.input.fixedSize).toEqual([6, 5]);
  });
});

describe('resize: each sampling mode against TensorFlow kernels', () => {
  const modes = [
    { name: 'half-pixel (TF2)', alignCorners: false, halfPixelCenters: true },
    { name: 'align-corners', alignCorners: true, halfPixelCenters: false },
    { name: 'TF1 legacy (asymmetric)', alignCorners: false, halfPixelCenters: false },
  ];
  const cases: [[number, number], [number, number]][] = [
    [
      [5, 7],
      [10, 14],
    ],
    [
      [6, 8],
      [3, 4],
    ],
    [
      [4, 6],
      [9, 13],
    ],
    [
      [9, 13],
      [5, 7],
    ],
    [
      [5, 6],
      [15, 18],
    ],
    [
      [7, 9],
      [7, 9],
    ],
  ];
  for (const interpolation of ['bilinear', 'nearest'] as const) {
    test.each(modes)(`${interpolation}, %s`, async ({ alignCorners, halfPixelCenters }) => {
      for (const [[h, w], size] of cases) {
        const model = single(2, (x) => new Resize2D({ size, interpolation, alignCorners, halfPixelCenters }).apply(x) as tf.SymbolicTensor);
        const x = tf.randomUniform([2, h, w, 2], -1, 1, 'float32', h * 31 + w) as tf.Tensor4D;
        const session = await loadOnnxModel(await exportOnnx(model), { threads: 1 });
        const ort = await session.run(x);
        const reference =
          interpolation === 'bilinear'
            ? tf.image.resizeBilinear(x, size, alignCorners, halfPixelCenters)
            : tf.image.resizeNearestNeighbor(x, size, alignCorners, halfPixelCenters);
        const ours = model.predict(x) as tf.Tensor;
        expect(difference(reference, ort).maxAbs).toBeLessThan(1e-5);
        expect(difference(ours, ort).maxAbs).toBeLessThan(1e-5);
        await session.release();
        tf.dispose([x, ort, reference, ours]);
        model.dispose();
      }
    });
  }

  test('to a reference tensor (dynamic) and by a fractional scale (rounded as Resize2D rounds)', async () => {
    await expectSame(
      single(3, (x) => {
        const small = tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }).apply(x) as tf.SymbolicTensor;
        const up = new Resize2D({ halfPixelCenters: true }).apply([small, x]) as tf.SymbolicTensor;
        const byScale = new Resize2D({ scale: 1.5, interpolation: 'nearest', halfPixelCenters: true }).apply(x) as tf.SymbolicTensor;
        const back = new Resize2D({ alignCorners: true }).apply([byScale, x]) as tf.SymbolicTensor;
        return tf.layers.concatenate().apply([up, back]) as tf.SymbolicTensor;
      }),
      3,
    );
  });

  test.each(['nearest', 'bilinear'] as const)('UpSampling2D %s', async (interpolation) => {
    await expectSame(
      single(3, (x) => tf.layers.upSampling2d({ size: [2, 3], interpolation }).apply(x) as tf.SymbolicTensor),
      3,
    );
  });
});

describe('layers without a converter', () => {
  class Scale2x extends tf.layers.Layer {
    static className = 'TestScale2x';
    override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
      return tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, 2);
    }
  }

  test('are a clear error naming the layer and its class; registerOnnxLayer teaches them', async () => {
    const model = single(
      3,
      (x) => new Scale2x({ name: 'my_scale' }).apply(tf.layers.conv2d({ filters: 3, kernelSize: 1 }).apply(x)) as tf.SymbolicTensor,
    );
    await expect(exportOnnx(model)).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringMatching(
        /layer 'my_scale' \(class TestScale2x\) cannot be exported: no ONNX converter.*registerOnnxLayer\('TestScale2x'/,
      ),
    });
    registerOnnxLayer('TestScale2x', (ctx) => ({
      name: ctx.g.node('Mul', [ctx.inputs[0].name, ctx.g.floats(`${ctx.layer.name}/k`, [2], [])], {}, ctx.layer.name),
      shape: ctx.outputShape,
    }));
    expect(onnxLayerClasses()).toContain('TestScale2x');
    await expectSame(model, 3);
  });

  test('an unsupported option is named too', async () => {
    const model = single(3, (x) => tf.layers.activation({ activation: 'mish' as never }).apply(x) as tf.SymbolicTensor);
    await expect(exportOnnx(model)).rejects.toThrow(
      /layer '.*' \(class Activation\) cannot be exported: activation 'mish' has no ONNX mapping/,
    );
    model.dispose();
  });
});
