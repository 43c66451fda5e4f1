import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, DepthblocksError } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { createDepthModel, saveDepthModel, loadDepthModel, fileIO, DepthModelSpec } from '../src/node';

let tmp: string;
beforeAll(async () => {
  await setupTestBackend();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-models-io-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const specs: [string, DepthModelSpec][] = [
  [
    'mobilenetv3 (OS 16, dilated) + LR-ASPP, resized to input, sigmoid',
    {
      encoder: { name: 'mobilenetv3_large', options: { outputStride: 16 } },
      decoder: { name: 'lraspp', options: { interChannels: 8, classes: 3 } },
      head: { activation: 'sigmoid', outputSize: 'input' },
      depth: { kind: 'unit', maxDepth: 10 },
      metadata: { note: 'io test' },
    },
  ],
  [
    'mobilenetv3 + U-Net++ (nearest resizes, batch norm)',
    { encoder: 'mobilenetv3_large', decoder: { name: 'unetplusplus', options: { channels: [16, 8, 8, 4, 4] } }, inputSize: [40, 56] },
  ],
];

describe('save / load round-trip through the tfjs format on disk', () => {
  for (const [what, spec] of specs) {
    test(`${what}: identical predictions and config`, async () => {
      const dm = createDepthModel(spec);
      const dir = path.join(tmp, dm.config.decoder.name);
      const x = tf.randomUniform([1, 40, 56, 3], 0, 1, 'float32', 11);
      // a training-mode step moves the batch-norm statistics away from their initial values
      const opt = tf.train.sgd(0.1);
      tf.dispose(opt.minimize(() => tf.mean(dm.model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar));
      opt.dispose();
      const before = dm.model.predict(x) as tf.Tensor;
      await saveDepthModel(dm, dir);
      expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
      expect(json.format).toBe('layers-model');
      expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
      expect(json.userDefinedMetadata.depthblocks).toEqual(dm.config);
      const loaded = await loadDepthModel(`file://${dir}`);
      expect(loaded.config).toEqual(dm.config);
      const after = loaded.model.predict(x) as tf.Tensor;
      expect(after.shape).toEqual(before.shape);
      expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
      expect(loaded.model.countParams()).toBe(dm.model.countParams());
      tf.dispose([x, before, after]);
      dm.model.dispose();
      loaded.model.dispose();
    });
  }

  test('missing, truncated and foreign files fail with clear errors', async () => {
    await expect(loadDepthModel(path.join(tmp, 'nope'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    const dir = path.join(tmp, 'lraspp');
    const bin = path.join(tmp, 'trunc');
    fs.mkdirSync(bin, { recursive: true });
    fs.copyFileSync(path.join(dir, 'model.json'), path.join(bin, 'model.json'));
    fs.writeFileSync(path.join(bin, 'weights.bin'), fs.readFileSync(path.join(dir, 'weights.bin')).subarray(0, 100));
    await expect(loadDepthModel(bin)).rejects.toThrow(/100 bytes but .* describes/);
    fs.writeFileSync(path.join(bin, 'model.json'), '{ not json');
    await expect(loadDepthModel(bin)).rejects.toMatchObject({ code: 'CORRUPT_FILE' });
    // a plain tfjs model without a depthblocks config
    const plain = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    const plainDir = path.join(tmp, 'plain');
    await plain.save(fileIO(plainDir));
    await expect(loadDepthModel(plainDir)).rejects.toThrow(DepthblocksError);
    const reloaded = await tf.loadLayersModel(fileIO(plainDir));
    expect(reloaded.countParams()).toBe(3);
    plain.dispose();
    reloaded.dispose();
  });
});
