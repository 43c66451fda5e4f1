/**
 * The packages as a user gets them: every package packed, the tarballs installed into a project outside the
 * repository (third-party dependencies from the npm registry), in three stages:
 *   1. losses + metrics alone: the installed tree holds no native addon, no sharp, no h5wasm, and they work;
 *   2. + backend, encoders, decoders, models: still no sharp and no native addon; a CommonJS script, an ES module and a
 *      TypeScript file (tsc --strict, node16 and bundler resolution) each build a model, train two steps,
 *      predict, compute losses and metrics, and save and load the model;
 *   3. + datasets and the CLI: the `depthblocks` command runs, and esbuild bundles the portable entries of every
 *      browser package for `--platform=browser` with no plugins and no errors.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { build, type BuildFailure, type BuildResult } from 'esbuild';
import { publishedPackages, root, sh } from './helpers';

const fixtures = path.join(__dirname, '../fixtures');
const project = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-consumer-'));
const tarballs = new Map<string, string>();
const out = (name: string): string => fs.mkdtempSync(path.join(project, `${name}-`));
const node = (args: string[]): string => sh(process.execPath, args, { cwd: project, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });

/** npm install, in the consumer project, of these packages' tarballs (and anything else named). */
function install(names: string[], extra: string[] = []): void {
  const specs = names.map((n) => tarballs.get(n)!);
  sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...specs, ...extra], { cwd: project });
}

/** Every file under node_modules (relative paths), to read the installed tree. */
function installedFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else found.push(path.relative(path.join(project, 'node_modules'), p));
    }
  };
  walk(path.join(project, 'node_modules'));
  return found;
}

/**
 * `tsc -p config` errors in the consumer's file and in our declarations (the whole program is checked: no
 * skipLibCheck). TensorFlow.js' own declarations do not pass --strict (tfjs issue: `Long`, PyJsonValue), so
 * errors inside node_modules/@tensorflow are left out.
 */
function typeErrors(config: string): string[] {
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', config], {
    cwd: project,
    encoding: 'utf8',
  });
  return r.stdout.split('\n').filter((l) => /error TS\d+/.test(l) && !l.startsWith('node_modules/@tensorflow/'));
}

function expectNoNativeCode(): void {
  const files = installedFiles();
  expect(files.filter((f) => f.endsWith('.node'))).toEqual([]);
  expect(files.filter((f) => /^(sharp|@img)\//.test(f))).toEqual([]);
}

beforeAll(() => {
  const packed = JSON.parse(
    sh(
      'npm',
      [
        'pack',
        '--json',
        '--ignore-scripts',
        `--pack-destination=${project}`,
        ...publishedPackages().map((p) => `--workspace=${path.relative(root, p.dir)}`),
      ],
      {
        cwd: root,
      },
    ),
  ) as { name: string; filename: string }[];
  for (const p of packed) tarballs.set(p.name, path.join(project, p.filename));
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'depthblocks-consumer', private: true, version: '1.0.0' }));
  for (const f of fs.readdirSync(fixtures)) fs.copyFileSync(path.join(fixtures, f), path.join(project, f));
}, 120_000);

afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

test('1. losses + metrics: no native addon, no sharp, no h5wasm in the installed tree, and they compute', () => {
  install(['@depthblocks/core', '@depthblocks/losses', '@depthblocks/metrics'], ['@tensorflow/tfjs@4.22.0']);
  expectNoNativeCode();
  expect(installedFiles().filter((f) => f.startsWith('h5wasm/'))).toEqual([]);
  const printed = node([
    '-e',
    `const { tf } = require('@depthblocks/core');
     const { ssim } = require('@depthblocks/losses');
     const { computeDepthMetrics } = require('@depthblocks/metrics');
     const a = tf.randomUniform([1, 16, 16, 1], 1, 5, 'float32', 1);
     console.log(ssim(a, a).dataSync()[0].toFixed(4), computeDepthMetrics([1, 2, 4], [1, 2, 5]).d1.toFixed(4));`,
  ]);
  expect(printed.trim()).toBe('0.0000 0.6667'); // SSIM loss of identical maps; 2 of 3 pixels within 1.25
}, 180_000);

test('2. + backend, encoders, decoders, models (no sharp, no native addon): CommonJS, ES module and TypeScript consumers', () => {
  install(['@depthblocks/backend', '@depthblocks/encoders', '@depthblocks/decoders', '@depthblocks/models'], ['@types/node@20']);
  expectNoNativeCode();
  expect(node(['use.cjs', out('cjs')])).toMatch(/^cjs: wasm backend, 2 steps .* saved and loaded$/m);
  expect(node(['use.mjs', out('esm')])).toMatch(/^esm: wasm backend, 2 steps .* saved and loaded$/m);
  expect(typeErrors('tsconfig.bundler.json')).toEqual([]);
  expect(typeErrors('tsconfig.node16.json')).toEqual([]);
  expect(node(['ts-out/use.js', out('ts')])).toMatch(/^ts: wasm backend, 2 steps, .* saved and loaded$/m);
}, 300_000);

test('3. + datasets and the CLI: the depthblocks command runs; the browser entries bundle with esbuild, no plugins', async () => {
  install(['@depthblocks/datasets', '@depthblocks/cli']);
  expect(sh(path.join(project, 'node_modules/.bin/depthblocks'), ['--help'], { cwd: project })).toMatch(/depthblocks <command>/);
  const result: BuildResult | BuildFailure = await build({
    entryPoints: [path.join(project, 'browser-entry.js')],
    absWorkingDir: project,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    outfile: path.join(project, 'bundle/app.js'),
    metafile: true,
    logLevel: 'silent',
  }).catch((e: BuildFailure) => e);
  expect(result.errors.map((e) => `${e.location?.file}: ${e.text}`)).toEqual([]);
  const inputs = Object.keys((result as BuildResult).metafile!.inputs);
  const ours = inputs.filter((f) => f.includes('node_modules/@depthblocks/'));
  for (const pkg of ['core', 'backend', 'encoders', 'decoders', 'losses', 'metrics', 'models', 'datasets']) {
    expect(ours.some((f) => f.startsWith(`node_modules/@depthblocks/${pkg}/dist/index.js`))).toBe(true);
  }
  expect(ours.filter((f) => /\/dist\/.*-node\.js$|\/dist\/node\.js$/.test(f))).toEqual([]); // no Node-only module
  expect(inputs.filter((f) => /(^|\/)(sharp|@img)\/|\.node$/.test(f))).toEqual([]);
  // nothing left for the page to import: no Node built-in (or anything else) stayed external
  const outputs = Object.values((result as BuildResult).metafile!.outputs);
  expect(outputs.flatMap((o) => o.imports.map((i) => i.path))).toEqual([]);
}, 180_000);
