/**
 * Training on each browser backend: in headless Chromium, every op depthblocks' models train through (convolutions
 * strided, dilated and depthwise, fused conv, batch norm in training, pooling, bilinear resizing in its three
 * samplings, concatenation, the activations, the loss terms' building blocks), forward and gradient, on webgl, wasm
 * and cpu, against the cpu backend (resizing: against the transpose of the forward kernel). webgl runs on
 * SwiftShader here (--disable-gpu), so the tensors are small.
 *
 * This is how webgl's needs were found: only ResizeBilinearGrad was wrong (it ignored halfPixelCenters, error 0.5),
 * and the `resizeBilinearGrad` patch now has a webgl kernel.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleForBrowser, chromiumForTests, runPage, serve } from './browser/harness';

const chromium = chromiumForTests('browser gradient tests');
const maybe = chromium ? describe : describe.skip;

type Result = Record<string, { info: { name: string; patches: string[] }; errors: Record<string, number | string> }>;

maybe('gradients on webgl, wasm and cpu in Chromium', () => {
  let dir: string;
  let result: Result;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-page-'));
    await bundleForBrowser(path.join(__dirname, 'browser', 'page-gradients.ts'), path.join(dir, 'page.js'));
    fs.writeFileSync(
      path.join(dir, 'index.html'),
      '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script src="page.js"></script>',
    );
    const server = await serve(dir, false);
    try {
      const run = await runPage<Result>(chromium!, `${server.url}?backends=webgl,wasm,cpu`, 240_000);
      expect(run.error).toBeUndefined();
      expect(run.consoleErrors).toEqual([]);
      result = run.result!;
    } finally {
      await server.close();
    }
  }, 300_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(['webgl', 'wasm', 'cpu'])('%s: forward and gradients equal the reference to 1e-5', (backend) => {
    const { info, errors } = result[backend];
    expect(info.name).toBe(backend);
    expect(Object.keys(errors).length).toBeGreaterThan(20);
    const bad = Object.entries(errors).filter(([, e]) => !(typeof e === 'number' && e < 1e-5));
    expect(bad).toEqual([]);
  });

  test('the webgl ResizeBilinearGrad kernel is installed', () => {
    expect(result.webgl.info.patches).toContain('webgl kernel:ResizeBilinearGrad');
  });
});
