/**
 * `npm run web:screenshots`: retakes examples/web/screenshots/ (the root README shows one). Builds the app, serves it
 * cross-origin isolated, and in headless Chromium (wasm, threads) trains the quickstart's model in the page, then
 * predicts a synthetic test scene with it (a photo of the kind it was trained on) and saves:
 *
 * - screenshots/train.png: the training section at the end (loss chart, quickstart table);
 * - screenshots/predict.png: the depth section (RGB, depth with colour bar, point cloud, backend and time).
 *
 * Options: --steps N (default 400), --backend B (default wasm), --out DIR.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { encodeRgb, renderSyntheticSample, syntheticSampleSeed } from '@depthblocks/datasets';
import { findChromium, openPage, serve } from '../../../packages/backend/test/browser/harness';

const appDir = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '400' },
      backend: { type: 'string', default: 'wasm' },
      out: { type: 'string', default: path.join(appDir, 'screenshots') },
    },
  });
  const chromium = findChromium();
  if (!chromium) throw new Error('no Chromium (apt-get install -y chromium, or set CHROMIUM_PATH)');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-shots-'));
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  execFileSync(process.execPath, [vite, 'build', '--outDir', path.join(work, 'dist'), '--logLevel', 'warn'], {
    cwd: appDir,
    stdio: 'inherit',
  });
  const server = await serve(path.join(work, 'dist'), true);
  const app = await openPage(chromium, `${server.url}?backend=${values.backend}`, 30 * 60_000, ['--window-size=1280,1000']);
  const { page } = app;
  try {
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.waitForFunction(() => !/starting/.test(document.getElementById('backend-status')!.textContent ?? ''));
    // train the quickstart's model in the page
    await page.click('[data-tab=train]');
    await page.fill('input[name=steps]', values.steps!);
    await page.click('#train-start');
    await page.waitForFunction(() => (window as any).depthblocksApp.state.summary || (window as any).depthblocksApp.state.errors.length);
    const errors = await page.evaluate(() => (window as any).depthblocksApp.state.errors);
    if (errors.length) throw new Error(`training failed: ${errors.join('; ')}`);
    fs.mkdirSync(values.out!, { recursive: true });
    await page.locator('#train-section').screenshot({ path: path.join(values.out!, 'train.png') });
    // a synthetic test scene (seed 2, as the quickstart's test set) at 4x the training size
    const sample = renderSyntheticSample(syntheticSampleSeed(2, 3), 256, 192);
    const photo = path.join(work, 'scene.png');
    fs.writeFileSync(photo, await encodeRgb(sample.rgb, sample.width, sample.height, 'png'));
    await page.check('#flip-tta');
    await page.setInputFiles('#photo-file', photo);
    await page.waitForFunction(() => !/predicting/.test(document.getElementById('predict-status')!.textContent ?? ''));
    await page.waitForTimeout(500); // the point cloud's first frame
    await page.locator('#depth-section').screenshot({ path: path.join(values.out!, 'predict.png') });
    if (app.consoleErrors.length) console.warn(`console errors: ${app.consoleErrors.join('\n')}`);
    console.log(`wrote ${path.join(values.out!, 'train.png')} and predict.png`);
  } finally {
    await app.close();
    await server.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
