/**
 * Keras .h5 from bytes in a real browser (headless Chromium, through @depthblocks/backend's test harness): core's
 * portable entry point bundled with esbuild for the browser writes and reads an .h5 with h5wasm's in-memory build
 * and rejects a corrupt one with one WEIGHTS_FORMAT error and nothing on the console. Skipped with a loud message
 * where no Chromium is installed, except under CI=true.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleForBrowser, findChromium, runPage, serve } from '../../backend/test/browser/harness';

const chromium = findChromium();
if (!chromium) {
  const msg = 'browser tests: no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)';
  if (process.env.CI === 'true') test('a browser is installed (CI=true)', () => expect(msg).toBe('a Chromium'));
  else console.warn(`\n*** SKIPPED: ${msg} ***\n`);
}
const maybe = chromium ? test : test.skip;

maybe(
  'parseKerasH5 / encodeKerasH5 in Chromium: model.save() layout round trip, corrupt file rejected quietly',
  async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-h5-page-'));
    try {
      await bundleForBrowser(path.join(__dirname, 'browser', 'page-keras-h5.ts'), path.join(dir, 'page.js'));
      fs.writeFileSync(
        path.join(dir, 'index.html'),
        '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script src="page.js"></script>',
      );
      const server = await serve(dir, false);
      try {
        const run = await runPage<{
          layout: string;
          names: [string, string[]][];
          same: boolean;
          modelConfig: unknown;
          error: { code: string; lines: number; message: string };
        }>(chromium!, server.url, 90_000);
        expect(run.error).toBeUndefined();
        expect(run.consoleErrors).toEqual([]); // no HDF5-DIAG pages printed through console.error
        expect(run.result).toMatchObject({
          layout: 'model',
          names: [
            ['input_1', []],
            ['conv1/conv', ['conv1/conv/kernel:0']],
          ],
          same: true,
          modelConfig: { class_name: 'Model', config: { layers: [] } },
          error: { code: 'WEIGHTS_FORMAT', lines: 1 },
        });
        expect(run.result!.error.message).toMatch(/corrupt\.h5/);
      } finally {
        await server.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
  180_000,
);
