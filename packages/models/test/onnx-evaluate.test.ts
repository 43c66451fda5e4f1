/** @jest-environment ./scripts/jest-environment-onnx.js */
/**
 * Whole-dataset evaluation gives the same metrics on both runtimes (within 1e-5 on d1, abs rel and rmse) on the
 * real NYU and KITTI samples, with and without flip TTA, under each protocol; sharding and merging give exactly
 * the single run's metrics on ONNX Runtime too. Skipped, with a message, when shared/data/real is absent.
 */
import * as path from 'path';
import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { RgbdListDataset, type Dataset } from '@depthblocks/datasets';
import type { DepthMetrics, EvaluationResult } from '@depthblocks/metrics';
import {
  buildPreset,
  evaluate,
  exportOnnx,
  loadOnnxModel,
  lrasppMobilenetV3,
  mergeEvaluations,
  type DepthModel,
  type OnnxModel,
} from '../src';
import { NYU_RGB, REAL, realPresent } from './onnx-helpers';

if (!realPresent) console.warn(`SKIPPED: evaluation on both runtimes: ${REAL} is absent (shared/data/real not mounted)`);
const describeReal = realPresent ? describe : describe.skip;

const KITTI = path.join(REAL, 'kitti/raw/2011_09_26/2011_09_26_drive_0023_sync');
const nyu = (): Dataset =>
  new RgbdListDataset([{ id: 'bookstore_0001d_00001', rgbPath: NYU_RGB, depthPath: NYU_RGB.replace(/\.jpg$/, '.png') }], {
    name: 'nyu-real',
    depthScale: 1 / 1000,
  });
const kitti = (): Dataset =>
  new RgbdListDataset(
    [0, 1, 2, 3].map((i) => ({
      id: `000000000${i}`,
      rgbPath: path.join(KITTI, `image_02/data/000000000${i}.png`),
      depthPath: path.join(KITTI, `proj_depth/velodyne/image_02/000000000${i}.png`),
    })),
    { name: 'kitti-real', depthScale: 1 / 256 },
  );

const KEYS: (keyof DepthMetrics)[] = ['d1', 'absRel', 'rmse'];

function metrics(r: unknown): DepthMetrics {
  return (r as EvaluationResult).metrics;
}

describeReal('evaluation on tfjs and on ONNX Runtime', () => {
  let dm: DepthModel;
  let onnx: OnnxModel;
  beforeAll(async () => {
    await setupTestBackend();
    dm = buildPreset(lrasppMobilenetV3({ inputSize: null }));
    onnx = await loadOnnxModel(await exportOnnx(dm), { threads: 1 });
  });
  afterAll(async () => {
    await onnx?.release();
    dm?.model.dispose();
  });

  test.each([
    ['NYU (160x120), nyu-eigen', nyu, 'nyu-eigen', undefined, {}],
    ['NYU, nyu-densedepth', nyu, 'nyu-densedepth', undefined, {}],
    ['KITTI (4 frames at 96x320), kitti-eigen-garg', kitti, 'kitti-eigen-garg', { height: 96, width: 320 }, {}],
    ['KITTI, kitti-eigen-garg with median scaling', kitti, 'kitti-eigen-garg', { height: 96, width: 320 }, { medianScaling: true }],
  ] as const)(
    '%s: the same d1, abs rel and rmse (1e-5), with and without flip TTA',
    async (_name, data, protocol, inputSize, protocolOptions) => {
      const results: Record<string, DepthMetrics> = {};
      const start = tf.memory().numTensors;
      for (const flipTTA of [false, true]) {
        const options = { protocol, inputSize, protocolOptions, flipTTA };
        results[`tfjs ${flipTTA}`] = metrics((await evaluate(dm, data(), options)).result);
        results[`onnx ${flipTTA}`] = metrics((await evaluate(onnx, data(), options)).result);
      }
      expect(tf.memory().numTensors).toBe(start);
      for (const flip of [false, true]) {
        for (const k of KEYS) expect(Math.abs(results[`tfjs ${flip}`][k] - results[`onnx ${flip}`][k])).toBeLessThanOrEqual(1e-5);
      }
      // flip TTA changes the metrics (so the check above compares two different computations)
      expect(results['tfjs true'].absRel).not.toBe(results['tfjs false'].absRel);
    },
  );

  test("runtime: 'onnx' on a DepthModel exports and opens it for the run; shards merge to the single run exactly", async () => {
    const options = { protocol: 'kitti-eigen-garg' as const, inputSize: { height: 96, width: 320 }, flipTTA: true };
    const single = await evaluate(dm, kitti(), { ...options, runtime: 'onnx', onnx: { threads: 1 } });
    const viaSession = await evaluate(onnx, kitti(), options);
    expect(single.result).toEqual(viaSession.result);
    const shards = [];
    for (let i = 0; i < 3; i++) shards.push((await evaluate(onnx, kitti(), { ...options, shard: [i, 3] })).state);
    expect(mergeEvaluations(shards.map((s) => JSON.stringify(s)))).toEqual(single.result);
  });
});
