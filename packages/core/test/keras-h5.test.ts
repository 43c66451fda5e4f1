import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  DepthblocksError,
  encodeKerasH5,
  h5ToBytes,
  loadH5wasm,
  loadH5wasmInMemory,
  parseKerasH5,
  readKerasH5,
  writeKerasH5,
} from '../src/node';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-h5-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const kernel = Float32Array.from({ length: 7 * 7 * 3 * 4 }, (_, i) => Math.sin(i));
const layers = [
  { name: 'conv1/conv', weights: [{ name: 'conv1/conv/kernel:0', shape: [7, 7, 3, 4], data: kernel }] },
  {
    name: 'conv1/bn',
    weights: ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w, k) => ({
      name: `conv1/bn/${w}:0`,
      shape: [4],
      data: Float32Array.from({ length: 4 }, (_, i) => k + i / 10),
    })),
  },
  { name: 'pool1', weights: [] },
];

test.each([false, true])('save_weights layout round-trips (model_weights group: %s)', async (modelWeights) => {
  const file = path.join(dir, `w-${modelWeights}.h5`);
  await writeKerasH5(file, layers, { modelWeights });
  const f = await readKerasH5(file);
  expect(f.format).toBe('keras2');
  expect(f.layout).toBe(modelWeights ? 'model' : 'weights');
  expect(f.layers.map((l) => l.name)).toEqual(['conv1/conv', 'conv1/bn', 'pool1']);
  expect(f.layers[0].weights[0]).toMatchObject({ name: 'conv1/conv/kernel:0', shape: [7, 7, 3, 4] });
  expect(Array.from(f.layers[0].weights[0].data)).toEqual(Array.from(kernel));
  expect(f.layers[1].weights.map((w) => w.name)).toEqual([
    'conv1/bn/gamma:0',
    'conv1/bn/beta:0',
    'conv1/bn/moving_mean:0',
    'conv1/bn/moving_variance:0',
  ]);
  expect(f.layers[2].weights).toEqual([]);
  expect(f.attrs.backend).toBe('tensorflow');
  // the exact on-disk layout Keras uses, read back with h5wasm's other (Node, file-system) build: datasets nested
  // under the layer group by weight path, names as fixed-length byte strings (Keras 2 calls .decode on them)
  const h5 = await loadH5wasm();
  const raw = new h5.File(file, 'r');
  const root = modelWeights ? raw.get('model_weights') : raw;
  expect(root.get('conv1/conv/conv1/conv/kernel:0').shape).toEqual([7, 7, 3, 4]);
  expect(root.attrs.layer_names.dtype).toBe('S10');
  expect(root.get('conv1/bn').attrs.weight_names.dtype).toBe('S26'); // 'conv1/bn/moving_variance:0';
  expect(raw.attrs.keras_version.dtype).toMatch(/^S/);
  raw.close();
});

test('a model.save() file: model_config parsed, optimizer_weights ignored, variable-length and split name lists', async () => {
  const h5 = await loadH5wasmInMemory();
  const bytes = await h5ToBytes((f) => {
    f.create_attribute('keras_version', '2.2.4', null, 'S5');
    f.create_attribute('backend', 'tensorflow', null, 'S10');
    f.create_attribute('model_config', JSON.stringify({ class_name: 'Model', config: { name: 'model_1' } }), null, 'S64');
    const mw = f.create_group('model_weights');
    // Keras splits name lists over 64 KB into layer_names0, layer_names1, ...; here as variable-length strings
    mw.create_attribute('layer_names0', ['input_1', 'conv1/conv'], [2], 'S');
    mw.create_attribute('layer_names1', ['up1_convA'], [1], 'S');
    mw.create_group('input_1').create_attribute('weight_names', new Float64Array(0), [0], '<f8'); // h5py's empty list
    const conv = mw.create_group('conv1').create_group('conv');
    conv.create_attribute('weight_names', ['conv1/conv/kernel:0'], [1], 'S');
    conv
      .create_group('conv1')
      .create_group('conv')
      .create_dataset({ name: 'kernel:0', data: kernel, shape: [7, 7, 3, 4], dtype: '<f4' });
    const up = mw.create_group('up1_convA');
    up.create_attribute('weight_names', ['up1_convA/kernel:0', 'up1_convA/bias:0'], [2], 'S18');
    const g = up.create_group('up1_convA');
    g.create_dataset({ name: 'kernel:0', data: new Float64Array(8).fill(0.25), shape: [1, 1, 2, 4], dtype: '<f8' });
    g.create_dataset({ name: 'bias:0', data: new Float32Array(4).fill(-1), shape: [4], dtype: '<f4' });
    const opt = f.create_group('optimizer_weights');
    opt.create_attribute('weight_names', ['training/Adam/iterations:0'], [1], 'S26');
    opt
      .create_group('training')
      .create_group('Adam')
      .create_dataset({ name: 'iterations:0', data: Int32Array.of(5), shape: [1], dtype: '<i4' });
  });
  expect(h5).toBeDefined();
  const r = await parseKerasH5(bytes, 'nyu-like.h5');
  expect(r.layout).toBe('model');
  expect(r.modelConfig).toEqual({ class_name: 'Model', config: { name: 'model_1' } });
  expect(r.attrs.keras_version).toBe('2.2.4');
  expect(r.layers.map((l) => [l.name, l.weights.map((w) => w.name)])).toEqual([
    ['input_1', []],
    ['conv1/conv', ['conv1/conv/kernel:0']],
    ['up1_convA', ['up1_convA/kernel:0', 'up1_convA/bias:0']],
  ]);
  expect(Array.from(r.layers[2].weights[0].data)).toEqual(new Array(8).fill(0.25)); // stored as float64
  expect(r.layers[2].weights[0].data).toBeInstanceOf(Float32Array);
});

test('reads the Keras 3 .weights.h5 layout (layers/<name>/vars/<i>)', async () => {
  const h5 = await loadH5wasm();
  const file = path.join(dir, 'k3.weights.h5');
  const f = new h5.File(file, 'w');
  const vars = f.create_group('layers').create_group('conv1_conv').create_group('vars');
  vars.create_dataset({ name: '0', data: kernel, shape: [7, 7, 3, 4], dtype: '<f4' });
  vars.create_dataset({ name: '1', data: new Float32Array(4).fill(2), shape: [4], dtype: '<f4' });
  f.close();
  const r = await readKerasH5(file);
  expect(r.format).toBe('keras3');
  expect(r.layers).toHaveLength(1);
  expect(r.layers[0].name).toBe('conv1_conv');
  expect(r.layers[0].weights.map((w) => w.shape)).toEqual([[7, 7, 3, 4], [4]]);
});

test('missing and corrupt files are clear errors', async () => {
  await expect(readKerasH5(path.join(dir, 'nope.h5'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  const junk = path.join(dir, 'junk.h5');
  fs.writeFileSync(junk, 'this is not hdf5');
  const err = await readKerasH5(junk).catch((e) => e);
  expect(err).toBeInstanceOf(DepthblocksError);
  expect(err.code).toBe('WEIGHTS_FORMAT');
  expect(err.message).toMatch(/junk\.h5/);
  // an HDF5 file that is not a Keras weight file
  const h5 = await loadH5wasm();
  const other = path.join(dir, 'other.h5');
  const f = new h5.File(other, 'w');
  f.create_dataset({ name: 'x', data: new Float32Array(2), shape: [2], dtype: '<f4' });
  f.close();
  await expect(readKerasH5(other)).rejects.toThrow(/not a Keras weight file/);
  // a layer listed without its group, a weight listed without its dataset
  const lying = await h5ToBytes((g) => {
    g.create_attribute('layer_names', ['conv1/conv', 'ghost'], [2], 'S10');
    g.create_group('conv1').create_group('conv').create_attribute('weight_names', ['conv1/conv/kernel:0'], [1], 'S19');
  });
  await expect(parseKerasH5(lying, 'lying.h5')).rejects.toThrow(/lying\.h5: layer 'conv1\/conv' lists weight 'conv1\/conv\/kernel:0'/);
});

test('a corrupt HDF5 file is one DepthblocksError and nothing on stderr (no HDF5-DIAG pages)', async () => {
  const bytes = await encodeKerasH5(layers, { layout: 'model' });
  const corrupt = new Uint8Array(bytes);
  corrupt.fill(7, 100, 600); // signature intact, superblock/object headers destroyed
  const file = path.join(dir, 'corrupt.h5');
  fs.writeFileSync(file, corrupt);
  // in this process: the error
  const err = await readKerasH5(file).catch((e) => e);
  expect(err).toBeInstanceOf(DepthblocksError);
  expect(err.code).toBe('WEIGHTS_FORMAT');
  expect(err.message).toMatch(/corrupt\.h5/);
  expect(err.message.split('\n')).toHaveLength(1);
  // in a fresh process: what a user sees on stderr (HDF5 prints its diagnostics from inside the wasm module)
  const root = path.resolve(__dirname, '../../..');
  const script = `require(${JSON.stringify(path.join(__dirname, '../src/weights/keras-h5-files.ts'))}).readKerasH5(process.argv[1])
    .then(() => console.log('read'), (e) => console.log(e.code))`;
  const r = spawnSync(process.execPath, ['-r', path.join(root, 'scripts/ts-hook.js'), '-e', script, file], { encoding: 'utf8' });
  expect(r.stdout.trim()).toBe('WEIGHTS_FORMAT');
  expect(r.stderr).toBe('');
});

test('the in-memory reader keeps working after rejecting files', async () => {
  const good = await encodeKerasH5(layers);
  const bad = new Uint8Array(good);
  bad.fill(0, 64, 200);
  for (let i = 0; i < 5; i++) await expect(parseKerasH5(bad)).rejects.toMatchObject({ code: 'WEIGHTS_FORMAT' });
  const r = await parseKerasH5(good);
  expect(Array.from(r.layers[0].weights[0].data)).toEqual(Array.from(kernel));
});

test('reads from bytes (as after a download)', async () => {
  const file = path.join(dir, 'bytes.h5');
  await writeKerasH5(file, layers);
  const r = await readKerasH5(new Uint8Array(fs.readFileSync(file)));
  expect(r.layers[0].weights[0].shape).toEqual([7, 7, 3, 4]);
});

test('encodeKerasH5 rejects duplicate layers and weights whose values do not fill their shape', async () => {
  await expect(encodeKerasH5([layers[2], layers[2]])).rejects.toThrow(/'pool1' appears twice/);
  await expect(
    encodeKerasH5([{ name: 'c', weights: [{ name: 'c/kernel:0', shape: [2, 3], data: new Float32Array(5) }] }]),
  ).rejects.toMatchObject({ code: 'SHAPE_MISMATCH' });
});
