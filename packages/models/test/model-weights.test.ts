/**
 * Whole-model weight files: loadModelWeights / saveModelWeights / encodeModelWeights on a small DenseDepth
 * (DenseNet-121, decoder F = 32) in the published weights' architecture, with non-trivial weights everywhere
 * (batch-norm statistics included).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { setupTestBackend } from '@depthblocks/backend';
import { tf, DepthblocksError, encodeKerasH5, h5ToBytes, parseKerasH5, writeSafetensors } from '@depthblocks/core';
import {
  createDepthModel,
  encodeModelWeights,
  loadModelWeights,
  modelWeights,
  saveCheckpoint,
  saveModelWeights,
  type DepthModel,
  type DepthModelSpec,
} from '../src/node';

let tmp: string;
beforeAll(async () => {
  await setupTestBackend();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-model-weights-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const spec = (leakyAfterConvA = false): DepthModelSpec => ({
  name: 'tiny_densedepth',
  encoder: { name: 'densenet121', options: { taps: 'densedepth', preprocessing: 'none' } },
  decoder: { name: 'densedepth', options: { width: 32, alignCorners: true, leakyAfterConvA } },
  inputSize: [32, 32],
  depth: { kind: 'densedepth', minDepth: 0.1, maxDepth: 10 },
});

/** Fills every weight with distinct values (variances positive), so that a swap or a miss shows. */
function scramble(dm: DepthModel, seed: number): void {
  modelWeights(dm.model).forEach((w, i) => {
    const shape = w.variable.shape as number[];
    tf.tidy(() => {
      const u = tf.randomUniform(shape, 0, 1, 'float32', seed + i);
      w.variable.write(w.short === 'moving_variance' ? tf.add(u, 0.5) : tf.sub(u, 0.5));
    });
  });
}

async function values(dm: DepthModel): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const w of modelWeights(dm.model)) out.set(w.key, (await w.variable.read().data()) as Float32Array);
  return out;
}

function expectSameValues(a: Map<string, Float32Array>, b: Map<string, Float32Array>): void {
  expect([...b.keys()]).toEqual([...a.keys()]);
  for (const [k, v] of a) {
    const w = b.get(k)!;
    // bit-identical: compare the raw bytes
    expect(Buffer.from(w.buffer, w.byteOffset, w.byteLength).equals(Buffer.from(v.buffer, v.byteOffset, v.byteLength))).toBe(true);
  }
}

let source: DepthModel;
let sourceValues: Map<string, Float32Array>;
let target: DepthModel;
let seed = 1000;
/** The model files are loaded into, with fresh values (unlike the source's) each time: building DenseNets is slow on 2 cores. */
function fresh(): DepthModel {
  scramble(target, (seed += 1000));
  return target;
}
beforeAll(async () => {
  source = createDepthModel(spec());
  scramble(source, 100);
  sourceValues = await values(source);
  target = createDepthModel(spec());
});
afterAll(() => {
  source.model.dispose();
  target.model.dispose();
});

describe('round trips, bit-identical', () => {
  test.each(['h5', 'safetensors'] as const)('saveModelWeights(%s) -> loadModelWeights into a fresh model', async (format) => {
    const file = path.join(tmp, `tiny.${format === 'h5' ? 'h5' : 'safetensors'}`);
    await saveModelWeights(source, file);
    const dm = fresh();
    const before = tf.memory().numTensors;
    const report = await loadModelWeights(dm, file);
    expect(tf.memory().numTensors).toBe(before);
    expect(report).toMatchObject({
      format: format === 'h5' ? 'keras-h5' : 'safetensors',
      scope: 'model',
      missing: [],
      unexpected: [],
      misShaped: [],
    });
    expect(report.loaded).toBe(modelWeights(dm.model).length);
    expectSameValues(sourceValues, await values(dm));
    const x = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 1);
    const [ya, yb] = [source.model.predict(x) as tf.Tensor, dm.model.predict(x) as tf.Tensor];
    expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
    tf.dispose([x, ya, yb]);
  });

  test("the .h5 has Keras' names and layout: every layer listed, conv1/conv/conv1/conv/kernel:0, BN in Keras order", async () => {
    const bytes = await encodeModelWeights(source, { format: 'h5' });
    const file = await parseKerasH5(bytes);
    expect(file.layout).toBe('weights');
    expect(file.layers.map((l) => l.name)).toEqual(source.model.layers.map((l) => l.name));
    const byName = new Map(file.layers.map((l) => [l.name, l.weights.map((w) => w.name)]));
    expect(byName.get('input')).toEqual([]);
    expect(byName.get('conv1/conv')).toEqual(['conv1/conv/kernel:0']);
    expect(byName.get('conv1/bn')).toEqual(['conv1/bn/gamma:0', 'conv1/bn/beta:0', 'conv1/bn/moving_mean:0', 'conv1/bn/moving_variance:0']);
    expect(byName.get('up1_convA')).toEqual(['up1_convA/kernel:0', 'up1_convA/bias:0']);
    expect(JSON.parse(String(file.attrs.depthblocks_config))).toEqual(source.config);
  });

  test("Keras' own reading code (load_weights by_name, written out with h5py) finds every weight with its shape", async () => {
    const probe = spawnSync('/usr/bin/python3', ['-c', 'import h5py, numpy'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.warn('skipped: needs /usr/bin/python3 with h5py and numpy (Debian: apt-get install python3-h5py)');
      return;
    }
    const file = path.join(tmp, 'keras-check.h5');
    await saveModelWeights(source, file);
    const script = path.join(__dirname, 'fixtures/keras_load_by_name.py');
    const r = spawnSync('/usr/bin/python3', [script, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.stderr).toBe('');
    const read = JSON.parse(r.stdout) as Record<string, [string, number[], number][]>;
    const layersWithWeights = source.model.layers.filter((l) => l.weights.length > 0);
    expect(Object.keys(read).sort()).toEqual(layersWithWeights.map((l) => l.name).sort());
    for (const w of modelWeights(source.model)) {
      const entry = read[w.layer].find(([n]) => n === `${w.key}:0`);
      expect(entry).toBeDefined();
      expect(entry![1]).toEqual(w.variable.shape);
      const sum = sourceValues.get(w.key)!.reduce((a, b) => a + b, 0);
      expect(entry![2]).toBeCloseTo(sum, 2);
    }
  });
});

describe('what else loads', () => {
  test('a training checkpoint (optimizer state ignored)', async () => {
    const file = path.join(tmp, 'checkpoint.safetensors');
    await saveCheckpoint(file, source.model, null, { step: 3, epoch: 0, stepInEpoch: 3, lr: 1e-4 });
    const dm = fresh();
    const report = await loadModelWeights(dm, file);
    expect(report).toMatchObject({ format: 'checkpoint', scope: 'model', missing: [], unexpected: [] });
    expectSameValues(sourceValues, await values(dm));
  });

  test('a full model.save() file (model_weights, model_config, optimizer_weights), from bytes, a file: URL and http', async () => {
    const layers = (await parseKerasH5(await encodeModelWeights(source, { format: 'h5' }))).layers;
    const modelConfig = kerasConfig(false);
    const bytes = await encodeKerasH5(layers, { layout: 'model', modelConfig, kerasVersion: '2.2.4' });
    const file = path.join(tmp, 'full.h5');
    fs.writeFileSync(file, bytes);
    const server = http.createServer((req, res) => {
      if (req.url === '/full.h5') res.end(Buffer.from(bytes));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      for (const src of [bytes, pathToFileURL(file), `http://127.0.0.1:${port}/full.h5`]) {
        const dm = fresh();
        const report = await loadModelWeights(dm, src);
        expect(report.scope).toBe('model');
        expectSameValues(sourceValues, await values(dm));
      }
      const dm = fresh();
      await expect(loadModelWeights(dm, `http://127.0.0.1:${port}/nyu.h5`)).rejects.toThrow(/HTTP 404/);
    } finally {
      server.close();
    }
  });

  test('a file whose model_config puts LeakyReLU after upN_convA does not load silently into the published architecture', async () => {
    const layers = (await parseKerasH5(await encodeModelWeights(source, { format: 'h5' }))).layers;
    const bytes = await encodeKerasH5(layers, { layout: 'model', modelConfig: kerasConfig(true) });
    const dm = fresh();
    const err = await loadModelWeights(dm, bytes).catch((e) => e);
    expect(err).toBeInstanceOf(DepthblocksError);
    expect(err.code).toBe('WEIGHTS_MISMATCH');
    expect(err.message).toMatch(/LeakyReLU after each upN_convA.*leakyAfterConvA: true/);
    const tf2 = createDepthModel(spec(true));
    await expect(loadModelWeights(tf2, bytes)).resolves.toMatchObject({ scope: 'model', missing: [] });
    expectSameValues(sourceValues, await values(tf2));
    tf2.model.dispose();
  });

  test('an encoder-only Keras applications file goes to the encoder loader', async () => {
    const all = (await parseKerasH5(await encodeModelWeights(source, { format: 'h5' }))).layers;
    const encoderNames = new Set(source.encoder!.layers.map((l) => l.name));
    const notop = await encodeKerasH5(all.filter((l) => encoderNames.has(l.name)));
    const dm = fresh();
    const decoderBefore = await dm.model.getLayer('conv3').getWeights()[0].data();
    const report = await loadModelWeights(dm, notop);
    expect(report).toMatchObject({ format: 'keras-h5', scope: 'encoder', missing: [], unexpected: [] });
    const after = await values(dm);
    expect(Array.from(after.get('conv1/conv/kernel')!)).toEqual(Array.from(sourceValues.get('conv1/conv/kernel')!));
    expect(Array.from(after.get('conv3/kernel')!)).toEqual(Array.from(decoderBefore)); // decoder untouched
  });
});

describe('strict by default: one clear report, nothing loaded', () => {
  test('missing, unexpected and mis-shaped tensors are listed with shapes; strict: false loads the rest', async () => {
    const all = (await parseKerasH5(await encodeModelWeights(source, { format: 'h5' }))).layers;
    const edited = all
      .filter((l) => l.name !== 'up2_convB') // missing
      .map((l) =>
        l.name === 'conv3'
          ? { ...l, weights: [{ ...l.weights[0], shape: [3, 3, 1, 1], data: l.weights[0].data.slice(0, 9) }, l.weights[1]] } // mis-shaped
          : l,
      );
    edited.push({ name: 'up5_convA', weights: [{ name: 'up5_convA/kernel:0', shape: [3, 3, 4, 4], data: new Float32Array(144) }] }); // unexpected
    const bytes = await encodeKerasH5(edited);
    const dm = fresh();
    const before = await values(dm);
    const err = await loadModelWeights(dm, bytes).catch((e) => e);
    expect(err).toBeInstanceOf(DepthblocksError);
    expect(err.code).toBe('WEIGHTS_MISMATCH');
    expect(err.message).toMatch(/do not match the model tiny_densedepth/);
    expect(err.message).toMatch(/missing from the file \(2\):\n {4}up2_convB\/kernel \[3, 3, 8, 8\]\n {4}up2_convB\/bias \[8\]/);
    expect(err.message).toMatch(/unexpected in the file \(1\):\n {4}up5_convA\/kernel:0 \[3, 3, 4, 4\]/);
    expect(err.message).toMatch(/mis-shaped \(1\):\n {4}conv3\/kernel expects \[3, 3, 2, 1\], got \[3, 3, 1, 1\] from 'conv3\/kernel:0'/);
    expect(err.details.missing).toEqual(['up2_convB/kernel', 'up2_convB/bias']);
    expectSameValues(before, await values(dm)); // nothing changed
    const report = await loadModelWeights(dm, bytes, { strict: false });
    expect(report.loaded).toBe(modelWeights(dm.model).length - 3);
    expect(report.misShaped.map((m) => m.name)).toEqual(['conv3/kernel']);
    const after = await values(dm);
    expect(Array.from(after.get('conv1/conv/kernel')!)).toEqual(Array.from(sourceValues.get('conv1/conv/kernel')!));
  });

  test('bad sources are clear errors', async () => {
    const dm = fresh();
    await expect(loadModelWeights(dm, path.join(tmp, 'nope.h5'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(loadModelWeights(dm, tmp)).rejects.toThrow(/is a folder.*loadDepthModel/);
    await expect(loadModelWeights(dm, new Uint8Array(32))).rejects.toMatchObject({ code: 'WEIGHTS_FORMAT' });
    const other = writeSafetensors({ 'fc.weight': { shape: [2], data: new Float32Array(2) } });
    // no tensor of the model: taken for a torchvision/timm encoder file, whose loader reports it
    await expect(loadModelWeights(dm, other)).rejects.toThrow(/do not match the encoder:\n {2}missing from the file \(604\)/);
    await expect(saveModelWeights(dm, path.join(tmp, 'w.bin'))).rejects.toThrow(/name it \.h5 or \.safetensors/);
    await expect(encodeModelWeights(dm, { format: 'onnx' as never })).rejects.toThrow(/format must be 'h5' or 'safetensors'/);
    const notKeras = await h5ToBytes((f) => f.create_dataset({ name: 'x', data: new Float32Array(2) }));
    await expect(loadModelWeights(dm, notKeras)).rejects.toThrow(/not a Keras weight file/);
  });
});

/** A Keras 2 model_config of DenseDepth's up-blocks, with or without LeakyReLU after upN_convA. */
function kerasConfig(activateConvA: boolean): unknown {
  const layers: unknown[] = [];
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    layers.push({ name: `up${i}_convA`, class_name: 'Conv2D', inbound_nodes: [[[`up${i}_concat`, 0, 0, {}]]] });
    let prev = `up${i}_convA`;
    if (activateConvA) {
      layers.push({ name: `leaky_re_lu_${++n}`, class_name: 'LeakyReLU', inbound_nodes: [[[prev, 0, 0, {}]]] });
      prev = `leaky_re_lu_${n}`;
    }
    layers.push({ name: `up${i}_convB`, class_name: 'Conv2D', inbound_nodes: [[[prev, 0, 0, {}]]] });
    layers.push({ name: `leaky_re_lu_${++n}`, class_name: 'LeakyReLU', inbound_nodes: [[[`up${i}_convB`, 0, 0, {}]]] });
  }
  return { class_name: 'Model', config: { name: 'model_1', layers } };
}
