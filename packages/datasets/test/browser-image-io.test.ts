/**
 * The portable image codecs in a real browser (headless Chromium, the backend package's harness): a JPEG decoded by
 * the browser (createImageBitmap + OffscreenCanvas) matches sharp's decoding, a 16-bit depth PNG gives exactly
 * sharp's metres, and a JPEG encoded in the page decodes back close to its pixels. The files are the real NYU frame
 * from ../shared/data/real when present, else a synthetic scene encoded by sharp. Skipped with a loud message where
 * no Chromium is installed, except under CI=true, where a missing browser fails.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleForBrowser, findChromium, runPage, serve } from '../../backend/test/browser/harness';
import { renderSyntheticSample } from '../src';
import { decodeDepthPng, decodeRgb, encodeDepthPng, encodeRgb } from '../src/node';

const chromium = findChromium();
if (!chromium) {
  const msg = 'browser image-io test: no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)';
  if (process.env.CI === 'true') test('a browser is installed (CI=true)', () => expect(msg).toBe('a Chromium'));
  else console.warn(`\n*** SKIPPED: ${msg} ***\n`);
}

type Result = {
  rgb: { width: number; height: number; data: number[] };
  depth: { width: number; height: number; bitDepth: number; data: number[] };
  grey: { bitDepth: number; first: number[] };
  jpeg: number[];
};

const real = path.resolve(__dirname, '../../../../shared/data/real/nyu');

(chromium ? test : test.skip)(
  'decodeRgb (JPEG), decodeDepthPng (16-bit) and encodeRgb (JPEG) in Chromium agree with sharp',
  async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-image-page-'));
    try {
      let jpg: Uint8Array;
      let png: Uint8Array;
      if (fs.existsSync(real)) {
        jpg = fs.readFileSync(path.join(real, 'bookstore_0001d_00001.jpg'));
        png = fs.readFileSync(path.join(real, 'bookstore_0001d_00001.png'));
      } else {
        const s = renderSyntheticSample(7, 160, 120);
        jpg = await encodeRgb(s.rgb, s.width, s.height, 'jpeg', 90);
        png = await encodeDepthPng(s.depth, s.width, s.height, 1 / 1000);
      }
      fs.writeFileSync(path.join(dir, 'rgb.jpg'), jpg);
      fs.writeFileSync(path.join(dir, 'depth.png'), png);
      await bundleForBrowser(path.join(__dirname, 'browser', 'page-image-io.ts'), path.join(dir, 'page.js'));
      fs.writeFileSync(
        path.join(dir, 'index.html'),
        '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script src="page.js"></script>',
      );
      const server = await serve(dir, false);
      let run;
      try {
        run = await runPage<Result>(chromium!, server.url, 60_000);
      } finally {
        await server.close();
      }
      expect(run.error).toBeUndefined();
      expect(run.consoleErrors).toEqual([]);
      const r = run.result!;

      const ref = await decodeRgb(jpg, 'rgb.jpg');
      expect([r.rgb.width, r.rgb.height]).toEqual([ref.width, ref.height]);
      let sum = 0;
      let max = 0;
      r.rgb.data.forEach((v, i) => {
        const d = Math.abs(v - ref.data[i]);
        sum += d;
        max = Math.max(max, d);
      });
      // two JPEG decoders (Chromium's, libvips') may differ by rounding in the IDCT and chroma up-sampling (both are
      // libjpeg-turbo here, and agree exactly on the real NYU frame)
      expect(sum / r.rgb.data.length).toBeLessThan(0.5);
      expect(max).toBeLessThanOrEqual(4);

      const refDepth = await decodeDepthPng(png, 1 / 1000, 'depth.png');
      expect([r.depth.width, r.depth.height, r.depth.bitDepth]).toEqual([refDepth.width, refDepth.height, 16]);
      expect(Float32Array.from(r.depth.data)).toEqual(refDepth.depth);
      expect(r.grey.bitDepth).toBe(8);
      expect(r.grey.first).toEqual(r.rgb.data.filter((_, i) => i % 3 === 0).slice(0, 16));

      const back = await decodeRgb(Uint8Array.from(r.jpeg), 'page.jpg');
      expect([back.width, back.height]).toEqual([ref.width, ref.height]);
      const err = back.data.reduce((s, v, i) => s + Math.abs(v - r.rgb.data[i]), 0) / back.data.length;
      expect(err).toBeLessThan(3); // quality 95
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
  120_000,
);
