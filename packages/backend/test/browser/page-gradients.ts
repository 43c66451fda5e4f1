/**
 * Page script (bundled by harness.ts): every op depthblocks' models train through, forward and gradient, on the
 * requested backends, against the page's cpu backend (with the patches; for bilinear and nearest resizing against
 * the transpose of the forward kernel instead, independent of any gradient kernel). Query: ?backends=webgl,wasm,cpu.
 * Reports window.__result ({ [backend]: { info, errors: { check: max relative error, or why it threw } } }), or
 * window.__error.
 *
 * Not checked: tf.image.resizeNearestNeighbor's gradient, which tfjs 4.22 gets wrong (every backend ignores
 * halfPixelCenters; cpu's also reads dy at the wrong offset for batches > 1); depthblocks never differentiates it
 * (targets are resized without gradients, whole-factor nearest up-sampling is done with concatenations).
 */
import { batchNormTrain, tf } from '@depthblocks/core';
import { setupBackend, type BackendRequest } from '../../src/index';
import { rand } from '../fixtures/small-net';

/** f's output then the gradients of weighted(f) for each input; `reference` computes the same independently. */
type Check = (() => tf.Tensor[]) & { reference?: () => tf.Tensor[] };

/** sum(f(x) * fixed weights): a scalar whose gradient is a weighted sum of f's Jacobian rows. */
function weighted(y: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(y, tf.tensor(rand(y.size, 99), y.shape))) as tf.Scalar;
}

function t4(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  return tf.tensor4d(
    rand(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

/** f(args), then the gradients of weighted(f(args)) with respect to every arg. */
function gradsOf(f: (...a: tf.Tensor[]) => tf.Tensor, args: tf.Tensor[]): tf.Tensor[] {
  return [f(...args), ...tf.grads((...a: tf.Tensor[]) => weighted(f(...a)))(args)];
}

const x = (): tf.Tensor4D => t4([2, 9, 12, 4], 1);

/**
 * A resize check whose reference gradient is the transpose of the forward kernel (tfjs' forward resize is right on
 * cpu): resize the h*w one-hot images, giving each input pixel's weights in every output pixel, then contract the
 * output weights of weighted() with them. Independent of any ResizeBilinearGrad kernel.
 */
function resizeCheck(resize: (a: tf.Tensor4D) => tf.Tensor4D): Check {
  const check: Check = () => gradsOf((a) => resize(a as tf.Tensor4D), [x()]);
  check.reference = () => {
    const input = x();
    const [n, h, w, c] = input.shape;
    const y = resize(input);
    const [, ho, wo] = y.shape;
    const eye = tf.reshape(tf.oneHot(tf.range(0, h * w, 1, 'int32'), h * w), [h * w, h, w, 1]) as tf.Tensor4D;
    const m = tf.reshape(resize(tf.cast(eye, 'float32') as tf.Tensor4D), [h * w, ho * wo]);
    const dy = tf.tensor(rand(y.size, 99), y.shape); // the weights weighted() multiplies by
    const d = tf.reshape(tf.transpose(dy, [0, 3, 1, 2]), [n * c, ho * wo]);
    const g = tf.transpose(tf.reshape(tf.matMul(d, m, false, true), [n, c, h, w]), [0, 2, 3, 1]);
    return [y, g];
  };
  return check;
}

const CHECKS: Record<string, Check> = {
  conv2dSame: () => gradsOf((a, w) => tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), [x(), t4([3, 3, 4, 5], 2)]),
  conv2dStride2: () => gradsOf((a, w) => tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), [x(), t4([3, 3, 4, 5], 2)]),
  conv2dValid7x7s2: () =>
    gradsOf((a, w) => tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid'), [t4([1, 17, 19, 3], 3), t4([7, 7, 3, 4], 4)]),
  conv2dDilated2: () => gradsOf((a, w) => tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NHWC', 2), [x(), t4([3, 3, 4, 5], 2)]),
  depthwiseStride2: () => gradsOf((a, w) => tf.depthwiseConv2d(a as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), [x(), t4([5, 5, 4, 1], 5)]),
  depthwiseDilated2: () =>
    gradsOf((a, w) => tf.depthwiseConv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NHWC', 2), [x(), t4([3, 3, 4, 1], 5)]),
  fusedConvBiasRelu: () =>
    gradsOf(
      (a, w, b) => tf.fused.conv2d({ x: a as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation: 'relu' }),
      [x(), t4([3, 3, 4, 5], 2), tf.tensor1d(rand(5, 6))],
    ),
  batchNormTrain: () => gradsOf((a, g, b) => batchNormTrain(a, g, b, 1e-3)[0], [x(), tf.tensor1d(rand(4, 7)), tf.tensor1d(rand(4, 8))]),
  momentsBatchNorm: () =>
    gradsOf(
      (a, g, b) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return tf.batchNorm(a, mean, variance, b, g, 1e-3);
      },
      [x(), tf.tensor1d(rand(4, 7)), tf.tensor1d(rand(4, 8))],
    ),
  maxPool3x3s2: () => gradsOf((a) => tf.maxPool(a as tf.Tensor4D, 3, 2, 'same'), [x()]),
  avgPool2x2: () => gradsOf((a) => tf.avgPool(a as tf.Tensor4D, 2, 2, 'valid'), [x()]),
  resizeBilinearHalfPixelUp: resizeCheck((a) => tf.image.resizeBilinear(a, [20, 23], false, true)),
  resizeBilinearHalfPixelDown: resizeCheck((a) => tf.image.resizeBilinear(a, [5, 7], false, true)),
  resizeBilinearAlignCorners: resizeCheck((a) => tf.image.resizeBilinear(a, [17, 25], true, false)),
  resizeBilinearLegacy: resizeCheck((a) => tf.image.resizeBilinear(a, [18, 24], false, false)),
  concat: () => gradsOf((a, b) => tf.concat([a, b], 3), [x(), t4([2, 9, 12, 3], 9)]),
  relu: () => gradsOf((a) => tf.relu(a), [x()]),
  leakyRelu: () => gradsOf((a) => tf.leakyRelu(a, 0.2), [x()]),
  sigmoid: () => gradsOf((a) => tf.sigmoid(a), [x()]),
  hardSwish: () => gradsOf((a) => tf.div(tf.mul(a, tf.relu6(tf.add(a, 3))), 6), [tf.mul(x(), 10)]),
  ssimLikePools: () =>
    gradsOf(
      (a, b) =>
        tf.div(
          tf.mul(tf.avgPool(tf.mul(a, b) as tf.Tensor4D, 3, 1, 'valid'), 2),
          tf.add(tf.avgPool(tf.square(a) as tf.Tensor4D, 3, 1, 'valid'), 1),
        ),
      [x(), t4([2, 9, 12, 4], 10)],
    ),
  imageGradients: () =>
    gradsOf(
      (a) => {
        const dy = tf.sub(tf.slice(a, [0, 1, 0, 0], [-1, -1, -1, -1]), tf.slice(a, [0, 0, 0, 0], [-1, 8, -1, -1]));
        return tf.abs(dy);
      },
      [x()],
    ),
  meanAbs: () => gradsOf((a, b) => tf.mean(tf.abs(tf.sub(a, b))), [x(), t4([2, 9, 12, 4], 11)]),
};

function maxRelErr(a: Float32Array, b: Float32Array): number {
  let scale = 1e-6;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    const d = Math.abs(a[i] - b[i]);
    m = Number.isNaN(d) ? Infinity : Math.max(m, d);
  }
  return a.length === b.length ? m / scale : Infinity;
}

/** Every check's values (or why it threw); `reference`: the independent reference where a check has one. */
function run(reference = false): Record<string, Float32Array[] | string> {
  const out: Record<string, Float32Array[] | string> = {};
  for (const [name, check] of Object.entries(CHECKS)) {
    try {
      const f = reference ? (check.reference ?? check) : check;
      out[name] = tf.tidy(() => f().map((g) => g.dataSync() as Float32Array));
    } catch (e) {
      out[name] = `throws: ${String((e as Error)?.message ?? e).slice(0, 200)}`;
    }
  }
  return out;
}

async function main(): Promise<void> {
  const q = new URLSearchParams(location.search);
  const backends = (q.get('backends') ?? 'webgl').split(',') as BackendRequest[];
  const got: Record<string, { info: unknown; values: ReturnType<typeof run> }> = {};
  for (const backend of backends) {
    const info = await setupBackend({ backend, wasmPaths: '/wasm/' });
    got[backend] = { info, values: run() };
  }
  await setupBackend({ backend: 'cpu' });
  const ref = run(true);
  const out: Record<string, { info: unknown; errors: Record<string, number | string> }> = {};
  for (const backend of backends) {
    const errors: Record<string, number | string> = {};
    for (const name of Object.keys(CHECKS)) {
      const g = got[backend].values[name];
      const r = ref[name];
      if (typeof r === 'string') errors[name] = `cpu ${r}`;
      else if (typeof g === 'string') errors[name] = g;
      else errors[name] = Math.max(...g.map((v, i) => maxRelErr(v, r[i])));
    }
    out[backend] = { info: got[backend].info, errors };
  }
  (window as any).__result = out;
}

main().catch((e) => {
  (window as any).__error = String(e?.stack ?? e);
});
