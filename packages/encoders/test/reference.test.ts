/**
 * Forward passes against float64 NumPy references, written independently in
 * test/fixtures/make_reference.py: Keras applications' ResNet-50 (caffe preprocessing, stride on the first
 * 1x1, conv biases; weights from a Keras-layout .h5), and torchvision's ResNet-18, DenseNet-121 (smp taps,
 * Keras' BN epsilon), ResNeXt-50 32x4d at output stride 16 (grouped + dilated convs) and MobileNetV3-Large
 * with dilated=True (LR-ASPP's backbone). Both sides fill the state dict (torchvision keys, or Keras names)
 * with the same deterministic values (keys sorted, xorshift32 per tensor), so the comparison checks the
 * whole graph: padding, strides, dilation, residuals, SE, hard-swish, BN epsilon, preprocessing and the
 * feature taps, with odd input sizes (23x29, 37x45, 33x29, 25x27, 45x37).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, readSafetensors, writeKerasH5, writeSafetensors, type KerasLayerWeights, type WeightTensor } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { getEncoder, loadWeights, type EncoderOptions } from '../src/node';

let dir: string;
beforeAll(async () => {
  await setupTestBackend();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-reference-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Kind = ['conv', number] | ['gamma'] | ['small'] | ['var'];
type Shapes = Map<string, { shape: number[]; kind: Kind }>;

function xorshift(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 0) / 4294967296;
  }
  return out;
}

function fill(shapes: Shapes): Map<string, WeightTensor> {
  const out = new Map<string, WeightTensor>();
  [...shapes.keys()].sort().forEach((key, i) => {
    const { shape, kind } = shapes.get(key)!;
    const u = xorshift(
      shape.reduce((a, b) => a * b, 1),
      (i + 1) * 7919,
    );
    const data = new Float32Array(u.length);
    for (let j = 0; j < u.length; j++) {
      if (kind[0] === 'conv') {
        const a = Math.sqrt(3 / kind[1]);
        data[j] = -a + u[j] * 2 * a;
      } else if (kind[0] === 'small') data[j] = -0.1 + u[j] * 0.2;
      else data[j] = 0.5 + u[j];
    }
    out.set(key, { shape, data });
  });
  return out;
}

function conv(s: Shapes, key: string, o: number, i: number, k: number, groups = 1, bias = false): void {
  s.set(`${key}.weight`, { shape: [o, i / groups, k, k], kind: ['conv', (i / groups) * k * k] });
  if (bias) s.set(`${key}.bias`, { shape: [o], kind: ['small'] });
}
function bn(s: Shapes, key: string, c: number): void {
  s.set(`${key}.weight`, { shape: [c], kind: ['gamma'] });
  s.set(`${key}.bias`, { shape: [c], kind: ['small'] });
  s.set(`${key}.running_mean`, { shape: [c], kind: ['small'] });
  s.set(`${key}.running_var`, { shape: [c], kind: ['var'] });
}

function resnet18Shapes(): Shapes {
  const s: Shapes = new Map();
  conv(s, 'conv1', 64, 3, 7);
  bn(s, 'bn1', 64);
  let inp = 64;
  [64, 128, 256, 512].forEach((planes, li) => {
    for (let b = 0; b < 2; b++) {
      const p = `layer${li + 1}.${b}`;
      conv(s, `${p}.conv1`, planes, b === 0 ? inp : planes, 3);
      bn(s, `${p}.bn1`, planes);
      conv(s, `${p}.conv2`, planes, planes, 3);
      bn(s, `${p}.bn2`, planes);
      if (b === 0 && li > 0) {
        conv(s, `${p}.downsample.0`, planes, inp, 1);
        bn(s, `${p}.downsample.1`, planes);
      }
    }
    inp = planes;
  });
  return s;
}

function resnext50Shapes(): Shapes {
  const s: Shapes = new Map();
  conv(s, 'conv1', 64, 3, 7);
  bn(s, 'bn1', 64);
  let inp = 64;
  [64, 128, 256, 512].forEach((planes, li) => {
    const width = ((planes * 4) / 64) * 32;
    for (let b = 0; b < [3, 4, 6, 3][li]; b++) {
      const p = `layer${li + 1}.${b}`;
      conv(s, `${p}.conv1`, width, b === 0 ? inp : planes * 4, 1);
      bn(s, `${p}.bn1`, width);
      conv(s, `${p}.conv2`, width, width, 3, 32);
      bn(s, `${p}.bn2`, width);
      conv(s, `${p}.conv3`, planes * 4, width, 1);
      bn(s, `${p}.bn3`, planes * 4);
      if (b === 0) {
        conv(s, `${p}.downsample.0`, planes * 4, inp, 1);
        bn(s, `${p}.downsample.1`, planes * 4);
      }
    }
    inp = planes * 4;
  });
  return s;
}

/** Keras applications' ResNet-50 weights under their Keras names (HWIO kernels, conv biases). */
function kerasResnet50Shapes(): Shapes {
  const s: Shapes = new Map();
  const kconv = (name: string, k: number, cin: number, cout: number): void => {
    s.set(`${name}/kernel`, { shape: [k, k, cin, cout], kind: ['conv', k * k * cin] });
    s.set(`${name}/bias`, { shape: [cout], kind: ['small'] });
  };
  const kbn = (name: string, c: number): void => {
    s.set(`${name}/gamma`, { shape: [c], kind: ['gamma'] });
    s.set(`${name}/beta`, { shape: [c], kind: ['small'] });
    s.set(`${name}/moving_mean`, { shape: [c], kind: ['small'] });
    s.set(`${name}/moving_variance`, { shape: [c], kind: ['var'] });
  };
  kconv('conv1_conv', 7, 3, 64);
  kbn('conv1_bn', 64);
  let inp = 64;
  [64, 128, 256, 512].forEach((f, st) => {
    for (let b = 1; b <= [3, 4, 6, 3][st]; b++) {
      const n = `conv${st + 2}_block${b}`;
      if (b === 1) {
        kconv(`${n}_0_conv`, 1, inp, 4 * f);
        kbn(`${n}_0_bn`, 4 * f);
      }
      kconv(`${n}_1_conv`, 1, b === 1 ? inp : 4 * f, f);
      kbn(`${n}_1_bn`, f);
      kconv(`${n}_2_conv`, 3, f, f);
      kbn(`${n}_2_bn`, f);
      kconv(`${n}_3_conv`, 1, f, 4 * f);
      kbn(`${n}_3_bn`, 4 * f);
    }
    inp = 4 * f;
  });
  return s;
}

/** Writes `<layer>/<weight>` tensors as a Keras .h5 (weight names `<layer>/<weight>:0`); returns its path. */
async function kerasFile(tensors: Map<string, WeightTensor>): Promise<string> {
  const layers = new Map<string, KerasLayerWeights>();
  for (const [key, t] of tensors) {
    const layer = key.slice(0, key.lastIndexOf('/'));
    if (!layers.has(layer)) layers.set(layer, { name: layer, weights: [] });
    layers.get(layer)!.weights.push({ name: `${key}:0`, ...t });
  }
  const file = path.join(dir, `keras-${layers.size}.h5`);
  await writeKerasH5(file, [...layers.values()]);
  return file;
}

function densenet121Shapes(): Shapes {
  const s: Shapes = new Map();
  conv(s, 'features.conv0', 64, 3, 7);
  bn(s, 'features.norm0', 64);
  let c = 64;
  [6, 12, 24, 16].forEach((n, bi) => {
    for (let l = 1; l <= n; l++) {
      const p = `features.denseblock${bi + 1}.denselayer${l}`;
      bn(s, `${p}.norm1`, c);
      conv(s, `${p}.conv1`, 128, c, 1);
      bn(s, `${p}.norm2`, 128);
      conv(s, `${p}.conv2`, 32, 128, 3);
      c += 32;
    }
    if (bi < 3) {
      bn(s, `features.transition${bi + 1}.norm`, c);
      conv(s, `features.transition${bi + 1}.conv`, c / 2, c, 1);
      c /= 2;
    }
  });
  bn(s, 'features.norm5', c);
  return s;
}

function mobilenetv3Shapes(): Shapes {
  const table: [number, number, number, number][] = [
    [3, 16, 16, 0],
    [3, 64, 24, 0],
    [3, 72, 24, 0],
    [5, 72, 40, 24],
    [5, 120, 40, 32],
    [5, 120, 40, 32],
    [3, 240, 80, 0],
    [3, 200, 80, 0],
    [3, 184, 80, 0],
    [3, 184, 80, 0],
    [3, 480, 112, 120],
    [3, 672, 112, 168],
    [5, 672, 160, 168],
    [5, 960, 160, 240],
    [5, 960, 160, 240],
  ];
  const s: Shapes = new Map();
  const cbn = (key: string, o: number, i: number, k: number, groups = 1): void => {
    conv(s, `${key}.0`, o, i, k, groups);
    bn(s, `${key}.1`, o);
  };
  cbn('features.0', 16, 3, 3);
  let cin = 16;
  table.forEach(([k, exp, out, se], i) => {
    const p = `features.${i + 1}.block`;
    let j = 0;
    if (exp !== cin) cbn(`${p}.${j++}`, exp, cin, 1);
    cbn(`${p}.${j++}`, exp, exp, k, exp);
    if (se) {
      conv(s, `${p}.${j}.fc1`, se, exp, 1, 1, true);
      conv(s, `${p}.${j++}.fc2`, exp, se, 1, 1, true);
    }
    cbn(`${p}.${j++}`, out, exp, 1);
    cin = out;
  });
  cbn('features.16', 960, 160, 1);
  return s;
}

test.each([
  ['resnet50', {}, kerasResnet50Shapes, 'keras_resnet50_reference.safetensors'],
  ['resnet18', {}, resnet18Shapes, 'resnet18_reference.safetensors'],
  ['densenet121', {}, densenet121Shapes, 'densenet121_reference.safetensors'],
  ['resnext50_32x4d', { outputStride: 16 }, resnext50Shapes, 'resnext50_32x4d_os16_reference.safetensors'],
  ['mobilenetv3_large', { outputStride: 16 }, mobilenetv3Shapes, 'mobilenetv3_large_os16_reference.safetensors'],
] as [string, EncoderOptions, () => Shapes, string][])('%s %j matches its float64 NumPy reference', async (name, options, shapes, file) => {
  const ref = readSafetensors(fs.readFileSync(path.join(__dirname, 'fixtures', file))).tensors;
  const x = ref.get('input')!;
  const enc = getEncoder(name, options);
  const input = tf.input({ shape: x.shape.slice(1) });
  const feats = enc.build(input);
  const model = tf.model({ inputs: input, outputs: feats.map((f) => f.tensor) });
  const weights = fill(shapes());
  const keras = [...weights.keys()][0].includes('/');
  const report = await loadWeights(enc, keras ? await kerasFile(weights) : writeSafetensors(weights));
  expect(report.missing).toEqual([]);
  const before = tf.memory().numTensors;
  const outs = tf.tidy(() =>
    (model.predict(tf.tensor(x.data, x.shape)) as tf.Tensor[]).map((t) => ({ shape: t.shape, data: t.dataSync() })),
  );
  expect(tf.memory().numTensors).toBe(before);
  outs.forEach((o, i) => {
    const r = ref.get(`out${i}`)!;
    expect(o.shape).toEqual(r.shape);
    let maxErr = 0;
    let maxRef = 0;
    for (let j = 0; j < r.data.length; j++) {
      maxErr = Math.max(maxErr, Math.abs(o.data[j] - r.data[j]));
      maxRef = Math.max(maxRef, Math.abs(r.data[j]));
    }
    expect(maxRef).toBeGreaterThan(0.1); // a non-trivial map
    expect(maxErr).toBeLessThan(1e-4 * Math.max(1, maxRef));
  });
  model.dispose();
});

/** Every 4th channel of norm0 / norm5 gets a running variance of 1e-8, 1e-7, 1e-6 in turn (as make_reference.py). */
function tinyVariances(weights: Map<string, WeightTensor>): Map<string, WeightTensor> {
  for (const key of ['features.norm0.running_var', 'features.norm5.running_var']) {
    const t = weights.get(key)!;
    const data = Float32Array.from(t.data);
    for (let c = 0; c < data.length; c += 4) data[c] = Math.fround(10 ** (-8 + ((c / 4) % 3)));
    weights.set(key, { shape: t.shape, data });
  }
  return weights;
}

/** Largest |error| of each feature map relative to the map's largest |value|. */
async function relativeErrors(
  options: EncoderOptions,
  weights: Map<string, WeightTensor>,
  file: string,
): Promise<{ errors: number[]; eps?: number }> {
  const ref = readSafetensors(fs.readFileSync(path.join(__dirname, 'fixtures', file))).tensors;
  const x = ref.get('input')!;
  const enc = getEncoder('densenet121', options);
  const input = tf.input({ shape: x.shape.slice(1) });
  const model = tf.model({ inputs: input, outputs: enc.build(input).map((f) => f.tensor) });
  const report = await loadWeights(enc, writeSafetensors(weights));
  const outs = tf.tidy(() => (model.predict(tf.tensor(x.data, x.shape)) as tf.Tensor[]).map((t) => t.dataSync()));
  model.dispose();
  const errors = outs.map((o, i) => {
    const r = ref.get(`out${i}`)!.data;
    let maxErr = 0;
    let maxRef = 0;
    for (let j = 0; j < r.length; j++) {
      maxErr = Math.max(maxErr, Math.abs(o[j] - r[j]));
      maxRef = Math.max(maxRef, Math.abs(r[j]));
    }
    return maxErr / maxRef;
  });
  return { errors, eps: report.bnEpsilon };
}

test("DenseNet-121 with torchvision weights uses torch's BN epsilon (1e-5): matches torchvision itself with near-zero running variances", async () => {
  const file = 'densenet121_tinyvar_torch_reference.safetensors';
  const torchStyle = await relativeErrors({}, tinyVariances(fill(densenet121Shapes())), file);
  expect(torchStyle.eps).toBe(1e-5);
  for (const e of torchStyle.errors) expect(e).toBeLessThan(2e-5);
  // the same weights with Keras' epsilon forced: 5e-4..1e-3 relative error at every feature map (what the test catches)
  const keras = await relativeErrors({ bnEpsilon: 1.001e-5 }, tinyVariances(fill(densenet121Shapes())), file);
  expect(keras.eps).toBeUndefined();
  expect(Math.max(...keras.errors)).toBeGreaterThan(1e-4);
});
