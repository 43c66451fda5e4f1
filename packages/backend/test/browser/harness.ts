/**
 * A small harness for running code in headless Chromium: bundle a page script with esbuild (for the browser, from
 * the packages' TypeScript sources), serve it on 127.0.0.1 (optionally cross-origin isolated, so wasm threads are
 * allowed), open it with playwright-core, and collect what the page reports.
 *
 * The page script reports by setting `window.__result` (any JSON) or `window.__error` (a string). Browser tests of
 * other packages can reuse this: bundle their own page script, serve, run.
 */
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import type { AddressInfo } from 'net';

const root = path.resolve(__dirname, '../../../..');

/** Where a Chromium is: env CHROMIUM_PATH, else Debian's /usr/bin/chromium; null if none. */
export function findChromium(): string | null {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (p && fs.existsSync(p)) return p;
  }
  return null;
}

/**
 * The Chromium a browser test suite runs in, or null. Without one the suite should skip (`describe.skip`) and this
 * prints a loud message, except under CI=true, where it adds a failing test instead: CI must run the browser tests.
 *
 * @example
 * const chromium = chromiumForTests('web app tests');
 * (chromium ? describe : describe.skip)('the web app', () => { ... });
 */
export function chromiumForTests(suite: string): string | null {
  const chromium = findChromium();
  if (!chromium) {
    const msg = `${suite}: no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)`;
    if (process.env.CI === 'true') test('a browser is installed (CI=true)', () => expect(msg).toBe('a Chromium'));
    else console.warn(`\n*** SKIPPED: ${msg} ***\n`);
  }
  return chromium;
}

/** The flags the browser tests run Chromium with (no GPU, no network, no first-run UI). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** `@depthblocks/<pkg>` to the package's portable source (src/index.ts), as a browser bundler resolves it. */
export function sourceAliases(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pkg of fs.readdirSync(path.join(root, 'packages'))) {
    const src = path.join(root, 'packages', pkg, 'src', 'index.ts');
    if (fs.existsSync(src)) out[`@depthblocks/${pkg}`] = src;
  }
  return out;
}

/** Bundles `entry` for the browser; throws with esbuild's messages on any error. */
export async function bundleForBrowser(entry: string, outfile?: string): Promise<esbuild.BuildResult & { metafile: esbuild.Metafile }> {
  return esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    outfile: outfile ?? path.join(os.tmpdir(), 'depthblocks-bundle.js'),
    write: outfile != null,
    metafile: true,
    logLevel: 'silent',
    alias: sourceAliases(),
    absWorkingDir: root, // metafile paths relative to the repository, whichever folder the tests run from
  });
}

export interface Served {
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript', // onnxruntime-web's wasm glue (the web app's ONNX runtime)
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * Serves `dir` on 127.0.0.1 (a free port), plus tfjs-backend-wasm's .wasm files under /wasm/. `isolated` adds the
 * COOP/COEP headers that make the page cross-origin isolated (SharedArrayBuffer, wasm threads).
 */
export async function serve(dir: string, isolated: boolean): Promise<Served> {
  const wasmDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = url.pathname.startsWith('/wasm/')
      ? path.join(wasmDir, path.basename(url.pathname))
      : path.join(dir, url.pathname === '/' ? 'index.html' : path.normalize(url.pathname).replace(/^[/\\]+/, ''));
    if (!file.startsWith(dir) && !file.startsWith(wasmDir)) {
      res.writeHead(403).end();
      return;
    }
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404).end();
        return;
      }
      const headers: Record<string, string> = { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' };
      if (isolated) {
        headers['Cross-Origin-Opener-Policy'] = 'same-origin';
        headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      }
      res.writeHead(200, headers).end(data);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface PageRun<T> {
  result?: T;
  error?: string;
  /** console.error messages and uncaught page errors. */
  consoleErrors: string[];
}

/** A page in a fresh headless Chromium, with what it logged as errors. */
export interface OpenPage {
  page: import('playwright-core').Page;
  /** console.error messages and uncaught page errors so far. */
  consoleErrors: string[];
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/**
 * Opens `url` in a fresh headless Chromium (a new user-data dir, the flags of {@link CHROMIUM_ARGS} plus `extraArgs`)
 * and collects console errors; the caller drives the page (playwright's API) and closes it.
 *
 * @example
 * const { page, consoleErrors, close } = await openPage(chromium, server.url, 60_000);
 */
export async function openPage(chromium: string, url: string, timeoutMs: number, extraArgs: string[] = []): Promise<OpenPage> {
  const { chromium: launcher } = require('playwright-core') as typeof import('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-chromium-'));
  const context = await launcher.launchPersistentContext(userDataDir, {
    executablePath: chromium,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    headless: true,
    acceptDownloads: true,
  });
  const close = async (): Promise<void> => {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  const consoleErrors: string[] = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(timeoutMs);
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(url, { timeout: timeoutMs });
    return { page, consoleErrors, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Opens `url` in a fresh headless Chromium (a new user-data dir) and waits until the page sets `window.__result` or
 * `window.__error`, or `timeoutMs` passes.
 */
export async function runPage<T>(chromium: string, url: string, timeoutMs: number): Promise<PageRun<T>> {
  const { page, consoleErrors, close } = await openPage(chromium, url, timeoutMs);
  try {
    await page.waitForFunction(() => (window as any).__result !== undefined || (window as any).__error !== undefined, undefined, {
      timeout: timeoutMs,
    });
    const out = (await page.evaluate(() => ({ result: (window as any).__result, error: (window as any).__error }))) as {
      result?: T;
      error?: string;
    };
    return { ...out, consoleErrors };
  } finally {
    await close();
  }
}
