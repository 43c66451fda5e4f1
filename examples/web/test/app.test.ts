/**
 * The web app in headless Chromium (Debian's, driven by playwright-core), built as `npm run web` builds it and
 * served cross-origin isolated, as `npm run web` serves it:
 * - it loads with no console errors and starts wasm with threads;
 * - on wasm and on webgl, the depth of the real NYU frame with given weights (model.json + weights.bin picked in
 *   the page) equals Node's, computed by the same pipeline on the same bytes (relative 1e-4 on wasm, 1e-3 on webgl),
 *   the downloads (16-bit PNG in mm, PLY) hold that depth, and a webcam frame (Chromium's fake camera) is predicted;
 * - with runtime ONNX (the model exported by models' exportOnnx, run by onnxruntime-web on wasm), the NYU frame's depth
 *   equals Node's tfjs depth and the page's tfjs depth (relative 1e-4), and the status names ONNX Runtime;
 * - a Keras .h5 in DenseDepth's nyu.h5 layout loads into densedepth169 in the page and predicts what Node predicts;
 * - two training steps in the page on wasm, webgl and cpu equal Node's on the cpu backend (losses, weight updates);
 * - training in the page lowers the loss, pauses between steps, prints the quickstart's table, and the model it
 *   saves loads in Node and predicts what the page predicted.
 *
 * Skipped with a loud message without Chromium, except under CI=true (then a missing browser fails).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { setupBackend } from '@depthblocks/backend';
import { decodeDepthPng, decodeRgb, encodeRgb, renderSyntheticSample } from '@depthblocks/datasets';
import { buildPreset, createDepthModel, loadDepthModel, loadModelWeights, predictImage, saveDepthModel } from '@depthblocks/models';
import { chromiumForTests, openPage, serve, type OpenPage, type Served } from '../../../packages/backend/test/browser/harness';
import { tf } from '@depthblocks/core';
import type { TrainSettings, TrainSummary } from '../src/engine/protocol';
import { TrainingControl, trainInPage, trainingModelSpec } from '../src/engine/training';

const chromium = chromiumForTests('web app tests');
const maybe = chromium ? describe : describe.skip;
const appDir = path.resolve(__dirname, '..');
const NYU_FRAME = path.resolve(appDir, '../../../shared/data/real/nyu/bookstore_0001d_00001.jpg');
const haveFrame = fs.existsSync(NYU_FRAME);
if (!haveFrame) console.warn(`\n*** web app tests: ${NYU_FRAME} is absent; the real-frame comparisons are skipped ***\n`);
const withFrame = haveFrame ? test : test.skip;

/** max |a - b| / max |b|: the relative error of a depth map against a reference. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
}

/** max - min, without spreading a large array into arguments. */
const range = (v: ArrayLike<number>): number => {
  let [lo, hi] = [Infinity, -Infinity];
  for (let i = 0; i < v.length; i++) [lo, hi] = [Math.min(lo, v[i]), Math.max(hi, v[i])];
  return hi - lo;
};

type AppState = { prediction: { depth: Record<string, number>; width: number; height: number; backend: string } | null };

/** Waits until a status line has left its "…ing" state, and returns it. */
async function settled(page: OpenPage['page'], id: string, busy: RegExp): Promise<string> {
  await page.waitForFunction(([i, re]) => !new RegExp(re).test(document.getElementById(i)!.textContent ?? ''), [id, busy.source] as const);
  return (await page.textContent(`#${id}`)) ?? '';
}

/** The page's last prediction (depth as a plain array). */
async function pagePrediction(page: OpenPage['page']): Promise<{ depth: number[]; width: number; height: number; backend: string }> {
  return page.evaluate(() => {
    const p = (window as unknown as { depthblocksApp: { state: AppState } }).depthblocksApp.state.prediction!;
    return { depth: Array.from(Object.values(p.depth)), width: p.width, height: p.height, backend: p.backend };
  });
}

maybe('the web app in Chromium', () => {
  let work: string;
  let server: Served;
  let modelDir: string;
  let nodeDepth: Float32Array;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-web-'));
    const dist = path.join(work, 'dist');
    // the production build, as `npm run web` makes it
    const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
    execFileSync(process.execPath, [vite, 'build', '--outDir', dist, '--logLevel', 'warn'], {
      cwd: appDir,
      stdio: 'inherit',
    });
    server = await serve(dist, true);
    // given weights: a seeded LR-ASPP MobileNetV3 (dilated and depthwise convolutions, hard-swish, squeeze-excite)
    await setupBackend({ backend: 'wasm', threads: 1 });
    const dm = createDepthModel({
      name: 'web_test_lraspp',
      encoder: { name: 'mobilenetv3_large', options: { outputStride: 16, seed: 5 } },
      decoder: { name: 'lraspp', options: { interChannels: 128, seed: 5 } },
      head: { activation: 'sigmoid', outputSize: 'input' },
      depth: { kind: 'unit', maxDepth: 10 },
    });
    modelDir = path.join(work, 'model');
    await saveDepthModel(dm, modelDir);
    if (haveFrame) {
      const { data, width, height } = await decodeRgb(fs.readFileSync(NYU_FRAME), NYU_FRAME);
      nodeDepth = (await predictImage(dm, { rgb: data, width, height })).depth;
    }
    dm.model.dispose();
  }, 600_000);

  afterAll(async () => {
    await server?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** Opens the app on a backend and waits for the engine to start. */
  async function openApp(backend: string): Promise<OpenPage & { status: string }> {
    // a fake camera that needs no permission prompt, for the webcam check
    const app = await openPage(chromium!, `${server.url}?backend=${backend}`, 240_000, [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
    ]);
    try {
      return { ...app, status: await settled(app.page, 'backend-status', /starting/) };
    } catch (e) {
      await app.close();
      throw e;
    }
  }

  test('loads with no console errors; wasm runs with threads in the isolated page', async () => {
    const app = await openApp('wasm');
    try {
      expect(app.status).toMatch(/^wasm \(2 threads, SIMD\)/);
      // the presets arrive from the engine worker
      await app.page.waitForFunction(() => document.querySelectorAll('#preset option').length > 0);
      expect(await app.page.$$eval('#preset option', (os) => os.map((o) => (o as HTMLOptionElement).value))).toContain('densedepth169');
      expect(app.consoleErrors).toEqual([]);
    } finally {
      await app.close();
    }
  }, 300_000);

  describe.each([
    { backend: 'wasm', tolerance: 1e-4 },
    { backend: 'webgl', tolerance: 1e-3 },
  ])('$backend: the real NYU frame with given weights', ({ backend, tolerance }) => {
    withFrame(
      `equals Node's depth to ${tolerance}`,
      async () => {
        const app = await openApp(backend);
        try {
          expect(app.status.startsWith(backend)).toBe(true);
          await app.page.setInputFiles('#model-files', [path.join(modelDir, 'model.json'), path.join(modelDir, 'weights.bin')]);
          expect(await settled(app.page, 'model-status', /loading/)).toMatch(/^web_test_lraspp: mobilenetv3_large \+ lraspp/);
          await app.page.setInputFiles('#photo-file', NYU_FRAME);
          expect(await settled(app.page, 'predict-status', /predicting/)).toMatch(new RegExp(`^${backend}: \\d+ ms per prediction`));
          const p = await pagePrediction(app.page);
          expect([p.width, p.height, p.backend]).toEqual([160, 120, backend]);
          const err = relErr(p.depth, nodeDepth);
          expect(err).toBeLessThan(tolerance);
          // not vacuous: the depth varies over the frame
          expect(range(p.depth)).toBeGreaterThan(1e-3);
          if (backend === 'wasm') {
            // the 16-bit PNG download: millimetres of the page's depth
            const download = app.page.waitForEvent('download');
            await app.page.click('#download-png');
            const png = fs.readFileSync((await (await download).path())!);
            const mm = await decodeDepthPng(png, 1 / 1000, 'depth_mm.png');
            expect(relErr(mm.depth, p.depth)).toBeLessThan(1e-3);
            // the PLY download: one vertex a pixel, z = the page's depth
            const plyDownload = app.page.waitForEvent('download');
            await app.page.click('#download-ply');
            const ply = fs.readFileSync((await (await plyDownload).path())!);
            const headerEnd = ply.indexOf('end_header\n') + 'end_header\n'.length;
            expect(ply.subarray(0, headerEnd).toString()).toContain(`element vertex ${160 * 120}\n`);
            const z = Array.from({ length: 160 * 120 }, (_, i) => ply.readFloatLE(headerEnd + 15 * i + 8));
            expect(relErr(z, p.depth)).toBeLessThan(1e-6);
            // the webcam (Chromium's fake camera: a 640x480 test pattern): a captured frame is predicted
            await app.page.click('#webcam');
            await app.page.waitForSelector('#capture:not([hidden])');
            await app.page.waitForFunction(() => (document.getElementById('webcam-video') as HTMLVideoElement).videoWidth > 0);
            await app.page.click('#capture');
            await app.page.waitForFunction(() => (window as any).depthblocksApp.state.prediction?.width === 640);
            expect(await settled(app.page, 'predict-status', /predicting/)).toMatch(
              /^wasm: \d+ ms per prediction \(640x480 through the model/,
            );
          }
          expect(app.consoleErrors).toEqual([]);
        } finally {
          await app.close();
        }
      },
      600_000,
    );
  });

  withFrame(
    "runtime ONNX (onnxruntime-web, wasm): the real NYU frame equals Node's tfjs depth to 1e-4, and tfjs in the page",
    async () => {
      const app = await openApp('wasm');
      try {
        const { page } = app;
        await page.selectOption('#runtime', 'onnx-wasm');
        await page.setInputFiles('#model-files', [path.join(modelDir, 'model.json'), path.join(modelDir, 'weights.bin')]);
        expect(await settled(page, 'model-status', /loading/)).toMatch(/^web_test_lraspp: mobilenetv3_large \+ lraspp/);
        await page.setInputFiles('#photo-file', NYU_FRAME);
        expect(await settled(page, 'predict-status', /predicting/)).toMatch(
          /^ONNX Runtime Web 1\.30\.0 \(wasm, 2 threads; wasm asked for\): \d+ ms per prediction \(160x128 through the model/,
        );
        const onnx = await pagePrediction(page);
        expect([onnx.width, onnx.height]).toEqual([160, 120]);
        expect(relErr(onnx.depth, nodeDepth)).toBeLessThan(1e-4);
        expect(range(onnx.depth)).toBeGreaterThan(1e-3);
        // back to TensorFlow.js (the select re-predicts): the same depth, from the other runtime
        await page.selectOption('#runtime', 'tfjs');
        await page.waitForFunction(() => /^wasm: /.test(document.getElementById('predict-status')!.textContent ?? ''));
        const tfjs = await pagePrediction(page);
        expect(relErr(onnx.depth, tfjs.depth)).toBeLessThan(1e-4);
        expect(app.consoleErrors).toEqual([]);
      } finally {
        await app.close();
      }
    },
    600_000,
  );

  test('trains in the page: the loss falls, pause holds between steps, the table, and Node loads the model', async () => {
    const app = await openApp('wasm');
    try {
      const { page } = app;
      await page.selectOption('select[name=model]', 'tiny');
      await page.fill('input[name=steps]', '12');
      await page.click('#train-start');
      const state = () => page.evaluate(() => (window as any).depthblocksApp.state);
      await page.waitForFunction(() => (window as any).depthblocksApp.state.progress.length >= 2);
      await page.click('#train-pause');
      await page.waitForFunction(() => (window as any).depthblocksApp.state.pausedAt.length === 1);
      const pausedAt: number = (await state()).pausedAt[0];
      // stopped at the gate: no step runs until resumed (checked just before resuming; no timing involved)
      expect((await state()).progress.length).toBe(pausedAt);
      await page.click('#train-pause'); // Resume
      await page.waitForFunction(() => (window as any).depthblocksApp.state.summary || (window as any).depthblocksApp.state.errors.length);
      const s = await state();
      expect(s.errors).toEqual([]);
      const summary = s.summary as TrainSummary;
      const losses: number[] = s.progress.map((p: { loss: number }) => p.loss);
      expect(losses.length).toBe(12);
      expect(losses.slice(-3).reduce((a, b) => a + b) / 3).toBeLessThan(losses.slice(0, 3).reduce((a, b) => a + b) / 3);
      expect(Object.keys(summary.rows)).toEqual([
        expect.stringMatching(/^constant \d+\.\d\d m$/),
        'before training',
        'after training',
        'after training + flip TTA',
      ]);
      expect(summary.table.split('\n')[0]).toBe('| model | d1 | d2 | d3 | rel | rms | log10 |');
      expect(await page.$$eval('#metrics tr', (rows) => rows.length)).toBe(5);

      // save: model.json + weights.bin, the folder the Node CLI reads
      const saved = path.join(work, 'trained');
      fs.mkdirSync(saved);
      const both = new Promise<void>((resolve, reject) => {
        const saves: Promise<void>[] = [];
        page.on('download', (d) => {
          saves.push(d.saveAs(path.join(saved, d.suggestedFilename())));
          if (saves.length === 2) Promise.all(saves).then(() => resolve(), reject);
        });
      });
      await page.click('#save-model');
      await both;
      expect(fs.readdirSync(saved).sort()).toEqual(['model.json', 'weights.bin']);

      // the page predicts a synthetic scene with it; Node loads the files and predicts the same
      const scene = path.join(work, 'scene.png');
      const sample = renderSyntheticSample(7, 64, 48);
      fs.writeFileSync(scene, await encodeRgb(sample.rgb, 64, 48, 'png'));
      await page.setInputFiles('#photo-file', scene);
      await settled(page, 'predict-status', /predicting/);
      const p = await pagePrediction(page);
      const dm = await loadDepthModel(saved);
      const node = (await predictImage(dm, { rgb: sample.rgb, width: 64, height: 48 })).depth;
      dm.model.dispose();
      expect(relErr(p.depth, node)).toBeLessThan(1e-4);
      expect(app.consoleErrors).toEqual([]);
    } finally {
      await app.close();
    }
  }, 600_000);

  withFrame(
    "Keras .h5 in DenseDepth's nyu.h5 layout: loads into densedepth169 in the page and predicts what Node predicts",
    async () => {
      // an .h5 laid out as the published nyu.h5 (Keras 2.2.4 model.save(), 42.8 M known values), written by the models
      // package's fixture writer; Node loads it with loadModelWeights, the page with the same loader from bytes
      const { nyuH5Bytes } = await import('../../../packages/models/test/fixtures/nyu-h5');
      const h5 = path.join(work, 'nyu.h5');
      fs.writeFileSync(h5, await nyuH5Bytes());
      const dm = buildPreset('densedepth169', { inputSize: null });
      const report = await loadModelWeights(dm, h5);
      expect(report).toMatchObject({ format: 'keras-h5', scope: 'model', missing: [], unexpected: [] });
      const { data, width, height } = await decodeRgb(fs.readFileSync(NYU_FRAME), NYU_FRAME);
      const node = (await predictImage(dm, { rgb: data, width, height })).depth;
      dm.model.dispose();

      const app = await openApp('wasm');
      try {
        const { page } = app;
        await page.click('[data-tab=h5]');
        await page.waitForFunction(() => document.querySelectorAll('#h5-preset option').length > 0);
        await page.selectOption('#h5-preset', 'densedepth169');
        await page.setInputFiles('#h5-file', h5);
        expect(await settled(page, 'model-status', /loading/)).toMatch(
          /^densedepth169: densenet169 \+ densedepth, [\d,]+ parameters, any input size; from preset densedepth169 \+ nyu.h5\nweights of the whole model from nyu.h5 \(keras-h5\): \d+ tensors loaded/,
        );
        await page.setInputFiles('#photo-file', NYU_FRAME);
        expect(await settled(page, 'predict-status', /predicting/)).toMatch(/^wasm: \d+ ms per prediction \(160x128 through the model/);
        const p = await pagePrediction(page);
        expect(relErr(p.depth, node)).toBeLessThan(1e-4);
        expect(range(p.depth)).toBeGreaterThan(1e-3);
        expect(app.consoleErrors).toEqual([]);
      } finally {
        await app.close();
        fs.rmSync(h5, { force: true });
      }
    },
    600_000,
  );

  describe("two training steps in the page on each backend equal Node's on the cpu backend", () => {
    // the quickstart's loss (L1 + gradients + SSIM) and augmentation (flip, channel permutation) on a tiny U-Net, with
    // plain SGD: its update is lr times the gradient, so comparing updates compares the whole model's gradients.
    // (Adam divides by the gradient's magnitude: weights with a gradient near 0 get a full step whose size rounding
    // decides; the Adam kernel itself is checked against its formula in packages/backend/test/browser.test.ts.)
    const settings: TrainSettings = {
      model: 'tiny',
      width: 32, // small: tfjs' cpu kernels (the reference) take about 2 s a step here
      height: 32,
      batchSize: 2,
      steps: 2,
      lr: 0.05,
      optimizer: 'sgd',
      trainScenes: 8,
      testScenes: 2,
      seed: 1,
      evaluate: false, // the steps only
    };
    let reference: { losses: number[]; delta: Float32Array };

    /** The weights, flattened in the model's order. */
    const flat = (model: tf.LayersModel): Float32Array => {
      const parts = model.getWeights().map((w) => w.dataSync() as Float32Array);
      const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    };

    beforeAll(async () => {
      await setupBackend({ backend: 'cpu' });
      const initial = createDepthModel(trainingModelSpec(settings));
      const w0 = flat(initial.model);
      initial.model.dispose();
      const losses: number[] = [];
      const run = await trainInPage(settings, new TrainingControl(), { onStep: (p) => losses.push(p.loss), onChart: () => undefined });
      const w1 = flat(run.dm.model);
      run.dm.model.dispose();
      reference = { losses, delta: w1.map((v, i) => v - w0[i]) };
    }, 600_000);

    test.each([
      { backend: 'wasm', tolerance: 1e-4 },
      { backend: 'webgl', tolerance: 1e-3 },
      { backend: 'cpu', tolerance: 1e-4 },
    ])(
      '$backend: losses and weight updates to $tolerance',
      async ({ backend, tolerance }) => {
        const app = await openApp(backend);
        try {
          const out = await app.page.evaluate(async (s) => {
            const { engine, state } = (window as any).depthblocksApp;
            await engine.call('train', s);
            const [, weights] = await engine.call('saveModel', {});
            let bin = '';
            const b: Uint8Array = weights.bytes;
            for (let i = 0; i < b.length; i += 0x8000) bin += String.fromCharCode(...b.subarray(i, i + 0x8000));
            return { losses: state.progress.map((p: { loss: number }) => p.loss) as number[], weights: btoa(bin) };
          }, settings);
          expect(out.losses.length).toBe(2);
          out.losses.forEach((l, i) => expect(Math.abs(l - reference.losses[i]) / reference.losses[i]).toBeLessThan(tolerance));
          // the model's weights after the steps, in the order model.json lists them (the model's order)
          const bytes = Buffer.from(out.weights, 'base64');
          const w1 = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
          const initial = createDepthModel(trainingModelSpec(settings));
          const w0 = flat(initial.model);
          initial.model.dispose();
          expect(w1.length).toBe(w0.length);
          // the updates (w1 - w0 = -lr * the sum of two steps' gradients) against Node's cpu, relative to their largest
          expect(reference.delta.reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeGreaterThan(1e-4);
          expect(
            relErr(
              w1.map((v, i) => v - w0[i]),
              reference.delta,
            ),
          ).toBeLessThan(tolerance);
          expect(app.consoleErrors).toEqual([]);
        } finally {
          await app.close();
        }
      },
      600_000,
    );
  });
});
