/**
 * Big photos: the working resolution, area downscaling, the forward-pass memory estimate that refuses a pass
 * wasm cannot hold (OUT_OF_MEMORY instead of a hang), and predictImage (whole image and tiles) at the photo's size.
 */
import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import {
  checkForwardMemory,
  createDepthModel,
  estimateForwardMemory,
  evaluate,
  predict,
  predictImage,
  resizeRgbToUnit,
  workingSize,
  WASM_HEAP_LIMIT,
  WASM_PASS_BUDGET,
} from '../src';

beforeAll(async () => {
  await setupTestBackend();
});

const spec = (inputSize: [number, number] | null) => ({
  encoder: { name: 'resnet18', options: { seed: 1 } },
  decoder: { name: 'unet', options: { channels: [16, 8, 8, 4, 4], seed: 1 } },
  head: { activation: 'relu' as const, outputSize: 'input' as const },
  inputSize,
  depth: { kind: 'none' as const },
});

test('working size: the fixed input, else the training size long side, else 640; rounded to 32; --size checked', () => {
  const free = createDepthModel(spec(null));
  const fixed = createDepthModel(spec([48, 64]));
  expect(workingSize(fixed.config, { width: 4000, height: 3000 })).toEqual([48, 64]);
  expect(workingSize(free.config, { width: 4000, height: 3000 })).toEqual([480, 640]);
  expect(workingSize(free.config, { width: 4000, height: 3000 }, { maxSize: 320 })).toEqual([256, 320]);
  expect(workingSize(free.config, { width: 300, height: 200 })).toEqual([192, 288]); // never enlarged, multiples of 32
  expect(workingSize(free.config, { width: 4000, height: 3000 }, { size: [100, 200] })).toEqual([100, 200]);
  const trained = { ...free.config, metadata: { trainingInputSize: [48, 64] } };
  expect(workingSize(trained, { width: 4000, height: 3000 })).toEqual([64, 64]);
  expect(() => workingSize(fixed.config, { width: 4000, height: 3000 }, { size: [96, 128] })).toThrow(/takes 64x48 images/);
  [free, fixed].forEach((m) => m.model.dispose());
});

test('area downscaling averages every source pixel (a 4x shrink of a 2x2 checker of 8x8 blocks is exact)', () => {
  const w = 16;
  const h = 8;
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgb.fill((x + y) % 2 ? 255 : 0, (y * w + x) * 3, (y * w + x) * 3 + 3);
  const out = resizeRgbToUnit(rgb, w, h, 4, 2); // each output averages a 4x4 checker: exactly 0.5
  out.forEach((v) => expect(v).toBeCloseTo(0.5, 6));
  const up = resizeRgbToUnit(Uint8Array.of(0, 0, 0, 255, 255, 255), 2, 1, 4, 1); // bilinear, half-pixel centres
  expect(Array.from(up.filter((_, i) => i % 3 === 0)).map((v) => Number(v.toFixed(4)))).toEqual([0, 0.25, 0.75, 1]);
});

test('the memory estimate grows with the pixels and refuses a 4000x3000 pass on wasm before it starts', () => {
  const dm = createDepthModel(spec(null));
  const { model } = dm;
  const small = estimateForwardMemory(model, [1, 96, 128, 3]);
  const big = estimateForwardMemory(model, [1, 192, 256, 3]);
  expect(big.activations / small.activations).toBeGreaterThan(3.5);
  expect(big.activations / small.activations).toBeLessThan(4.5);
  // the first convolution's output alone is 64 x 1500 x 2000 floats = 768 MB; the estimate is at least that
  const photo = estimateForwardMemory(model, [1, 3000, 4000, 3]);
  expect(photo.bytes).toBeGreaterThan(768e6);
  // over the wasm budget, so predict below refuses before running (it never starts the 2.5 GB pass)
  expect(photo.bytes).toBeGreaterThan(WASM_PASS_BUDGET);
  expect(estimateForwardMemory(model, [1, 1500, 2000, 3]).bytes).toBeLessThan(WASM_PASS_BUDGET / 2);
  expect(() => checkForwardMemory(model, [1, 3000, 4000, 3], { limit: 1e9 })).toThrow(/needs about .* GB/);
  if (tf.getBackend() === 'wasm') {
    const before = tf.memory().numTensors;
    const x = tf.zeros([1, 3000, 4000, 3]) as tf.Tensor4D;
    expect(() => predict(dm, x)).toThrow(/OUT_OF_MEMORY|wasm is limited to 4 GB/);
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(WASM_HEAP_LIMIT).toBe(4 * 1024 ** 3);
  }
  model.dispose();
});

test('predictImage: depth at the photo size from the working resolution, and by blended tiles', async () => {
  const dm = createDepthModel(spec(null));
  const W = 150;
  const H = 100;
  const rgb = new Uint8Array(W * H * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37) % 251;
  const before = tf.memory().numTensors;
  const whole = await predictImage(dm, { rgb, width: W, height: H }, { maxSize: 64 });
  expect([whole.width, whole.height, whole.depth.length, whole.tiles]).toEqual([W, H, W * H, 1]);
  expect(whole.workingSize).toEqual([32, 64]);
  const tiled = await predictImage(dm, { rgb, width: W, height: H }, { maxSize: 64, tile: true });
  expect(tiled.tiles).toBeGreaterThan(4);
  expect(tiled.depth.length).toBe(W * H);
  expect(tiled.depth.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
  expect(tf.memory().numTensors).toBe(before);
  // evaluate() takes the same working resolution with maxSize, and skips unreadable samples when asked
  const ds = {
    name: 'two',
    length: 2,
    ids: ['ok', 'bad'],
    get: async (i: number) => {
      if (i === 1) throw new (await import('@depthblocks/core')).DepthblocksError('CORRUPT_FILE', 'bad.png is truncated');
      return { id: 'ok', rgb, depth: new Float32Array(W * H).fill(2), width: W, height: H };
    },
    [Symbol.asyncIterator]: undefined as never,
  };
  const ev = await evaluate(dm, ds as never, { protocol: 'nyu-eigen', maxSize: 64, onError: 'skip' });
  expect(ev.samples).toBe(1);
  expect(ev.skipped).toEqual([{ index: 1, id: 'bad', message: 'bad.png is truncated' }]);
  await expect(evaluate(dm, ds as never, { protocol: 'nyu-eigen', maxSize: 64 })).rejects.toThrow(/truncated/);
  dm.model.dispose();
});
