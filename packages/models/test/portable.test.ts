/**
 * The portable (browser) entry of models: the trainer with a checkpoint store in memory and a log callback
 * (resume is exact, as with files), saving and loading through a tfjs IOHandler, and the depth images as bytes.
 */
import { decodePng, tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { decodeDepthPng } from '@depthblocks/datasets';
import {
  compareSvg,
  createDepthModel,
  depthImages,
  loadDepthModel,
  memoryCheckpoint,
  saveDepthModel,
  train,
  type TrainLogEntry,
} from '../src/index';
import { l1Loss, tinyModel, toyData, weightsOf } from './train/helpers';

beforeAll(async () => {
  await setupTestBackend();
});

test('train logs to a callback and resumes exactly from a checkpoint in memory: 2 + 3 steps equal 5', async () => {
  const options = {
    loss: l1Loss,
    data: toyData(2),
    epochs: 3,
    optimizer: { name: 'adamw' as const, lr: 0.01, weightDecay: 0.1 },
    progress: false,
  };
  const straight = tinyModel(5).model;
  await train({ ...options, model: straight, maxSteps: 5 });
  const store = memoryCheckpoint('in-memory');
  const log: TrainLogEntry[] = [];
  const a = tinyModel(5).model;
  const first = await train({ ...options, model: a, maxSteps: 2, checkpoint: store, onLog: (e) => log.push(e) });
  expect(first.checkpoint).toBe('in-memory');
  expect(store.bytes).not.toBeNull();
  expect(log.map((e) => [e.type, e.step])).toEqual([
    ['step', 1],
    ['step', 2],
  ]);
  const b = tinyModel(99).model; // other initial weights: everything must come from the store
  const before = tf.memory().numTensors;
  const res = await train({ ...options, model: b, maxSteps: 5, checkpoint: store, resume: true, onLog: (e) => log.push(e) });
  expect(tf.memory().numTensors).toBe(before);
  expect(res.steps).toBe(5);
  expect(log.map((e) => e.step)).toEqual([1, 2, 3, 4, 5]);
  expect(weightsOf(b)).toEqual(weightsOf(straight));
  [straight, a, b].forEach((m) => m.dispose());
});

test('saveDepthModel / loadDepthModel through an IOHandler: same config, same predictions', async () => {
  const dm = createDepthModel({
    encoder: 'mobilenetv3_large',
    decoder: { name: 'lraspp', options: { interChannels: 8 } },
    inputSize: [32, 32],
  });
  let saved: tf.io.ModelArtifacts | null = null;
  await saveDepthModel(
    dm,
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  expect(saved).not.toBeNull();
  const again = await loadDepthModel(tf.io.fromMemory(saved!));
  expect(again.config).toEqual(dm.config);
  const x = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 3);
  const [p, q] = [dm.model.predict(x) as tf.Tensor, again.model.predict(x) as tf.Tensor];
  expect(Array.from(q.dataSync())).toEqual(Array.from(p.dataSync()));
  const plain = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  let plainArtifacts: tf.io.ModelArtifacts | null = null;
  await plain.save(
    tf.io.withSaveHandler(
      async (a) => ((plainArtifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }),
    ),
  );
  await expect(loadDepthModel(tf.io.fromMemory(plainArtifacts!))).rejects.toMatchObject({ code: 'INVALID_DATA' });
  tf.dispose([x, p, q]);
  [dm.model, again.model, plain].forEach((m) => m.dispose());
});

test('depthImages: a 16-bit millimetre PNG that decodes back to the depth, and a colour PNG', async () => {
  const depth = Float32Array.from({ length: 12 }, (_, i) => (i === 5 ? 0 : 0.5 + i * 0.25));
  const images = await depthImages(depth, 4, 3);
  const back = await decodeDepthPng(images.depth, 1 / 1000);
  expect(back.bitDepth).toBe(16);
  expect(Array.from(back.depth).map((d) => Math.round(d * 1000))).toEqual(Array.from(depth).map((d) => Math.round(d * 1000)));
  expect(images.color.subarray(1, 4)).toEqual(new TextEncoder().encode('PNG'));
  expect(Object.keys(images).sort()).toEqual(['color', 'depth']);
});

test('compareSvg: the labelled comparison figure as SVG (no renderer needed), panels as embedded PNGs', async () => {
  const depth = Float32Array.from({ length: 12 }, (_, i) => 1 + i * 0.25);
  const rgb = { rgb: new Uint8Array(36).fill(200), width: 4, height: 3 };
  const fig = await compareSvg(depth, 4, 3, { rgb, groundTruth: { depth, width: 4, height: 3 } });
  expect(fig.layout.panels).toHaveLength(4); // RGB, prediction, ground truth, |pred - gt|
  for (const label of ['RGB', 'prediction', 'ground truth', 'depth (m)']) expect(fig.svg).toContain(`>${label}</text>`);
  const hrefs = [...fig.svg.matchAll(/ href="data:image\/png;base64,([^"]+)"/g)].map((m) => m[1]);
  expect(hrefs).toHaveLength(4);
  // the RGB panel decodes back to its grey at the display size
  const first = await decodePng(Uint8Array.from(atob(hrefs[0]), (c) => c.charCodeAt(0)));
  expect([first.width, first.height]).toEqual([fig.layout.panels[0].width, fig.layout.panels[0].height]);
  expect(Array.from(first.data.subarray(0, 3))).toEqual([200, 200, 200]);
  // one depth scale within the ground truth's values
  expect(fig.range[0]).toBeGreaterThanOrEqual(1);
  expect(fig.range[1]).toBeLessThanOrEqual(3.75);
  expect(fig.range[1]).toBeGreaterThan(fig.range[0]);
});
