/** The README's example, as written there (checkpoint directory in a temporary folder). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { mobilenetv3_large } from '@depthblocks/encoders';
import { createDepthModel, buildFromConfig, predict, saveDepthModel, loadDepthModel } from '../src/node';

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

test("README: DenseDepth's published weights in one call (an .h5 in nyu.h5's layout with known weights, at 64x96)", async () => {
  const { nyuH5Bytes } = await import('./fixtures/nyu-h5');
  const { rgb } = await import('./fixtures/known-values');
  const sharp = (await import('sharp')).default;
  const { readSafetensors } = await import('@depthblocks/core');
  const { decodeRgb } = await import('@depthblocks/datasets');
  const { buildPreset, denseDepth169, loadModelWeights, sampleToInput } = await import('../src/node');
  const file = path.join(tmp, 'nyu.h5');
  fs.writeFileSync(file, await nyuH5Bytes());
  const photo = path.join(tmp, 'photo.png');
  await sharp(Buffer.from(rgb('densedepth169/input', 64, 96)), { raw: { width: 96, height: 64, channels: 3 } })
    .png()
    .toFile(photo);
  // the README's recipe, at 64x96 instead of 480x640
  const dm = buildPreset(denseDepth169({ inputSize: [64, 96] }));
  await loadModelWeights(dm, file);
  const img = await decodeRgb(new Uint8Array(fs.readFileSync(photo)));
  const x = sampleToInput({ rgb: img.data, width: img.width, height: img.height }, { width: 96, height: 64 });
  const metres = predict(dm, x, { outputSize: 'input', flipTTA: true });
  expect(metres.shape).toEqual([1, 64, 96, 1]);
  // = DenseDepth's published model in PyTorch (fixtures/make_densedepth169_reference.py), flip TTA and scale_up
  const ref = readSafetensors(new Uint8Array(fs.readFileSync(path.join(__dirname, 'fixtures/densedepth169_reference.safetensors'))));
  const maxRelative = (got: ArrayLike<number>, name: string) => {
    const want = ref.tensors.get(name)!.data;
    expect(got.length).toBe(want.length);
    let m = 0;
    for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(got[i] - want[i]) / want[i]);
    return m;
  };
  const half = predict(dm, x);
  const full = predict(dm, x, { outputSize: 'input' });
  const errors = {
    tta: maxRelative(metres.dataSync(), 'metres_input_tta'),
    half: maxRelative(half.dataSync(), 'metres'),
    scaleUp: maxRelative(full.dataSync(), 'metres_input'),
    // the same weights in the 2020/TF2 code's architecture give other depth: the comparison tells them apart
    tf2: maxRelative(half.dataSync(), 'metres_tf2'),
  };
  console.log(`DenseDepth-169 as published, 64x96, max relative error in metres: ${JSON.stringify(errors)}`);
  expect(errors.tta).toBeLessThan(1e-3);
  expect(errors.half).toBeLessThan(1e-3);
  expect(errors.scaleUp).toBeLessThan(1e-3);
  expect(errors.tf2).toBeGreaterThan(0.1);
  tf.dispose([x, metres, half, full]);
  dm.model.dispose();
}, 300_000);
