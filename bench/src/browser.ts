/**
 * `npm run bench:browser`: the web app's numbers in headless Chromium (Debian's, through playwright-core).
 *
 * - Inference time per backend (wasm 1 thread, wasm with threads, webgl, webgpu where Chromium gives an adapter)
 *   for DenseDepth-169 at 240x320 and LR-ASPP MobileNetV3 at 200x200: the app's own predict request (in its engine
 *   worker: the model, the resize of its output to the photo, reading the depth back), timed by the app.
 * - The app's bundle, gzipped: what the first paint loads, and what comes later (model code, wasm, three.js).
 *
 * The app is built with vite (as `npm run web`) and served by vite's preview server (COOP/COEP: wasm threads).
 * Writes bench/browser-results.json and the "In the browser" section of bench/BENCHMARKS.md.
 *
 *   npm run bench:browser                          (all configurations; about 20 minutes on 2 cores)
 *   node bench/dist/browser.js --only wasm-1,wasm-n --reps 5
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { parseArgs } from 'util';
import { browserSection, writeBrowserSection, type BrowserResults, type BundleFile, type InferenceRow } from './report-browser';

const BENCH_DIR = path.resolve(__dirname, '..');
const APP_DIR = path.resolve(BENCH_DIR, '../examples/web');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The configurations: a backend, wasm's thread count, and extra Chromium flags. */
const CONFIGS: Record<string, { backend: string; threads?: number; args?: string[]; label: string }> = {
  'wasm-1': { backend: 'wasm', threads: 1, label: 'wasm, 1 thread' },
  'wasm-n': { backend: 'wasm', threads: os.cpus().length, label: `wasm, ${os.cpus().length} threads` },
  webgl: { backend: 'webgl', label: 'webgl (SwiftShader: software GL, --disable-gpu)' },
  webgpu: { backend: 'webgpu', args: ['--enable-unsafe-webgpu'], label: 'webgpu (SwiftShader adapter, --enable-unsafe-webgpu)' },
};

const MODELS = [
  { preset: 'densedepth169', width: 320, height: 240 },
  { preset: 'lraspp_mobilenetv3', width: 200, height: 200 },
];

function log(msg: string): void {
  process.stderr.write(`[bench:browser ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The built app's files, gzipped, split into what the first paint loads and what is fetched later. */
function bundleFiles(dist: string): BundleFile[] {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const out: BundleFile[] = [];
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      if (fs.statSync(file).isDirectory()) walk(file);
      else {
        const rel = path.relative(dist, file).split(path.sep).join('/');
        const bytes = fs.readFileSync(file);
        const initial = rel === 'index.html' || html.includes(`./${rel}`);
        const text = rel.endsWith('.js') ? bytes.toString('latin1') : '';
        const hint =
          (text.match(/webgpu/g) ?? []).length > 50 && !/worker/.test(rel)
            ? 'webgpu'
            : /IHDR/.test(text) && text.length < 200_000
              ? 'png'
              : undefined;
        out.push({ file: rel, bytes: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length, initial, hint });
      }
    }
  };
  walk(dist);
  return out.sort((a, b) => Number(b.initial) - Number(a.initial) || b.gzip - a.gzip);
}

async function measure(url: string, chromium: string, key: string, reps: number, warmup: number, capS: number): Promise<InferenceRow[]> {
  const { chromium: launcher } = require('playwright-core') as typeof import('playwright-core');
  const cfg = CONFIGS[key];
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-bench-chromium-'));
  const context = await launcher.launchPersistentContext(profile, {
    executablePath: chromium,
    args: [...CHROMIUM_ARGS, ...(cfg.args ?? [])],
  });
  const rows: InferenceRow[] = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30 * 60_000);
    await page.goto(`${url}?backend=${cfg.backend}${cfg.threads ? `&threads=${cfg.threads}` : ''}`);
    await page.waitForFunction(() => !/starting/.test(document.getElementById('backend-status')!.textContent ?? ''));
    const status = (await page.textContent('#backend-status')) ?? '';
    log(`${key}: ${status}`);
    const info = await page.evaluate(() => (window as any).depthblocksApp.state.info);
    for (const m of MODELS) {
      const row: InferenceRow = {
        config: key,
        label: cfg.label,
        backend: info?.backend ?? '?',
        threads: info?.threads ?? 0,
        ...m,
        ms: [],
        note: '',
      };
      rows.push(row);
      if (!info || info.backend !== cfg.backend) {
        row.note = `backend not available: ${status}`;
        continue;
      }
      try {
        // timed in the worker by the app; the page only sends the pixels and collects the numbers
        const times = await page.evaluate(
          async ({ preset, width, height, reps, warmup, capS }) => {
            const { engine } = (window as any).depthblocksApp;
            await engine.call('loadPreset', { preset, inputSize: [height, width] });
            const rgb = new Uint8Array(width * height * 3);
            for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 2654435761) >>> 24; // a fixed pattern (content does not change the cost)
            const ms: number[] = [];
            for (let i = 0; i < warmup + reps; i++) {
              const p = await engine.call('predict', { image: { rgb, width, height }, flipTTA: false });
              if (i >= warmup) ms.push(p.ms);
              if (i === 0 && p.ms > capS * 1000) return { ms: [p.ms], capped: true }; // too slow to repeat: the first run, said so
            }
            return { ms, capped: false };
          },
          { ...m, reps, warmup, capS },
        );
        row.ms = times.ms;
        if (times.capped) row.note = `one run only (the first took over ${capS} s; it includes compiling the kernels)`;
        log(
          `${key} ${m.preset} ${m.height}x${m.width}: median ${median(row.ms).toFixed(0)} ms of [${row.ms.map((t) => t.toFixed(0)).join(', ')}]`,
        );
      } catch (e) {
        row.note = `failed: ${String((e as Error).message ?? e).split('\n')[0]}`;
        log(`${key} ${m.preset}: ${row.note}`);
      }
    }
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  return rows;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      reps: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '1' },
      'cap-seconds': { type: 'string', default: '120' },
      chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
      out: { type: 'string', default: BENCH_DIR },
    },
  });
  const keys = values.only ? values.only.split(',') : Object.keys(CONFIGS);
  for (const k of keys) if (!CONFIGS[k]) throw new Error(`--only: unknown configuration '${k}' (${Object.keys(CONFIGS).join(', ')})`);
  if (!fs.existsSync(values.chromium!))
    throw new Error(`no Chromium at ${values.chromium} (apt-get install -y chromium, or --chromium PATH)`);
  const t0 = Date.now();
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-web-bench-'));
  log('building the app (vite)');
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  execFileSync(process.execPath, [vite, 'build', '--outDir', dist, '--logLevel', 'warn'], { cwd: APP_DIR, stdio: 'inherit' });
  const bundle = bundleFiles(dist);
  const { preview } = (await import('vite')) as typeof import('vite', { with: { 'resolution-mode': 'import' } });
  const server = await preview({
    root: APP_DIR,
    configFile: path.join(APP_DIR, 'vite.config.mts'),
    build: { outDir: dist },
    preview: { port: 0 },
    logLevel: 'warn',
  });
  const url = server.resolvedUrls?.local[0] ?? 'http://127.0.0.1:4173/';
  const load = os.loadavg().map((l) => l.toFixed(2));
  const inference: InferenceRow[] = [];
  try {
    for (const key of keys)
      inference.push(
        ...(await measure(url, values.chromium!, key, Number(values.reps), Number(values.warmup), Number(values['cap-seconds']))),
      );
  } finally {
    await server.close();
    fs.rmSync(dist, { recursive: true, force: true });
  }
  const chromiumVersion = execFileSync(values.chromium!, ['--version']).toString().trim();
  const results: BrowserResults = {
    date: new Date().toISOString(),
    wallS: (Date.now() - t0) / 1000,
    chromium: chromiumVersion,
    cores: os.cpus().length,
    loadStart: load.join(' / '),
    loadEnd: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' / '),
    reps: Number(values.reps),
    warmup: Number(values.warmup),
    inference,
    bundle,
  };
  const out = values.out!;
  fs.writeFileSync(path.join(out, 'browser-results.json'), JSON.stringify(results, null, 1) + '\n');
  const mdFile = path.join(out, 'BENCHMARKS.md');
  const md = fs.existsSync(mdFile) ? fs.readFileSync(mdFile, 'utf8') : '# depthblocks benchmarks\n';
  fs.writeFileSync(mdFile, writeBrowserSection(md, browserSection(results)));
  log(`wrote ${path.join(out, 'browser-results.json')} and the browser section of ${mdFile} in ${results.wallS.toFixed(0)} s`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
