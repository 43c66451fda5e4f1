/** The README's example, as written there (checkpoint directory in a temporary folder). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { mobilenetv3_large } from '@depthblocks/encoders';
import { createDepthModel, buildFromConfig, predict, saveDepthModel, loadDepthModel } from '../src';

let tmp: string;
beforeAll(async () => {
  await setupTestBackend();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-readme-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('README example runs', async () => {
  const dm = createDepthModel({
    encoder: mobilenetv3_large({ seed: 1 }),
    decoder: { name: 'unet', options: { channels: [64, 32, 16, 16, 8] } },
    head: { activation: 'sigmoid', outputSize: 'input' },
    inputSize: [120, 160],
    depth: { kind: 'unit', maxDepth: 10 },
  });
  expect(dm.config.encoder.options).toMatchObject({ seed: 1, outputStride: 32, preprocessing: 'imagenet' });
  const rgb = tf.randomUniform([1, 120, 160, 3]) as tf.Tensor4D;
  const metres = predict(dm, rgb, { flipTTA: true });
  expect(metres.shape).toEqual([1, 120, 160, 1]);
  const dir = path.join(tmp, 'checkpoints/unet-mnv3');
  await saveDepthModel(dm, dir);
  const again = await loadDepthModel(dir);
  const metres2 = predict(again, rgb, { flipTTA: true });
  expect(Array.from(metres2.dataSync())).toEqual(Array.from(metres.dataSync()));
  const fresh = buildFromConfig(JSON.parse(JSON.stringify(dm.config)));
  expect(fresh.model.countParams()).toBe(dm.model.countParams());
  tf.dispose([rgb, metres, metres2]);
  [dm, again, fresh].forEach((m) => m.model.dispose());
});
