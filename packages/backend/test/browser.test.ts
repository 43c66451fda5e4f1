/**
 * setupBackend in a real browser (headless Chromium through playwright-core): the portable entry point, bundled
 * from source with esbuild, starts wasm with the training kernels and the SIMD module (compiled asynchronously),
 * trains a few steps, and gives the cpu backend's gradients; one thread when the page is not cross-origin
 * isolated (with the reason), threads when it is. Skipped with a loud message where no Chromium is installed,
 * except under CI=true, where a missing browser fails.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleForBrowser, chromiumForTests, runPage, serve } from './browser/harness';

const chromium = chromiumForTests('browser tests');
const maybe = chromium ? describe : describe.skip;

type Result = {
  info: { name: string; threads: number; simd: boolean; reason: string; patches: string[] };
  used: string;
  adamErr: number | null;
  losses: number[];
  leaked: number;
  gradErr: number;
  skipped: { patch: string; reason: string }[];
  isolated: boolean;
};

maybe('setupBackend in Chromium', () => {
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-page-'));
    await bundleForBrowser(path.join(__dirname, 'browser', 'page-train.ts'), path.join(dir, 'page.js'));
    fs.writeFileSync(
      path.join(dir, 'index.html'),
      '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script src="page.js"></script>',
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    { isolated: false, threads: 1 },
    { isolated: true, threads: os.cpus().length }, // navigator.hardwareConcurrency
  ])(
    'wasm, cross-origin isolated: $isolated',
    async ({ isolated, threads }) => {
      const server = await serve(dir, isolated);
      try {
        const run = await runPage<Result>(chromium!, `${server.url}?backend=wasm`, 90_000);
        expect(run.error).toBeUndefined();
        expect(run.consoleErrors).toEqual([]);
        const r = run.result!;
        expect(r.isolated).toBe(isolated);
        expect(r.used).toBe('wasm');
        expect(r.info).toMatchObject({ name: 'wasm', simd: true });
        expect(r.info.threads).toBe(threads);
        if (!isolated) expect(r.info.reason).toMatch(/1 thread: the page is not cross-origin isolated/);
        expect(r.info.patches).toContain('wasm kernel:Conv2DBackpropFilter');
        // tfjs bundled as ES modules: tf.fused is read-only, so that one patch is skipped, saying why
        expect(r.skipped.map((s) => s.patch)).toEqual(['fusedConv']);
        expect(r.adamErr).not.toBeNull();
        expect(r.adamErr!).toBeLessThan(1e-6);
        expect(r.losses[2]).toBeLessThan(r.losses[0]);
        expect(r.leaked).toBe(0);
        expect(r.gradErr).toBeLessThan(1e-4);
      } finally {
        await server.close();
      }
    },
    120_000,
  );
});
