import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import type { AddressInfo } from 'net';
import { tf, DepthblocksError, writeKerasH5, writeSafetensors, type KerasLayerWeights, type WeightTensor } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { getEncoder, loadWeights, type Encoder, type EncoderOptions } from '../src/node';

let dir: string;
beforeAll(async () => {
  await setupTestBackend();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-encoders-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------
// Fixture generators. They write the PUBLISHED layouts from the architectures' descriptions,
// independently of the package's key maps.

/** Deterministic pseudo-random values in [lo, hi). */
function values(n: number, seed: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = lo + ((s >>> 0) / 4294967296) * (hi - lo);
  }
  return out;
}
let seedCounter = 1;
const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
/** A conv kernel scaled by its fan-in (so random networks stay numerically tame). */
function kernel(shape: number[], fanIn: number): WeightTensor {
  const a = Math.sqrt(3 / fanIn);
  return { shape, data: values(size(shape), seedCounter++ * 7919, -a, a) };
}
function bnParams(c: number): Record<'gamma' | 'beta' | 'mean' | 'var', WeightTensor> {
  return {
    gamma: { shape: [c], data: values(c, seedCounter++ * 31, 0.5, 1.5) },
    beta: { shape: [c], data: values(c, seedCounter++ * 31, -0.1, 0.1) },
    mean: { shape: [c], data: values(c, seedCounter++ * 31, -0.1, 0.1) },
    var: { shape: [c], data: values(c, seedCounter++ * 31, 0.5, 1.5) },
  };
}

/** Keras DenseNet .h5 layers (layer_names / weight_names as keras.applications writes them). */
function densenetKeras(blocks: number[], stem = { conv: 'conv1/conv', bn: 'conv1/bn' }): KerasLayerWeights[] {
  const layers: KerasLayerWeights[] = [];
  const conv = (name: string, shape: number[]): void => {
    layers.push({ name, weights: [{ name: `${name}/kernel:0`, ...kernel(shape, shape[0] * shape[1] * shape[2]) }] });
  };
  const bn = (name: string, c: number): void => {
    const p = bnParams(c);
    layers.push({
      name,
      weights: [
        { name: `${name}/gamma:0`, ...p.gamma },
        { name: `${name}/beta:0`, ...p.beta },
        { name: `${name}/moving_mean:0`, ...p.mean },
        { name: `${name}/moving_variance:0`, ...p.var },
      ],
    });
  };
  layers.push({ name: 'input_1', weights: [] }, { name: 'zero_padding2d', weights: [] });
  conv(stem.conv, [7, 7, 3, 64]);
  bn(stem.bn, 64);
  layers.push({ name: 'conv1/relu', weights: [] }, { name: 'pool1', weights: [] });
  let c = 64;
  blocks.forEach((n, i) => {
    for (let j = 1; j <= n; j++) {
      const p = `conv${i + 2}_block${j}`;
      bn(`${p}_0_bn`, c);
      conv(`${p}_1_conv`, [1, 1, c, 128]);
      bn(`${p}_1_bn`, 128);
      conv(`${p}_2_conv`, [3, 3, 128, 32]);
      layers.push({ name: `${p}_concat`, weights: [] });
      c += 32;
    }
    if (i < blocks.length - 1) {
      bn(`pool${i + 2}_bn`, c);
      conv(`pool${i + 2}_conv`, [1, 1, c, c / 2]);
      c /= 2;
    }
  });
  bn('bn', c);
  return layers;
}

/** HWIO -> OIHW (row-major loops, independent of the package's transpose). */
function hwioToOihw(w: WeightTensor): WeightTensor {
  const [h, wd, i, o] = w.shape;
  const out = new Float32Array(w.data.length);
  for (let a = 0; a < h; a++)
    for (let b = 0; b < wd; b++)
      for (let c = 0; c < i; c++)
        for (let d = 0; d < o; d++) {
          out[((d * i + c) * h + a) * wd + b] = w.data[((a * wd + b) * i + c) * o + d];
        }
  return { shape: [o, i, h, w.shape[1]], data: out };
}

/** The same DenseNet weights as torchvision/timm keys (features.*), written from the torchvision module tree. */
function densenetKerasToTorch(layers: KerasLayerWeights[]): Map<string, WeightTensor> {
  const out = new Map<string, WeightTensor>();
  const torchModule = (name: string): string => {
    if (name === 'conv1/conv') return 'features.conv0';
    if (name === 'conv1/bn') return 'features.norm0';
    if (name === 'bn') return 'features.norm5';
    const t = /^pool(\d)_(bn|conv)$/.exec(name);
    if (t) return `features.transition${+t[1] - 1}.${t[2] === 'bn' ? 'norm' : 'conv'}`;
    const d = /^conv(\d)_block(\d+)_(\d)_(bn|conv)$/.exec(name)!;
    const sub = d[3] === '0' ? 'norm1' : d[3] === '1' && d[4] === 'conv' ? 'conv1' : d[3] === '1' ? 'norm2' : 'conv2';
    return `features.denseblock${+d[1] - 1}.denselayer${d[2]}.${sub}`;
  };
  for (const l of layers) {
    if (!l.weights.length) continue;
    const m = torchModule(l.name);
    if (l.weights.length === 1) out.set(`${m}.weight`, hwioToOihw(l.weights[0]));
    else {
      ['weight', 'bias', 'running_mean', 'running_var'].forEach((s, i) => out.set(`${m}.${s}`, l.weights[i]));
      out.set(`${m}.num_batches_tracked`, { shape: [], data: Float32Array.of(1000) });
    }
  }
  return out;
}

/** torchvision resnet18 state dict (with the fc head and num_batches_tracked), random values. */
function resnet18Torch(): Map<string, WeightTensor> {
  const sd = new Map<string, WeightTensor>();
  const conv = (key: string, o: number, i: number, k: number): void => {
    sd.set(`${key}.weight`, kernel([o, i, k, k], i * k * k));
  };
  const bn = (key: string, c: number): void => {
    const p = bnParams(c);
    sd.set(`${key}.weight`, p.gamma);
    sd.set(`${key}.bias`, p.beta);
    sd.set(`${key}.running_mean`, p.mean);
    sd.set(`${key}.running_var`, p.var);
    sd.set(`${key}.num_batches_tracked`, { shape: [], data: Float32Array.of(10) });
  };
  conv('conv1', 64, 3, 7);
  bn('bn1', 64);
  let inp = 64;
  [64, 128, 256, 512].forEach((planes, li) => {
    for (let b = 0; b < 2; b++) {
      const p = `layer${li + 1}.${b}`;
      conv(`${p}.conv1`, planes, b === 0 ? inp : planes, 3);
      bn(`${p}.bn1`, planes);
      conv(`${p}.conv2`, planes, planes, 3);
      bn(`${p}.bn2`, planes);
      if (b === 0 && li > 0) {
        conv(`${p}.downsample.0`, planes, inp, 1);
        bn(`${p}.downsample.1`, planes);
      }
    }
    inp = planes;
  });
  sd.set('fc.weight', kernel([1000, 512], 512));
  sd.set('fc.bias', { shape: [1000], data: new Float32Array(1000) });
  return sd;
}

/** The resnet18 state dict as a Keras-style .h5 (this package's Keras names for ResNet-18). */
function resnet18TorchToKeras(sd: Map<string, WeightTensor>): KerasLayerWeights[] {
  const layers = new Map<string, KerasLayerWeights>();
  const bnNames: Record<string, string> = { weight: 'gamma', bias: 'beta', running_mean: 'moving_mean', running_var: 'moving_variance' };
  for (const [key, t] of sd) {
    if (key.startsWith('fc.') || key.endsWith('num_batches_tracked')) continue;
    const parts = key.split('.');
    const param = parts.pop()!;
    let name: string;
    if (parts[0] === 'conv1') name = 'conv1_conv';
    else if (parts[0] === 'bn1') name = 'conv1_bn';
    else {
      const stage = +parts[0].slice(5) + 1;
      const block = `conv${stage}_block${+parts[1] + 1}`;
      if (parts[2] === 'downsample') name = `${block}_0_${parts[3] === '0' ? 'conv' : 'bn'}`;
      else name = `${block}_${parts[2].slice(-1)}_${parts[2].startsWith('conv') ? 'conv' : 'bn'}`;
    }
    const isConv = name.endsWith('_conv');
    const w = isConv ? hwioFromOihw(t) : t;
    const wn = isConv ? 'kernel' : bnNames[param];
    if (!layers.has(name)) layers.set(name, { name, weights: [] });
    layers.get(name)!.weights.push({ name: `${name}/${wn}:0`, ...w });
  }
  return [...layers.values()];
}

function hwioFromOihw(w: WeightTensor): WeightTensor {
  const [o, i, h, wd] = w.shape;
  const out = new Float32Array(w.data.length);
  for (let d = 0; d < o; d++)
    for (let c = 0; c < i; c++)
      for (let a = 0; a < h; a++)
        for (let b = 0; b < wd; b++) {
          out[((a * wd + b) * i + c) * o + d] = w.data[((d * i + c) * h + a) * wd + b];
        }
  return { shape: [h, wd, i, o], data: out };
}

/** torchvision mobilenet_v3_large `features.*` state dict, from the paper's table. */
function mobilenetv3Torch(): Map<string, WeightTensor> {
  // [kernel, expanded, out, se]
  const table: [number, number, number, boolean][] = [
    [3, 16, 16, false],
    [3, 64, 24, false],
    [3, 72, 24, false],
    [5, 72, 40, true],
    [5, 120, 40, true],
    [5, 120, 40, true],
    [3, 240, 80, false],
    [3, 200, 80, false],
    [3, 184, 80, false],
    [3, 184, 80, false],
    [3, 480, 112, true],
    [3, 672, 112, true],
    [5, 672, 160, true],
    [5, 960, 160, true],
    [5, 960, 160, true],
  ];
  // torchvision's _make_divisible(v, 8): round to a multiple of 8, but never more than 10% down
  const div8 = (v: number): number => {
    const r = Math.max(8, Math.floor((v + 4) / 8) * 8);
    return r < 0.9 * v ? r + 8 : r;
  };
  const sd = new Map<string, WeightTensor>();
  const cbn = (key: string, o: number, i: number, k: number, groups = 1): void => {
    sd.set(`${key}.0.weight`, kernel([o, i / groups, k, k], (i / groups) * k * k));
    const p = bnParams(o);
    sd.set(`${key}.1.weight`, p.gamma);
    sd.set(`${key}.1.bias`, p.beta);
    sd.set(`${key}.1.running_mean`, p.mean);
    sd.set(`${key}.1.running_var`, p.var);
    sd.set(`${key}.1.num_batches_tracked`, { shape: [], data: Float32Array.of(0) });
  };
  cbn('features.0', 16, 3, 3);
  let cin = 16;
  table.forEach(([k, exp, out, se], i) => {
    const p = `features.${i + 1}.block`;
    let j = 0;
    if (exp !== cin) cbn(`${p}.${j++}`, exp, cin, 1);
    cbn(`${p}.${j++}`, exp, exp, k, exp);
    if (se) {
      const sq = div8(exp / 4);
      sd.set(`${p}.${j}.fc1.weight`, kernel([sq, exp, 1, 1], exp));
      sd.set(`${p}.${j}.fc1.bias`, { shape: [sq], data: values(sq, seedCounter++, -0.1, 0.1) });
      sd.set(`${p}.${j}.fc2.weight`, kernel([exp, sq, 1, 1], sq));
      sd.set(`${p}.${j++}.fc2.bias`, { shape: [exp], data: values(exp, seedCounter++, -0.1, 0.1) });
    }
    cbn(`${p}.${j++}`, out, exp, 1);
    cin = out;
  });
  cbn('features.16', 960, 160, 1);
  return sd;
}

// ---------------------------------------------------------------------------------------------

function built(name: string, options: EncoderOptions = {}, size = 32): { enc: Encoder; model: tf.LayersModel } {
  const enc = getEncoder(name, options);
  const input = tf.input({ shape: [size, size, options.inChannels ?? 3] });
  const f = enc.build(input);
  return { enc, model: tf.model({ inputs: input, outputs: f.map((x) => x.tensor) }) };
}
function weightOf(enc: Encoder, layer: string, index = 0): { shape: number[]; data: Float32Array } {
  const l = enc.layers.find((x) => x.name === layer)!;
  const w = l.weights[index].read();
  return { shape: w.shape, data: w.dataSync() as Float32Array };
}
function outputs(model: tf.LayersModel, x: tf.Tensor): Float32Array[] {
  return tf.tidy(() => (model.predict(x) as tf.Tensor[]).map((t) => t.dataSync() as Float32Array));
}
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('DenseNet-121: Keras .h5 and timm/torchvision safetensors', () => {
  let kerasLayers: KerasLayerWeights[];
  let h5Path: string;
  let stBytes: Uint8Array;
  beforeAll(async () => {
    kerasLayers = densenetKeras([6, 12, 24, 16]);
    h5Path = path.join(dir, 'densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5');
    await writeKerasH5(h5Path, kerasLayers);
    stBytes = writeSafetensors(densenetKerasToTorch(kerasLayers), { format: 'pt' });
  });

  test('both load strictly, give the file values, and the same outputs', async () => {
    const a = built('densenet121');
    const ra = await loadWeights(a.enc, h5Path);
    expect(ra.format).toBe('keras-h5');
    const nWeights = kerasLayers.reduce((s, l) => s + l.weights.length, 0);
    expect(ra.loaded).toBe(nWeights);
    expect([ra.missing, ra.unexpected, ra.misShaped]).toEqual([[], [], []]);
    // every tensor of the file landed in the layer and slot of that name
    for (const l of kerasLayers) {
      l.weights.forEach((w, i) => {
        const got = weightOf(a.enc, l.name, i);
        expect([l.name, got.shape]).toEqual([l.name, w.shape]);
        expect(maxDiff(got.data, w.data)).toBe(0);
      });
    }
    const b = built('densenet121');
    const rb = await loadWeights(b.enc, stBytes);
    expect(rb.format).toBe('safetensors');
    expect(rb.loaded).toBe(nWeights);
    expect(rb.ignored.filter((k) => k.endsWith('num_batches_tracked'))).toHaveLength(121);
    const x = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 1);
    const oa = outputs(a.model, x);
    const ob = outputs(b.model, x);
    oa.forEach((o, i) => expect(maxDiff(o, ob[i])).toBe(0));
    // and the weights matter: a fresh encoder gives other outputs
    const c = built('densenet121');
    expect(maxDiff(outputs(c.model, x)[4], oa[4])).toBeGreaterThan(1e-3);
    tf.dispose(x);
    [a, b, c].forEach((m) => m.model.dispose());
  });

  test('Keras 3 stem names (conv1_conv, conv1_bn) are accepted', async () => {
    const stemOnly = densenetKeras([6, 12, 24, 16], { conv: 'conv1_conv', bn: 'conv1_bn' }).slice(0, 6);
    const p = path.join(dir, 'k3stem.h5');
    await writeKerasH5(p, stemOnly);
    const { enc, model } = built('densenet121');
    const r = await loadWeights(enc, p, { strict: false });
    expect(r.loaded).toBe(5);
    expect(r.unexpected).toEqual([]);
    expect(r.missing).not.toContain('conv1/conv/kernel');
    expect(r.missing).toContain('conv2_block1_0_bn/gamma');
    expect(maxDiff(weightOf(enc, 'conv1/conv').data, stemOnly[2].weights[0].data)).toBe(0);
    model.dispose();
  });
});

test('Keras ResNet-50: current names with biases load, and the original (legacy) names are accepted', async () => {
  const { enc, model } = built('resnet50');
  const conv = (name: string, shape: number[]): KerasLayerWeights => ({
    name,
    weights: [
      { name: `${name}/kernel:0`, ...kernel(shape, shape[0] * shape[1] * shape[2]) },
      { name: `${name}/bias:0`, shape: [shape[3]], data: values(shape[3], 5, -0.1, 0.1) },
    ],
  });
  const bn = (name: string, c: number): KerasLayerWeights => {
    const p = bnParams(c);
    return {
      name,
      weights: [p.gamma, p.beta, p.mean, p.var].map((t, i) => ({
        name: `${name}/${['gamma', 'beta', 'moving_mean', 'moving_variance'][i]}:0`,
        ...t,
      })),
    };
  };
  const layers = [
    conv('conv1', [7, 7, 3, 64]),
    bn('bn_conv1', 64),
    conv('res4f_branch2b', [3, 3, 256, 256]),
    bn('bn5a_branch1', 2048),
    conv('conv2_block1_0_conv', [1, 1, 64, 256]),
  ];
  const p = path.join(dir, 'resnet50_legacy.h5');
  await writeKerasH5(p, layers);
  const r = await loadWeights(enc, p, { strict: false });
  expect(r.unexpected).toEqual([]);
  expect(r.loaded).toBe(2 + 4 + 2 + 4 + 2);
  expect(maxDiff(weightOf(enc, 'conv4_block6_2_conv', 1).data, layers[2].weights[1].data)).toBe(0);
  expect(maxDiff(weightOf(enc, 'conv5_block1_0_bn', 3).data, layers[3].weights[3].data)).toBe(0);
  expect(maxDiff(weightOf(enc, 'conv1_conv', 0).data, layers[0].weights[0].data)).toBe(0);
  model.dispose();
});

describe('ResNet-18: torchvision safetensors and Keras-named .h5', () => {
  let sd: Map<string, WeightTensor>;
  let stPath: string;
  beforeAll(() => {
    sd = resnet18Torch();
    stPath = path.join(dir, 'resnet18.safetensors');
    fs.writeFileSync(stPath, writeSafetensors(sd, { format: 'pt' }));
  });

  test('safetensors: OIHW -> HWIO, BN running stats -> moving stats, fc and num_batches_tracked ignored', async () => {
    const { enc, model } = built('resnet18');
    const before = tf.memory().numTensors;
    const r = await loadWeights(enc, stPath);
    expect(tf.memory().numTensors).toBe(before); // old values disposed, nothing left behind
    expect(r.loaded).toBe(20 + 20 * 4);
    expect(r.ignored.sort()).toEqual([...sd.keys()].filter((k) => k.startsWith('fc.') || k.endsWith('num_batches_tracked')).sort());
    const w = sd.get('layer2.0.conv1.weight')!; // [128, 64, 3, 3]
    const k = weightOf(enc, 'conv3_block1_1_conv'); // [3, 3, 64, 128]
    expect(k.shape).toEqual([3, 3, 64, 128]);
    for (const [o, i, h, x] of [
      [0, 0, 0, 0],
      [5, 17, 2, 1],
      [127, 63, 1, 2],
    ]) {
      expect(k.data[((h * 3 + x) * 64 + i) * 128 + o]).toBe(w.data[((o * 64 + i) * 3 + h) * 3 + x]);
    }
    expect(maxDiff(weightOf(enc, 'conv4_block1_0_bn', 3).data, sd.get('layer3.0.downsample.1.running_var')!.data)).toBe(0);
    expect(maxDiff(weightOf(enc, 'conv1_bn', 0).data, sd.get('bn1.weight')!.data)).toBe(0);
    model.dispose();
  });

  test('the same weights from a Keras-layout .h5 give identical outputs', async () => {
    const h5 = path.join(dir, 'resnet18_keras.h5');
    await writeKerasH5(h5, resnet18TorchToKeras(sd));
    const a = built('resnet18');
    const b = built('resnet18');
    await loadWeights(a.enc, stPath);
    await loadWeights(b.enc, h5);
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 4);
    const oa = outputs(a.model, x);
    const ob = outputs(b.model, x);
    oa.forEach((o, i) => expect(maxDiff(o, ob[i])).toBe(0));
    tf.dispose(x);
    a.model.dispose();
    b.model.dispose();
  });

  test('mis-shaped, missing and unexpected tensors: WEIGHTS_MISMATCH lists them, loads nothing; strict false loads the rest', async () => {
    const bad = new Map(sd);
    bad.set('conv1.weight', kernel([64, 3, 5, 5], 75));
    bad.delete('bn1.running_mean');
    bad.set('layer5.0.conv1.weight', kernel([8, 8, 3, 3], 72));
    const bytes = writeSafetensors(bad);
    const { enc, model } = built('resnet18');
    const before = weightOf(enc, 'conv2_block1_1_conv').data.slice();
    let err: DepthblocksError | undefined;
    try {
      await loadWeights(enc, bytes);
    } catch (e) {
      err = e as DepthblocksError;
    }
    expect(err).toBeInstanceOf(DepthblocksError);
    expect(err!.code).toBe('WEIGHTS_MISMATCH');
    expect(err!.message).toContain('missing from the file (1):');
    expect(err!.message).toContain('conv1_bn/moving_mean [64]');
    expect(err!.message).toContain('unexpected in the file (1):');
    expect(err!.message).toContain('layer5.0.conv1.weight [8, 8, 3, 3]');
    expect(err!.message).toContain(
      "conv1_conv/kernel expects [7, 7, 3, 64], got [5, 5, 3, 64] from 'conv1.weight' (stored as [64, 3, 5, 5])",
    );
    expect(err!.details).toEqual({
      missing: ['conv1_bn/moving_mean'],
      unexpected: ['layer5.0.conv1.weight'],
      misShaped: [
        { name: 'conv1_conv/kernel', source: 'conv1.weight', expected: [7, 7, 3, 64], got: [5, 5, 3, 64], fileShape: [64, 3, 5, 5] },
      ],
    });
    expect(maxDiff(weightOf(enc, 'conv2_block1_1_conv').data, before)).toBe(0); // nothing loaded
    const r = await loadWeights(enc, bytes, { strict: false });
    expect(r.loaded).toBe(100 - 2);
    expect(r.missing).toEqual(['conv1_bn/moving_mean']);
    expect(r.misShaped.map((m) => m.name)).toEqual(['conv1_conv/kernel']);
    expect(maxDiff(weightOf(enc, 'conv2_block1_1_conv').data, hwioFromOihw(sd.get('layer1.0.conv1.weight')!).data)).toBe(0);
    model.dispose();
  });

  test('a namePrefix is stripped when matching names', async () => {
    const { enc, model } = built('resnet18', { namePrefix: 'encoder/' });
    const r = await loadWeights(enc, stPath);
    expect(r.loaded).toBe(100);
    expect(maxDiff(weightOf(enc, 'encoder/conv1_bn', 1).data, sd.get('bn1.bias')!.data)).toBe(0);
    model.dispose();
  });

  test.each([1, 5])('inChannels %d: the RGB stem kernel is adapted as smp does', async (n) => {
    const { enc, model } = built('resnet18', { inChannels: n });
    const r = await loadWeights(enc, stPath);
    expect(r.adapted).toEqual(['conv1_conv/kernel']);
    const rgb = hwioFromOihw(sd.get('conv1.weight')!); // [7, 7, 3, 64]
    const k = weightOf(enc, 'conv1_conv');
    expect(k.shape).toEqual([7, 7, n, 64]);
    let m = 0;
    for (let t = 0; t < 49; t++)
      for (let i = 0; i < n; i++)
        for (let o = 0; o < 64; o++) {
          const src = (c: number): number => rgb.data[(t * 3 + c) * 64 + o];
          const want = n === 1 ? src(0) + src(1) + src(2) : (src(i % 3) * 3) / n;
          m = Math.max(m, Math.abs(k.data[(t * n + i) * 64 + o] - want));
        }
    expect(m).toBeLessThan(1e-6);
    model.dispose();
  });

  test('from a URL (http server on 127.0.0.1), and clear errors for 404, missing files and unbuilt encoders', async () => {
    const bytes = fs.readFileSync(stPath);
    // Connection: close: every request opens its own connection. With keep-alive, a loaded machine can
    // stall this test past the server's 5 s keep-alive timeout, and the next request then reuses a socket
    // the server is closing (the cause of a flaky 'fetch failed' instead of 'HTTP 404').
    const server = http.createServer((req, res) => {
      res.setHeader('connection', 'close');
      if (req.url === '/resnet18.safetensors') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(bytes);
      } else {
        res.writeHead(404);
        res.end('no');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const { enc, model } = built('resnet18');
      const r = await loadWeights(enc, `http://127.0.0.1:${port}/resnet18.safetensors`);
      expect(r.loaded).toBe(100);
      expect(maxDiff(weightOf(enc, 'conv1_bn', 1).data, sd.get('bn1.bias')!.data)).toBe(0);
      const r2 = await loadWeights(enc, new URL(`http://127.0.0.1:${port}/resnet18.safetensors`));
      expect(r2.loaded).toBe(100);
      await expect(loadWeights(enc, `http://127.0.0.1:${port}/nope.safetensors`)).rejects.toMatchObject({
        code: 'FILE_NOT_FOUND',
        message: expect.stringMatching(/HTTP 404/),
      });
      model.dispose();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const { enc, model } = built('resnet18');
    await expect(loadWeights(enc, path.join(dir, 'missing.h5'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(loadWeights(getEncoder('resnet18'), stPath)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/call encoder.build/),
    });
    await expect(loadWeights(enc, new Uint8Array([1, 2, 3]))).rejects.toMatchObject({ code: 'WEIGHTS_FORMAT' });
    model.dispose();
  });
});

describe('MobileNetV3-Large: torchvision safetensors', () => {
  test('loads strictly (depthwise [C,1,k,k] -> [k,k,C,1], SE fc1/fc2 -> squeeze_excite/Conv, Conv_1), also dilated', async () => {
    const sd = mobilenetv3Torch();
    const bytes = writeSafetensors(sd);
    for (const os of [32, 16] as const) {
      const { enc, model } = built('mobilenetv3_large', { outputStride: os });
      const r = await loadWeights(enc, bytes);
      expect(r.loaded).toBe([...sd.keys()].filter((k) => !k.endsWith('num_batches_tracked')).length);
      const w = sd.get('features.13.block.1.0.weight')!; // depthwise [672, 1, 5, 5] of block 12 (dilated when os=16)
      const k = weightOf(enc, 'expanded_conv_12/depthwise'); // [5, 5, 672, 1]
      expect(k.shape).toEqual([5, 5, 672, 1]);
      for (const [c, h, x] of [
        [0, 0, 0],
        [100, 3, 1],
        [671, 4, 4],
      ])
        expect(k.data[(h * 5 + x) * 672 + c]).toBe(w.data[(c * 5 + h) * 5 + x]);
      expect(maxDiff(weightOf(enc, 'expanded_conv_3/squeeze_excite/Conv_1', 1).data, sd.get('features.4.block.2.fc2.bias')!.data)).toBe(0);
      model.dispose();
    }
  });
});
