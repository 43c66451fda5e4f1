/** @jest-environment ./scripts/jest-environment-onnx.js */
/** The README's ONNX example, as written there (the export folder in a temporary directory). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { createDepthModel, lrasppMobilenetV3, exportOnnx, writeOnnx, loadOnnxModel, predict } from '../src/node';
import { difference } from './onnx-helpers';

let tmp: string;
beforeAll(async () => {
  await setupTestBackend();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-readme-onnx-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('README ONNX example runs', async () => {
  const dm = createDepthModel(lrasppMobilenetV3());

  const exported = await exportOnnx(dm);
  writeOnnx(exported, path.join(tmp, 'exports/lraspp.onnx'));
  expect(fs.statSync(path.join(tmp, 'exports/lraspp.onnx')).size).toBe(exported.model.length);

  const onnx = await loadOnnxModel(exported, { threads: 1 });
  const rgb = tf.randomUniform([1, 200, 200, 3]) as tf.Tensor4D;
  const metres = await predict(onnx, rgb, { flipTTA: true });
  const once = await predict(dm, rgb, { runtime: 'onnx' });
  await onnx.release();

  const tfjs = predict(dm, rgb, { flipTTA: true });
  expect(metres.shape).toEqual([1, 200, 200, 1]);
  expect(difference(tfjs, metres).rel).toBeLessThan(1e-4);
  const plain = predict(dm, rgb);
  expect(difference(plain, once).rel).toBeLessThan(1e-4);
  tf.dispose([rgb, metres, once, tfjs, plain]);
  dm.model.dispose();
});
