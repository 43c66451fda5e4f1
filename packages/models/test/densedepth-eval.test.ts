/**
 * evaluate(..., { protocol: 'nyu-densedepth', flipTTA: true }) against DenseDepth's own evaluation (evaluate.py /
 * utils.py) computed in Python on the same predictions: fixtures/densedepth_eval.json from
 * fixtures/make_densedepth_eval_fixture.py (see its docstring for the steps and the line numbers they follow).
 * The model is a real tfjs model whose float32 output both sides compute exactly (99 * red at stride 2).
 */
import * as fs from 'fs';
import * as path from 'path';
import { setupTestBackend } from '@depthblocks/backend';
import { tf, type Sample } from '@depthblocks/core';
import type { Dataset } from '@depthblocks/datasets';
import { denseDepth169, evaluate, type DepthModel } from '../src';
import type { EvaluationResult } from '@depthblocks/metrics';
import { rgb, uniform } from './fixtures/known-values';

interface Metrics6 {
  d1: number;
  d2: number;
  d3: number;
  absRel: number;
  rmse: number;
  log10: number;
}
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures/densedepth_eval.json'), 'utf8')) as {
  images: number;
  height: number;
  width: number;
  modelScale: number;
  pixels: number;
  published: Metrics6;
  corrected: Metrics6;
  perImage: Metrics6;
};
const { height: H, width: W } = fixture;

beforeAll(async () => {
  await setupTestBackend();
});

/** The generator's image i: red = 3 + (3x + 2y + 41i) mod 253, green/blue known values. */
function image(i: number): Uint8Array {
  const img = rgb(`densedepth-eval/rgb/${i}`, H, W);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) img[(y * W + x) * 3] = 3 + ((3 * x + 2 * y + 41 * i) % 253);
  return img;
}

/** The generator's ground truth: 10 / (99 * red / 255) * m, m in [0.6, 1.6), stored as float32. */
function groundTruth(i: number, img: Uint8Array): Float32Array {
  const m = uniform(`densedepth-eval/noise/${i}`, H * W, 0.6, 1.6);
  return Float32Array.from(m, (mi, k) => (10 / (99 * (img[k * 3] / 255))) * mi);
}

function memoryDataset(samples: Sample[]): Dataset {
  return {
    name: 'densedepth-eval',
    length: samples.length,
    get: async (i: number) => samples[i],
    async *[Symbol.asyncIterator]() {
      yield* samples;
    },
  };
}

test("nyu-densedepth reproduces DenseDepth's evaluation to 1e-6 on every metric (crop, flip TTA, scale-up, averaging, abs rel both ways)", async () => {
  const samples: Sample[] = Array.from({ length: fixture.images }, (_, i) => {
    const img = image(i);
    return { id: `img${i}`, rgb: img, depth: groundTruth(i, img), width: W, height: H };
  });
  // the model: out = 99 * red at even rows and columns (a 1x1 convolution with stride 2), DenseDepth's output units
  const input = tf.input({ shape: [H, W, 3] });
  const conv = tf.layers.conv2d({ filters: 1, kernelSize: 1, strides: 2, useBias: false, name: 'red_times_99' });
  const model = tf.model({ inputs: input, outputs: conv.apply(input) as tf.SymbolicTensor });
  conv.setWeights([tf.tensor4d([fixture.modelScale, 0, 0], [1, 1, 3, 1])]);
  const dm: DepthModel = { model, config: denseDepth169() }; // its depth normalisation: clip(10 / y, 0.1, 10) m
  const before = tf.memory().numTensors;
  const out = await evaluate(dm, memoryDataset(samples), { protocol: 'nyu-densedepth', flipTTA: true });
  expect(tf.memory().numTensors).toBe(before);
  const r = out.result as EvaluationResult;
  expect(r.images).toBe(fixture.images);
  expect(r.pixels).toBe(fixture.pixels); // the crop: rows 20..459, cols 24..615 of every image
  const close = (got: number, want: number, what: string) => {
    expect({ what, diff: Math.abs(got - want) <= 1e-6 ? 0 : got - want }).toEqual({ what, diff: 0 });
  };
  for (const k of ['d1', 'd2', 'd3', 'absRel', 'rmse', 'log10'] as const) {
    close(r.metrics[k], fixture.corrected[k], `whole set ${k}`);
    close(r.perImage[k], fixture.perImage[k], `per image ${k}`);
    if (k !== 'absRel') close(r.metrics[k], fixture.published[k], `published ${k}`);
  }
  expect(r.metrics).toEqual(r.wholeSet); // DenseDepth stacks the whole test set
  close(r.asPublished!.absRel, fixture.published.absRel, 'published abs rel (divided by the prediction)');
  expect(r.asPublished!.note).toMatch(/divides abs rel by the prediction/);
  model.dispose();
});
