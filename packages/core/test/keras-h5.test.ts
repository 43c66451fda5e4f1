import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DepthblocksError, loadH5wasm, readKerasH5, writeKerasH5 } from '../src/node';

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
  // the exact on-disk layout Keras uses: datasets nested under the layer group by weight path
  const h5 = await loadH5wasm();
  const raw = new h5.File(file, 'r');
  const root = modelWeights ? raw.get('model_weights') : raw;
  expect(root.get('conv1/conv/conv1/conv/kernel:0').shape).toEqual([7, 7, 3, 4]);
  raw.close();
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
});

test('reads from bytes (as after a download)', async () => {
  const file = path.join(dir, 'bytes.h5');
  await writeKerasH5(file, layers);
  const r = await readKerasH5(new Uint8Array(fs.readFileSync(file)));
  expect(r.layers[0].weights[0].shape).toEqual([7, 7, 3, 4]);
});
