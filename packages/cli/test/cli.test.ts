/** The CLI end to end on tiny synthetic runs: train, eval (sharded + merge), predict, ablate, info, errors. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DepthblocksError } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { decodeDepthPng, encodeRgb, renderSyntheticSample } from '@depthblocks/datasets';
import {
  checkAblationConfig,
  FLAGS,
  main,
  mergeConfig,
  parseFlags,
  readRunConfig,
  runAblation,
  runEval,
  runMerge,
  runTrain,
  type RunConfig,
} from '../src';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await setupTestBackend();
});

/** Captures console.log/error output of main(). */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  try {
    const code = await main(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const tinyModel = {
  encoder: 'resnet18',
  decoder: { name: 'unet', options: { channels: [16, 8, 8, 4, 4] } },
  head: { activation: 'relu' },
  depth: { kind: 'none' },
};
const config: RunConfig = {
  model: tinyModel as never,
  data: {
    train: { type: 'synthetic', count: 4, width: 32, height: 24, seed: 1 },
    test: { type: 'synthetic', count: 3, width: 32, height: 24, seed: 2 },
  },
  train: { epochs: 1, batchSize: 2, optimizer: { lr: 1e-3 }, loss: { l1: 1, grad: 1 }, evalEvery: 0 },
  eval: { flipTTA: true },
  backend: 'wasm',
  threads: 1,
  seed: 3,
};

test('--help everywhere, and unknown commands', async () => {
  const h = await run(['--help']);
  expect(h.code).toBe(0);
  expect(h.out).toMatch(/Commands:[\s\S]*train[\s\S]*ablate/);
  for (const cmd of ['train', 'eval', 'predict', 'ablate', 'info']) {
    const r = await run([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`Usage: depthblocks ${cmd}`));
  }
  expect((await run(['frobnicate'])).code).toBe(2);
  const bogus = await run(['train', '--bogus']);
  expect(bogus.code).toBe(2);
  expect(bogus.err).toMatch(/Unknown option '--bogus'/);
});

test("each command takes only its own flags, and flag values are parsed and checked by the run config's schema", async () => {
  const lr = await run(['info', '--lr', '3']);
  expect(lr.code).toBe(2);
  expect(lr.err).toMatch(/Unknown option '--lr' for 'depthblocks info'; its options: --help --require --json --backend --threads/);
  const threads = await run(['info', '--threads', '0']);
  expect([threads.code, threads.err]).toEqual([2, expect.stringMatching(/--threads 0: must be > 0, got number 0 \(it sets threads\)/)]);
  const badLr = await run(['train', '--synthetic', '4', '--lr', 'fast']);
  expect([badLr.code, badLr.err]).toEqual([
    2,
    expect.stringMatching(/--lr fast: expected number, got string "fast" \(it sets train.optimizer.lr\)/),
  ]);
  const backend = await run(['predict', '--model', 'x', '--backend', 'wasn']);
  expect(backend.err).toMatch(
    /--backend wasn: expected one of "auto", "tensorflow", "wasm", "cpu", got string "wasn" \(did you mean "wasm"\?\)/,
  );
  expect(parseFlags('train', ['--lr', '3e-4', '--epochs', '2', '--no-resume']).patch).toEqual({
    train: { optimizer: { lr: 3e-4 }, epochs: 2, resume: false },
  });
  expect(FLAGS.filter((f) => f.path).every((f) => f.path!.length > 0)).toBe(true);
});

test('info lists the backend, encoders, decoders and presets', async () => {
  const r = await run(['info', '--json', '--backend', 'wasm', '--threads', '1']);
  const info = JSON.parse(r.out);
  expect(info.backend.name).toBe('wasm');
  expect(info.backend.patches).toContain('wasm kernel:Conv2DBackpropFilter');
  expect(info.encoders.map((e: { name: string }) => e.name)).toContain('densenet169');
  expect(info.decoders).toEqual(expect.arrayContaining(['densedepth', 'unet', 'unetplusplus', 'lraspp', 'bridge']));
  expect(info.presets.length).toBeGreaterThanOrEqual(7);
});

describe('train -> eval -> predict', () => {
  const out = path.join(dir, 'run');
  const cfgFile = path.join(dir, 'run.json');
  beforeAll(async () => {
    fs.writeFileSync(cfgFile, JSON.stringify({ ...config, output: out }));
    const r = await run(['train', '--config', cfgFile, '--quiet']);
    expect(r.code).toBe(0);
  });

  test('train writes the checkpoint, the log, the loss plot, the model and the metrics', () => {
    for (const f of [
      'checkpoint.safetensors',
      'log.jsonl',
      'loss.svg',
      'loss.png',
      'model/model.json',
      'metrics.json',
      'metrics.md',
      'config.json',
    ]) {
      expect(fs.existsSync(path.join(out, f))).toBe(true);
    }
    const lines = fs.readFileSync(path.join(out, 'log.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2); // 4 samples / batch 2, 1 epoch
    expect(fs.readFileSync(path.join(out, 'metrics.md'), 'utf8')).toMatch(/\| d1 \| d2 \| d3 \| rel \| rms \| log10 \|/);
  });

  test('eval in 2 shards merges exactly to the single run', async () => {
    const cfg = { ...readRunConfig(cfgFile), modelDir: path.join(out, 'model') };
    const full = await runEval(cfg, { log: () => undefined });
    const files = [0, 1].map((i) => path.join(dir, `shard${i}.json`));
    for (let i = 0; i < 2; i++) await runEval(cfg, { shard: [i, 2], out: files[i], log: () => undefined });
    expect(runMerge(files)).toEqual(full.result);
    const r = await run(['eval', 'merge', ...files]);
    expect(r.out).toMatch(/\| merged \|/);
  });

  test('predict writes 16-bit depth, colour and compare PNGs for a folder of images', async () => {
    const imgs = path.join(dir, 'imgs');
    fs.mkdirSync(imgs, { recursive: true });
    for (let i = 0; i < 2; i++) {
      const s = renderSyntheticSample(50 + i, 40, 30);
      fs.writeFileSync(path.join(imgs, `im${i}.png`), await encodeRgb(s.rgb, s.width, s.height));
    }
    const pred = path.join(dir, 'pred');
    const r = await run([
      'predict',
      '--model',
      path.join(out, 'model'),
      '--output',
      pred,
      '--ply',
      '30,30,20,15',
      '--threads',
      '1',
      '--backend',
      'wasm',
      imgs,
    ]);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(pred).sort()).toEqual([
      'im0.ply',
      'im0_color.png',
      'im0_compare.png',
      'im0_depth.png',
      'im1.ply',
      'im1_color.png',
      'im1_compare.png',
      'im1_depth.png',
    ]);
    const d = await decodeDepthPng(new Uint8Array(fs.readFileSync(path.join(pred, 'im0_depth.png'))), 1 / 1000);
    expect([d.width, d.height, d.bitDepth]).toEqual([40, 30, 16]);
    await expect(main(['predict', '--model', path.join(out, 'model'), path.join(dir, 'missing')])).rejects.toThrow(/Input not found/);
  });
});

test('ablate runs each variant on the same data and writes the table and plots', async () => {
  const output = path.join(dir, 'ablation');
  const r = await runAblation(
    {
      name: 'loss terms',
      base: config,
      output,
      variants: [
        { name: 'l1', patch: { train: { loss: { l1: 1 } } } },
        { name: 'l1+grad', patch: {} },
      ],
    },
    { progress: false, log: () => undefined },
  );
  expect(r.rows.map((x) => x.name)).toEqual(['l1', 'l1+grad']);
  const md = fs.readFileSync(path.join(output, 'ablation.md'), 'utf8');
  expect(md).toMatch(/\| l1 \| [0-9.]+ \|/);
  expect(md).toMatch(/\| l1\+grad \| [0-9.]+ \|/);
  for (const f of ['ablation.json', 'metrics.svg', 'metrics.png', 'loss.svg', 'loss.png'])
    expect(fs.existsSync(path.join(output, f))).toBe(true);
});

test('bad configs are clear errors', async () => {
  const f = path.join(dir, 'bad.json');
  fs.writeFileSync(f, '{ not json');
  expect(() => readRunConfig(f)).toThrow(/not valid JSON/);
  fs.writeFileSync(f, JSON.stringify({ model: 'densedepth169', data: {}, train: { epochs: -1 } }));
  expect(() => readRunConfig(f)).toThrow(/train.epochs: must be > 0, got number -1/);
  const nope = await run(['train', '--preset', 'nope', '--synthetic', '4']);
  expect([nope.code, nope.err]).toEqual([
    2,
    expect.stringMatching(/--preset nope: unknown preset "nope"; registered presets: densedepth169/),
  ]);
});

test("a typo'd key anywhere in a run config is rejected with a did-you-mean, before anything is built or written", async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ epoch: 3 }, /^Run config t.json: unknown key "epoch"; valid keys: \$comment, model/],
    [{ trian: {} }, /^Run config t.json: unknown key "trian" \(did you mean "train"\?\)$/],
    [{ train: { epoch: 3 } }, /^Run config t.json: train: unknown key "epoch" \(did you mean "epochs"\?\)$/],
    [{ train: { onError: 'skip' } }, /train: unknown key "onError"; valid keys: epochs, /],
    [{ train: { optimizer: { lr: '1e-4' } } }, /^Run config t.json: train.optimizer.lr: expected number, got string "1e-4"$/],
    [{ train: { optimizer: { nmae: 'adam' } } }, /train.optimizer: unknown key "nmae" \(did you mean "name"\?\)/],
    [
      { train: { schedule: { type: 'cosine', warmupStep: 5 } } },
      /train.schedule: unknown key "warmupStep" \(did you mean "warmupSteps"\?\)/,
    ],
    [{ train: { loss: { l1: 1, sim: 1 } } }, /train.loss.sim: unknown loss term "sim" \(did you mean "ssim"\?\)/],
    [{ train: { augmentation: { hflp: 0.5 } } }, /train.augmentation: unknown key "hflp" \(did you mean "hflip"\?\)/],
    [{ eval: { protocol: 'nyu-eigne' } }, /eval.protocol: unknown protocol "nyu-eigne" \(did you mean "nyu-eigen"\?\)/],
    [
      { data: { train: { type: 'synthetic', count: 4, width: 8, heigth: 8 } } },
      /data.train: unknown key "heigth" \(did you mean "height"\?\)/,
    ],
    [{ data: { tset: {} } }, /data: unknown key "tset" \(did you mean "test"\?\)/],
    [{ model: { ...tinyModel, haed: {} } }, /model: unknown key "haed" \(did you mean "head"\?\)/],
    [
      { model: { ...tinyModel, encoder: { name: 'resnet18', options: { outputStrid: 16 } } } },
      /model.encoder.options: unknown key "outputStrid" \(did you mean "outputStride"\?\)/,
    ],
    [{ model: 'densedepth196' }, /model: unknown preset "densedepth196" \(did you mean "densedepth169"\?\)/],
    [{ presetOptions: { inputSzie: [8, 8] } }, /presetOptions: unknown key "inputSzie" \(did you mean "inputSize"\?\)/],
  ];
  for (const [patch, message] of cases) {
    const output = path.join(dir, 'never-written');
    const file = path.join(dir, 't.json');
    fs.writeFileSync(file, JSON.stringify(mergeConfig({ ...config, output }, patch)));
    let err: unknown;
    try {
      await main(['train', '--config', file, '--quiet']);
    } catch (e) {
      err = e;
    }
    expect([(err as DepthblocksError).code, (err as Error).message.replace(file, 't.json')]).toEqual([
      'INVALID_CONFIG',
      expect.stringMatching(message),
    ]);
    expect(fs.existsSync(output)).toBe(false);
  }
  // the same check when called from code
  await expect(runTrain({ ...config, output: path.join(dir, 'never'), train: { optimizer: { lr: '1e-4' } } } as never)).rejects.toThrow(
    /train.optimizer.lr: expected number, got string "1e-4"/,
  );
  expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
  expect(() =>
    checkAblationConfig({ name: 'a', base: config, variants: [{ name: 'v', patch: { train: { loss: { l1: 1, grda: 1 } } } }] }, 'abl.json'),
  ).toThrow(/^Run config abl.json, variant v: train.loss.grda: unknown loss term "grda" \(did you mean "grad"\?\)$/);
  expect(() => checkAblationConfig({ name: 'a', base: config, varients: [] }, 'abl.json')).toThrow(
    /unknown key "varients" \(did you mean "variants"\?\)/,
  );
});

test('--require loads a module that registers parts before the flags and config are checked', async () => {
  const plugin = path.join(dir, 'plugin.js');
  fs.writeFileSync(
    plugin,
    `const { registerPreset, resolveConfig } = require('@depthblocks/models');
registerPreset('plugin_tiny', (o = {}) => resolveConfig({ name: o.name || 'plugin_tiny', encoder: 'resnet18', decoder: { name: 'unet', options: { channels: [8, 4, 4, 4, 4] } } }), { description: 'from a plugin' });
`,
  );
  const r = await run(['info', '--require', plugin, '--json', '--backend', 'wasm', '--threads', '1']);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.out).presets).toContain('plugin_tiny');
  const missing = await run(['info', '--require', './no-such-plugin.js']);
  expect([missing.code, missing.err]).toEqual([2, expect.stringMatching(/--require \.\/no-such-plugin\.js: module not found/)]);
});
