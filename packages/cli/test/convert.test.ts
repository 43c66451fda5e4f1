/** depthblocks convert, and --weights on predict: small models (the published DenseDepth is in published-densedepth.test.ts). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { setupTestBackend } from '@depthblocks/backend';
import { tf } from '@depthblocks/core';
import { encodeRgb } from '@depthblocks/datasets';
import {
  buildPreset,
  createDepthModel,
  loadDepthModel,
  lrasppMobilenetV3,
  modelWeights,
  saveDepthModel,
  saveModelWeights,
} from '@depthblocks/models';
import { main } from '../src';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-convert-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await setupTestBackend();
});

async function quiet<T>(f: () => Promise<T>): Promise<T> {
  const e = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return await f();
  } finally {
    e.mockRestore();
  }
}

/** The test backend (wasm, one thread): the CLI would otherwise set up its default and drop this test's tensors. */
const backend = ['--backend', 'wasm', '--threads', '1'];

const sameOutputs = (a: tf.LayersModel, b: tf.LayersModel, x: tf.Tensor) => {
  const [ya, yb] = [a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor];
  expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
  tf.dispose([ya, yb]);
};

test('convert --preset NAME --weights FILE --size WxH --output DIR writes a tfjs model with those weights', async () => {
  const config = lrasppMobilenetV3({ inputSize: [64, 64], decoderOptions: { seed: 5 } });
  const source = buildPreset(config);
  modelWeights(source.model).forEach((w, i) => w.variable.write(tf.randomUniform(w.variable.shape, 0.1, 0.9, 'float32', i)));
  const weights = path.join(dir, 'lraspp.safetensors');
  await saveModelWeights(source, weights);
  const out = path.join(dir, 'lraspp-model');
  const code = await quiet(() =>
    main(['convert', '--preset', 'lraspp_mobilenetv3', '--weights', weights, '--size', '64x64', '--output', out, ...backend]),
  );
  expect(code).toBe(0);
  expect(fs.readdirSync(out).sort()).toEqual(['model.json', 'weights.bin']);
  const loaded = await loadDepthModel(out);
  expect(loaded.config.input).toMatchObject({ height: 64, width: 64 });
  const x = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 2);
  sameOutputs(source.model, loaded.model, x);
  // and back: a saved model folder -> a Keras .h5 -> --weights of predict
  const h5 = path.join(dir, 'lraspp.h5');
  expect(await quiet(() => main(['convert', '--model', out, '--output', h5, ...backend]))).toBe(0);
  const fresh = createDepthModel(config);
  const png = path.join(dir, 'img.png');
  fs.writeFileSync(png, await encodeRgb(new Uint8Array(64 * 64 * 3).fill(128), 64, 64));
  await saveDepthModel(fresh, path.join(dir, 'random-model'));
  const preds = path.join(dir, 'preds');
  expect(
    await quiet(() =>
      main(['predict', '--model', path.join(dir, 'random-model'), '--weights', h5, '--no-tta', '--output', preds, png, ...backend]),
    ),
  ).toBe(0);
  expect(fs.existsSync(path.join(preds, 'img_depth.png'))).toBe(true);
  tf.dispose(x);
  source.model.dispose();
  loaded.model.dispose();
  fresh.model.dispose();
});

/** main()'s exit status and what it printed on stderr. */
async function usage(args: string[]): Promise<[number, string]> {
  const err = jest.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const code = await main(args);
    return [code, err.mock.calls.map((c) => c.join(' ')).join('\n')];
  } finally {
    err.mockRestore();
  }
}

test('usage errors name what is missing', async () => {
  // usage errors (exit 2, printed with the command's --help pointer), as every flag problem is
  expect(await usage(['convert', '--preset', 'densedepth169', '--weights', 'nyu.h5'])).toEqual([
    2,
    expect.stringMatching(/convert needs --output/),
  ]);
  expect(await usage(['convert', '--preset', 'densedepth169', '--output', 'x'])).toEqual([
    2,
    expect.stringMatching(/--weights FILE with --preset NAME/),
  ]);
  expect(await usage(['predict', '--preset', 'densedepth169', 'a.png'])).toEqual([2, expect.stringMatching(/needs --weights FILE/)]);
  expect(await usage(['predict', 'a.png'])).toEqual([2, expect.stringMatching(/--preset NAME --weights FILE/)]);
  // an unknown preset is a usage error (exit 2) with a did-you-mean, from the flag's schema
  expect(await usage(['convert', '--preset', 'densedepth9', '--weights', 'nyu.h5', '--output', 'x'])).toEqual([
    2,
    expect.stringMatching(/unknown preset "densedepth9" \(did you mean "densedepth169"\?\)/),
  ]);
  await expect(
    quiet(() => main(['convert', '--preset', 'lraspp_mobilenetv3', '--weights', path.join(dir, 'none.h5'), '--output', 'x'])),
  ).rejects.toMatchObject({
    code: 'FILE_NOT_FOUND',
  });
});
