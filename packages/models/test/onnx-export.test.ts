/** @jest-environment ./scripts/jest-environment-onnx.js */
/**
 * exportOnnx as a whole: metres in the graph (or raw), metadata, dynamic batch/height/width, NCHW layout, fixed
 * size, external data, option errors; and the runtime option of predict (flip TTA, outputSize, no leaks).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import {
  createDepthModel,
  decodeOnnxModel,
  exportOnnx,
  loadOnnxFile,
  loadOnnxModel,
  predict,
  predictImage,
  readOnnxMetadata,
  writeOnnx,
  ONNX_OPSET,
  type DepthModel,
  type DepthModelSpec,
} from '../src/node';
import { encodeModel } from '../src/onnx/proto';
import { loadOrtNode } from '../src/onnx/ort';
import { difference, spread } from './onnx-helpers';

let tmp: string;
beforeAll(async () => {
  await setupTestBackend();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-onnx-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const tiny = (depth: DepthModelSpec['depth'], head: DepthModelSpec['head'] = {}): DepthModel =>
  createDepthModel({
    encoder: { name: 'resnet18', options: { seed: 3 } },
    decoder: { name: 'unet', options: { channels: [16, 8, 8, 4, 4], seed: 4 } },
    head,
    depth,
  });

const image = (n: number, h: number, w: number, seed = 1) => tf.randomUniform([n, h, w, 3], 0, 1, 'float32', seed) as tf.Tensor4D;

describe('metres in the graph', () => {
  test.each([
    ['unit', { kind: 'unit', maxDepth: 10 }, { activation: 'sigmoid' }],
    ['densedepth', { kind: 'densedepth', minDepth: 0.1, maxDepth: 10 }, { activation: 'softplus' }],
    ['log', { kind: 'log' }, {}],
    ['none', { kind: 'none' }, { activation: 'relu' }],
  ] as const)('%s: the ONNX output is what predict() returns; with output raw, what the network returns', async (_k, depth, head) => {
    const dm = tiny(depth, head);
    if (depth.kind === 'densedepth') {
      // move the output into DenseDepth's range (y in [1, 100]) so that the clip does not flatten it
      const conv = dm.model.getLayer('unet_head_conv');
      const [k, b] = conv.getWeights();
      conv.setWeights([tf.mul(k, 20), tf.add(b, 4)]);
    }
    const x = image(2, 45, 61);
    const metresRef = predict(dm, x);
    const rawRef = dm.model.predict(x) as tf.Tensor4D;
    expect(spread(metresRef)).toBeGreaterThan(1e-4);
    for (const [output, ref] of [
      ['metres', metresRef],
      ['raw', rawRef],
    ] as const) {
      const e = await exportOnnx(dm, { output });
      expect(e.metadata.output.units).toBe(output);
      const s = await loadOnnxModel(e, { threads: 1 });
      const y = await s.run(x);
      expect(difference(ref, y).rel).toBeLessThan(1e-5);
      // predict() gives metres either way
      const m = await predict(s, x);
      expect(difference(metresRef, m).rel).toBeLessThan(1e-5);
      await s.release();
      tf.dispose([y, m]);
    }
    tf.dispose([x, metresRef, rawRef]);
    dm.model.dispose();
  });
});

test('metadata: how to feed the model, what it returns, the config; readable from the bytes', async () => {
  const dm = tiny({ kind: 'densedepth', minDepth: 0.1, maxDepth: 10 });
  const e = await exportOnnx(dm);
  const m = readOnnxMetadata(e.model)!;
  expect(m).toEqual(e.metadata);
  expect(m.format).toBe('depthblocks-onnx/1');
  expect(m.input).toMatchObject({ name: 'input', layout: 'NHWC', channels: 3, range: [0, 1], fixedSize: null, modelSize: null });
  expect(m.input.preprocessing).toMatchObject({ mode: 'imagenet', inGraph: true, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
  expect(m.output).toMatchObject({ name: 'depth', layout: 'NHWC', units: 'metres', stride: 1, depth: dm.config.depth });
  expect(m.config).toEqual(dm.config);
  expect(m.exporter).toMatchObject({ opset: ONNX_OPSET, batchNormFolded: true, version: require('../package.json').version });
  // the same model gives the same bytes (no dates or random names)
  expect(Buffer.from((await exportOnnx(dm)).model).equals(Buffer.from(e.model))).toBe(true);
  const proto = decodeOnnxModel(e.model);
  expect(proto.opset_import).toEqual([{ domain: '', version: 17 }]);
  expect(proto.ir_version).toBe(8);
  expect(proto.doc_string).toMatch(/input 'input' float32 \[batch, height, width, channels\], RGB in \[0, 1\].*depth in metres/);
  const dims = (v: (typeof proto.graph.input)[0]) =>
    v.type.tensor_type.shape.dim.map((d) => ('dim_value' in d ? d.dim_value : d.dim_param));
  expect(dims(proto.graph.input[0])).toEqual(['batch', 'height', 'width', 3]);
  expect(dims(proto.graph.output[0])).toEqual(['batch', 'out_height', 'out_width', 1]);
  // batch norms folded, one transpose in, one out
  expect(e.stats.ops.BatchNormalization).toBeUndefined();
  expect(e.stats.ops.Transpose).toBe(2);
  expect(e.stats.foldedBatchNorms).toBe(30);
  dm.model.dispose();
});

test('batch, height and width are dynamic: one file runs at several sizes and batches', async () => {
  const dm = tiny({ kind: 'unit', maxDepth: 10 }, { activation: 'sigmoid' });
  const s = await loadOnnxModel(await exportOnnx(dm), { threads: 1 });
  for (const [n, h, w] of [
    [1, 64, 64],
    [3, 37, 50],
    [2, 90, 33],
  ]) {
    const x = image(n, h, w, n * h);
    const a = predict(dm, x);
    const b = await predict(s, x);
    expect(b.shape).toEqual([n, h, w, 1]);
    expect(difference(a, b).rel).toBeLessThan(1e-5);
    tf.dispose([x, a, b]);
  }
  await s.release();
  dm.model.dispose();
});

test("layout 'nchw': input and output NCHW, no transpose in the graph; OnnxModel.run still takes NHWC", async () => {
  const dm = tiny({ kind: 'unit', maxDepth: 10 }, { activation: 'sigmoid' });
  const e = await exportOnnx(dm, { layout: 'nchw' });
  expect(e.stats.ops.Transpose).toBeUndefined();
  const proto = decodeOnnxModel(e.model);
  expect(proto.graph.input[0].type.tensor_type.shape.dim.map((d) => ('dim_value' in d ? d.dim_value : d.dim_param))).toEqual([
    'batch',
    3,
    'height',
    'width',
  ]);
  expect(e.metadata.input.layout).toBe('NCHW');
  const x = image(2, 33, 47);
  const s = await loadOnnxModel(e, { threads: 1 });
  const a = predict(dm, x);
  const b = await predict(s, x);
  expect(difference(a, b).rel).toBeLessThan(1e-5);
  await s.release();
  tf.dispose([x, a, b]);
  dm.model.dispose();
});

test('fixedSize pins height and width to the model input, stated in the metadata; other sizes are a clear error', async () => {
  const dm = createDepthModel({
    encoder: 'mobilenetv3_large',
    decoder: { name: 'lraspp', options: { interChannels: 8 } },
    inputSize: [40, 56],
    depth: { kind: 'unit', maxDepth: 10 },
    head: { activation: 'sigmoid', outputSize: 'input' },
  });
  const dynamic = await exportOnnx(dm);
  expect(dynamic.metadata.input).toMatchObject({ fixedSize: null, modelSize: [40, 56] });
  const e = await exportOnnx(dm, { fixedSize: true });
  expect(e.metadata.input.fixedSize).toEqual([40, 56]);
  const proto = decodeOnnxModel(e.model);
  expect(proto.graph.input[0].type.tensor_type.shape.dim).toEqual([
    { dim_param: 'batch' },
    { dim_value: 40 },
    { dim_value: 56 },
    { dim_value: 3 },
  ]);
  const s = await loadOnnxModel(e, { threads: 1 });
  const x = image(1, 40, 56);
  const [a, b] = [predict(dm, x), await predict(s, x)];
  expect(difference(a, b).rel).toBeLessThan(1e-5);
  const wrong = image(1, 48, 64);
  await expect(predict(s, wrong)).rejects.toMatchObject({
    code: 'SHAPE_MISMATCH',
    message: expect.stringMatching(/takes 40x56 images only/),
  });
  await s.release();
  tf.dispose([x, a, b, wrong]);
  await expect(exportOnnx(tiny({ kind: 'none' }), { fixedSize: true })).rejects.toThrow(
    /fixedSize was asked for, but the model takes any size/,
  );
  dm.model.dispose();
});

test('external data beyond the threshold (lowered here): a small .onnx plus a data file, same outputs from bytes and from disk', async () => {
  const dm = tiny({ kind: 'unit', maxDepth: 10 }, { activation: 'sigmoid' });
  const inline = await exportOnnx(dm);
  expect(inline.externalData).toBeUndefined();
  const e = await exportOnnx(dm, { externalDataThreshold: 100_000, externalDataLocation: 'tiny.onnx.data' });
  expect(e.externalData!.location).toBe('tiny.onnx.data');
  expect(e.model.length).toBeLessThan(inline.model.length / 20);
  expect(e.externalData!.data.length).toBeGreaterThan(inline.model.length * 0.95);
  const ext = decodeOnnxModel(e.model).graph.initializer.filter((t) => t.data_location === 1);
  expect(ext.length).toBeGreaterThan(10);
  expect(ext[0].external_data!.map((k) => k.key)).toEqual(['location', 'offset', 'length']);
  const file = path.join(tmp, 'tiny.onnx');
  expect(writeOnnx(e, file)).toEqual([file, path.join(tmp, 'tiny.onnx.data')]);
  const x = image(1, 50, 70);
  const a = predict(dm, x);
  for (const s of [await loadOnnxFile(file, { threads: 1 }), await loadOnnxModel(e, { threads: 1 })]) {
    const b = await predict(s, x);
    expect(difference(a, b).rel).toBeLessThan(1e-5);
    await s.release();
    b.dispose();
  }
  tf.dispose([x, a]);
  dm.model.dispose();
});

test('predict with runtime onnx: flip TTA and outputSize as on tfjs, from a DepthModel or an OnnxModel, no tensor leaks', async () => {
  const dm = createDepthModel({
    encoder: { name: 'densenet121', options: { taps: 'densedepth' } },
    decoder: { name: 'densedepth', options: { width: 16 } },
    depth: { kind: 'unit', maxDepth: 10 },
    head: { activation: 'sigmoid' },
  });
  const x = image(2, 50, 66);
  const s = await loadOnnxModel(await exportOnnx(dm), { threads: 1 });
  for (const options of [{}, { flipTTA: true }, { flipTTA: true, outputSize: 'input' as const, batchSize: 1 }]) {
    const a = predict(dm, x, options);
    const before = tf.memory().numTensors;
    const b = await predict(s, x, options);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(difference(a, b).rel).toBeLessThan(1e-5);
    tf.dispose([a, b]);
  }
  const flipped = predict(dm, x, { flipTTA: true });
  const plain = predict(dm, x);
  expect(difference(flipped, plain).rel).toBeGreaterThan(1e-4); // the TTA check can fail
  const once = await predict(dm, x, { runtime: 'onnx', flipTTA: true, onnx: { threads: 1 } });
  expect(difference(flipped, once).rel).toBeLessThan(1e-5);
  await expect(predict(s, x, { depth: { kind: 'none' } })).rejects.toThrow(
    /options.depth cannot apply to an ONNX model whose output is metres/,
  );
  await s.release();
  await expect(s.run(x)).rejects.toThrow(/released/);
  tf.dispose([x, flipped, plain, once]);
  dm.model.dispose();
});

test('predictImage on an OnnxModel: the working size, tiles and depth of the tfjs model, no tensor leaks', async () => {
  const dm = tiny({ kind: 'unit', maxDepth: 10 }, { activation: 'sigmoid' });
  const s = await loadOnnxModel(await exportOnnx(dm), { threads: 1 });
  const [W, H] = [150, 100];
  const rgb = new Uint8Array(W * H * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 7919 + (i >> 5) * 31) % 256;
  const rel = (a: Float32Array, b: Float32Array) => {
    let d = 0;
    let m = 0;
    for (let i = 0; i < a.length; i++) [d, m] = [Math.max(d, Math.abs(a[i] - b[i])), Math.max(m, Math.abs(a[i]))];
    return d / m;
  };
  for (const options of [{ maxSize: 96 }, { maxSize: 64, tile: true, flipTTA: true, batchSize: 2 }]) {
    const a = await predictImage(dm, { rgb, width: W, height: H }, options);
    const before = tf.memory().numTensors;
    const b = await predictImage(s, { rgb, width: W, height: H }, options);
    expect(tf.memory().numTensors).toBe(before);
    expect([b.width, b.height, b.workingSize, b.tiles]).toEqual([a.width, a.height, a.workingSize, a.tiles]);
    expect(b.depth.length).toBe(W * H);
    expect(rel(a.depth, b.depth)).toBeLessThan(1e-5);
  }
  expect((await predictImage(s, { rgb, width: W, height: H }, { maxSize: 64, tile: true })).tiles).toBeGreaterThan(1);
  await s.release();
  // an export of a bare tf.LayersModel (no depthblocks config in its metadata): no working size to choose, a clear error
  const input = tf.input({ shape: [null, null, 3] });
  const plain = tf.model({ inputs: input, outputs: tf.layers.conv2d({ filters: 1, kernelSize: 1 }).apply(input) as tf.SymbolicTensor });
  const bare = await loadOnnxModel(await exportOnnx(plain), { threads: 1 });
  expect(bare.config).toBeNull();
  await expect(predictImage(bare, { rgb, width: W, height: H })).rejects.toMatchObject({
    code: 'INVALID_ARGUMENT',
    message: expect.stringMatching(/records no depthblocks config.*export the DepthModel instead/),
  });
  await bare.release();
  plain.dispose();
  dm.model.dispose();
});

test('bad options and models are clear errors', async () => {
  const dm = tiny({ kind: 'none' });
  await expect(exportOnnx(dm, { layout: 'NHWC' as never })).rejects.toThrow(/layout must be 'nhwc' or 'nchw', got "NHWC"/);
  await expect(exportOnnx(dm, { output: 'mm' as never })).rejects.toThrow(/output must be 'metres' or 'raw'/);
  await expect(exportOnnx(dm, { externalDataThreshold: -1 })).rejects.toThrow(/externalDataThreshold must be a number of bytes/);
  await expect(exportOnnx(dm, { externalDataLocation: 'a/b.data' })).rejects.toThrow(/externalDataLocation must be a file name/);
  expect(() => predict(dm, image(1, 8, 8), { runtime: 'gpu' as never })).toThrow(/runtime must be 'tfjs' or 'onnx'/);
  const input = tf.input({ shape: [8, 8, 3] });
  const two = tf.model({
    inputs: input,
    outputs: [tf.layers.conv2d({ filters: 1, kernelSize: 1 }).apply(input), input] as tf.SymbolicTensor[],
  });
  await expect(exportOnnx(two)).rejects.toThrow(/one input and one output, got 1 and 2/);
  // a model exported elsewhere (no depthblocks metadata) is refused by loadOnnxModel with what to do
  const proto = decodeOnnxModel((await exportOnnx(dm)).model);
  proto.metadata_props = [];
  await expect(loadOnnxModel(encodeModel(proto))).rejects.toMatchObject({
    code: 'UNSUPPORTED',
    message: expect.stringMatching(/not written by exportOnnx/),
  });
  await expect(loadOnnxModel(new Uint8Array([1, 2, 3, 4, 5]))).rejects.toMatchObject({ code: 'CORRUPT_FILE' });
  await expect(loadOnnxFile(path.join(tmp, 'missing.onnx'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  dm.model.dispose();
});

test('without onnxruntime-node, runtime onnx says how to install it', () => {
  const missing = () => {
    throw new Error("Cannot find module 'onnxruntime-node'");
  };
  expect(() => loadOrtNode(missing)).toThrow(
    /runtime 'onnx' needs onnxruntime-node, which is not installed .*npm install onnxruntime-node/,
  );
  expect(loadOrtNode()).toBe(loadOrtNode()); // the real one, loaded once
});
