/**
 * The new user's CLI list: help texts without placeholders, usage errors vs runtime errors, checks before
 * anything is written (colour map, data, checkpoint fit), bad data (8-bit depth in a 16-bit format, --on-error
 * skip|fail for train, eval and predict), eval on two folders, preset rebuilt at --size, merge/ablate errors
 * that name the file.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { setupTestBackend } from '@depthblocks/backend';
import { encodeDepthPng, encodeGreyPng, encodeRgb, renderSyntheticSample } from '@depthblocks/datasets';
import { checkRunConfig, COMMANDS, exitCodeOf, formatError, helpText, main, parseFlags, runMerge } from '../src';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-conv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await setupTestBackend();
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  try {
    const code = await main(args).catch((e) => {
      err.push(formatError(e));
      return exitCodeOf(e);
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    stderr.mockRestore();
  }
}

const tiny = {
  encoder: 'resnet18',
  decoder: { name: 'unet', options: { channels: [16, 8, 8, 4, 4] } },
  head: { activation: 'relu', outputSize: 'input' },
  depth: { kind: 'none' },
};

/** n RGB + 16-bit depth PNG pairs, and a BTS list naming them. */
async function rgbd(sub: string, n: number, w = 32, h = 24): Promise<string> {
  const d = path.join(dir, sub);
  fs.mkdirSync(path.join(d, 'rgb'), { recursive: true });
  fs.mkdirSync(path.join(d, 'depth'), { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = renderSyntheticSample(10 + i, w, h);
    fs.writeFileSync(path.join(d, 'rgb', `f${i}.png`), await encodeRgb(s.rgb, w, h));
    fs.writeFileSync(path.join(d, 'depth', `f${i}.png`), await encodeDepthPng(s.depth, w, h, 1 / 1000));
    lines.push(`rgb/f${i}.png depth/f${i}.png`);
  }
  fs.writeFileSync(path.join(d, 'list.txt'), lines.join('\n') + '\n');
  return d;
}

test('--version, and no help text with a placeholder', async () => {
  const v = await run(['--version']);
  expect(v.code).toBe(0);
  expect(v.out).toMatch(/^depthblocks \d+\.\d+\.\d+$/);
  for (const cmd of ['main', ...COMMANDS]) {
    const h = helpText(cmd);
    expect(h).not.toMatch(/\(PRESETS\)|\$\{|\{\{|PLACEHOLDER|TODO/);
  }
  expect(helpText('train')).toMatch(/--preset NAME +model preset \(densedepth169, /);
});

test('usage errors exit 2, runtime errors 1; a bad colour map is refused before anything is written', async () => {
  expect((await run(['train', '--bogus'])).code).toBe(2);
  expect((await run(['train', '--epochs', 'abc'])).code).toBe(2);
  expect((await run(['train', '--size', '64'])).code).toBe(2);
  expect((await run(['train', '--preset', 'nope'])).code).toBe(2);
  const out = path.join(dir, 'never');
  const r = await run(['predict', '--model', path.join(dir, 'no-model'), '--colormap', 'foo', '--output', out, dir]);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/--colormap foo: expected one of "turbo", "viridis", "plasma", "gray", got string "foo"/);
  expect((await run(['predict', '--model', 'm', '--colormap', 'virdis', dir])).err).toMatch(/\(did you mean "viridis"\?\)/);
  expect(fs.existsSync(out)).toBe(false);
  const missing = await run(['ablate', '--config', path.join(dir, 'missing.json')]);
  expect(missing.code).toBe(1);
  expect(missing.err).toMatch(/Ablation config not found: .*missing\.json/);
  expect(missing.err).not.toMatch(/ENOENT/);
});

test('the new flags are rows of the flag table: each belongs to its commands and its value is checked by a schema', async () => {
  // run-config fields: train.checkpointEvery, onError
  expect(parseFlags('train', ['--checkpoint-every', '5', '--on-error', 'skip']).patch).toEqual({
    train: { checkpointEvery: 5 },
    onError: 'skip',
  });
  const onError = await run(['train', '--synthetic', '4', '--on-error', 'maybe']);
  expect([onError.code, onError.err]).toEqual([
    2,
    expect.stringMatching(/--on-error maybe: expected one of "fail", "skip", got string "maybe" \(it sets onError\)/),
  ]);
  expect((await run(['train', '--checkpoint-every=-1'])).err).toMatch(
    /--checkpoint-every -1: must be >= 0, got number -1 \(it sets train.checkpointEvery\)/,
  );
  expect((await run(['train', '--checkpoint-every', '2.5'])).code).toBe(2);
  expect(() => checkRunConfig({ model: 'unet_resnet34', data: {}, onError: 'skpi' }, 't.json')).toThrow(
    /onError: expected one of "fail", "skip", got string "skpi" \(did you mean "skip"\?\)/,
  );
  // flags with their own schema: parsed values
  expect(parseFlags('predict', ['--size', '640x480', '--tile', '--colormap', 'gray']).options).toEqual({
    size: [480, 640],
    colormap: 'gray',
  });
  expect(parseFlags('predict', ['--max-size', '320', '--ply', '500,500,320,240']).options).toEqual({
    'max-size': 320,
    ply: { fx: 500, fy: 500, cx: 320, cy: 240 },
  });
  expect(parseFlags('eval', ['--rgb', 'a', '--depth', 'b', '--depth-scale', '1/256', '--shard', '1/4']).options).toEqual({
    rgb: 'a',
    depth: 'b',
    'depth-scale': 1 / 256,
    shard: [1, 4],
  });
  expect(parseFlags('eval', ['--depth-scale', '0.001']).options['depth-scale']).toBe(0.001);
  for (const [args, message] of [
    [['predict', '--max-size', '16'], /--max-size 16: must be >= 32, got number 16/],
    [['predict', '--size', '64'], /--size 64: expected WxH \(width x height in pixels\), e.g. 64x48, got "64"/],
    [['predict', '--ply', '1,2,3'], /--ply 1,2,3: expected FX,FY,CX,CY \(four numbers, pixels\), got "1,2,3"/],
    [['eval', '--depth-scale', '0'], /--depth-scale 0: must be > 0, got number 0/],
    [['eval', '--depth-scale', 'mm'], /--depth-scale mm: expected number, got string "mm"/],
    [['eval', '--shard', '4/4'], /--shard 4\/4: A shard is "i\/N" with 0 <= i < N/],
    [['train', '--synthetic', '0'], /--synthetic 0: must be > 0, got number 0/],
    [['eval', '--rgb', 'a'], /--rgb DIR and --depth DIR go together/],
  ] as [string[], RegExp][]) {
    const r = await run(args);
    expect([args, r.code, r.err]).toEqual([args, 2, expect.stringMatching(message)]);
  }
  // each flag belongs to its commands only
  for (const [cmd, flag] of [
    ['info', '--on-error'],
    ['ablate', '--on-error'],
    ['train', '--tile'],
    ['train', '--max-size'],
    ['predict', '--checkpoint-every'],
    ['predict', '--rgb'],
    ['train', '--depth-scale'],
  ]) {
    const r = await run([cmd, flag, '1']);
    expect([cmd, flag, r.code, r.err]).toEqual([
      cmd,
      flag,
      2,
      expect.stringMatching(new RegExp(`Unknown option '${flag}' for 'depthblocks ${cmd}'`)),
    ]);
  }
  // a data spec from flags replaces the config's (not merged key by key into an nyu-bts spec)
  const withList = path.join(dir, 'with-list.json');
  fs.writeFileSync(withList, JSON.stringify({ model: tiny, data: { test: { type: 'nyu-bts', listFile: 'list.txt' } } }));
  const replaced = await run(['eval', '--config', withList, '--rgb', 'r', '--depth', 'd', '--model', path.join(dir, 'no-model')]);
  expect(replaced.code).toBe(1);
  expect(replaced.err).not.toMatch(/INVALID_CONFIG|listFile/);
  expect(replaced.err).toMatch(/no-model/);
  // the same flag name, a meaning per command
  expect(helpText('train')).toMatch(/--size WxH +synthetic image size and train input size/);
  expect(helpText('predict')).toMatch(/--size WxH +exact working resolution/);
  expect(helpText('predict')).toMatch(/--max-size N +long side of the working resolution/);
  expect(helpText('eval')).toMatch(/--depth-scale S +metres per depth PNG unit/);
  expect(helpText('train')).not.toMatch(/--tile|--max-size|--rgb/);
});

test('eval merge names the file it cannot read', () => {
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, '{"state": ');
  expect(() => runMerge([bad])).toThrow(new RegExp(`Shard result ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON`));
  fs.writeFileSync(bad, '{}');
  expect(() => runMerge([bad])).toThrow(/has no "state"/);
});

test('a run that cannot start writes nothing: missing data, or a checkpoint from another model', async () => {
  const out = path.join(dir, 'nodata');
  const cfg = path.join(dir, 'nodata.json');
  fs.writeFileSync(
    cfg,
    JSON.stringify({ model: tiny, data: { train: { type: 'nyu-bts', listFile: path.join(dir, 'none.txt') } }, output: out }),
  );
  expect((await run(['train', '--config', cfg, '--backend', 'wasm'])).code).toBe(1);
  expect(fs.existsSync(out)).toBe(false);

  const run1 = path.join(dir, 'run1');
  const syn = [
    '--synthetic',
    '4',
    '--size',
    '32x24',
    '--max-steps',
    '1',
    '--batch-size',
    '2',
    '--quiet',
    '--backend',
    'wasm',
    '--output',
    run1,
  ];
  expect((await run(['train', '--encoder', 'resnet18', '--decoder', 'unet', ...syn])).code).toBe(0);
  const before = fs.readFileSync(path.join(run1, 'config.json'), 'utf8');
  const other = await run(['train', '--encoder', 'mobilenetv3_large', '--decoder', 'lraspp', ...syn]);
  expect(other.code).toBe(1);
  expect(other.err).toMatch(/WEIGHTS_MISMATCH.*does not fit this model/);
  expect(fs.readFileSync(path.join(run1, 'config.json'), 'utf8')).toBe(before); // untouched
}, 400_000);

test('train --preset lraspp_mobilenetv3 --size 64x48 rebuilds the preset at that size', async () => {
  const out = path.join(dir, 'lraspp');
  const r = await run([
    'train',
    '--preset',
    'lraspp_mobilenetv3',
    '--size',
    '64x48',
    '--synthetic',
    '4',
    '--max-steps',
    '1',
    '--batch-size',
    '2',
    '--epochs',
    '1',
    '--quiet',
    '--backend',
    'wasm',
    '--output',
    out,
  ]);
  expect(r.err).not.toMatch(/SHAPE_MISMATCH/);
  expect(r.code).toBe(0);
  expect(JSON.parse(fs.readFileSync(path.join(out, 'model/model.json'), 'utf8')).userDefinedMetadata.depthblocks.input).toMatchObject({
    height: 48,
    width: 64,
  });
}, 400_000);

test('8-bit depth in a 16-bit format is rejected; --on-error skip trains on the rest and lists it; eval on two folders', async () => {
  const d = await rgbd('bits', 4);
  fs.writeFileSync(path.join(d, 'depth', 'f1.png'), await encodeGreyPng(new Uint8Array(32 * 24).fill(200), 32, 24));
  const cfg = path.join(dir, 'bits.json');
  const out = path.join(dir, 'bits-run');
  fs.writeFileSync(
    cfg,
    JSON.stringify({
      model: tiny,
      data: { train: { type: 'nyu-bts', listFile: path.join(d, 'list.txt') } },
      train: { epochs: 1, batchSize: 1, evalEvery: 0, loss: { l1: 1 } },
      output: out,
    }),
  );
  const fail = await run(['train', '--config', cfg, '--quiet', '--backend', 'wasm']);
  expect(fail.code).toBe(1);
  expect(fail.err).toMatch(/f1\.png is 8-bit, but .* depth maps are 16-bit/);
  const skip = await run(['train', '--config', cfg, '--quiet', '--backend', 'wasm', '--on-error', 'skip', '--no-resume']);
  expect(skip.code).toBe(0);
  expect(skip.err).toMatch(/skipped 1 sample\(s\) that could not be read[\s\S]*f1\.png is 8-bit/);

  // folders: 3 good pairs; the 8-bit one fails unless skipped; the count and protocol are printed
  const model = path.join(out, 'model');
  const e = await run([
    'eval',
    '--model',
    model,
    '--rgb',
    path.join(d, 'rgb'),
    '--depth',
    path.join(d, 'depth'),
    '--protocol',
    'nyu-eigen',
    '--no-tta',
    '--on-error',
    'skip',
    '--backend',
    'wasm',
  ]);
  expect(e.code).toBe(0);
  expect(e.out).toMatch(/^3 image\(s\), protocol nyu-eigen, 1 skipped/);
  expect(e.out).toMatch(/\| d1 \|/);
  const e2 = await run(['eval', '--model', model, '--rgb', path.join(d, 'rgb'), '--depth', path.join(d, 'depth'), '--backend', 'wasm']);
  expect(e2.code).toBe(1);
  expect(e2.err).toMatch(/8-bit/);
}, 400_000);

test('implausible depth ranges are reported (NYU depth read from centimetres: up to 65 m)', async () => {
  const d = await rgbd('cm', 2);
  const s = renderSyntheticSample(3, 32, 24);
  fs.writeFileSync(path.join(d, 'depth', 'f0.png'), await encodeDepthPng(s.depth, 32, 24, 1 / 10000)); // 10x too large
  const cfg = path.join(dir, 'cm.json');
  fs.writeFileSync(
    cfg,
    JSON.stringify({
      model: tiny,
      data: { train: { type: 'nyu-bts', listFile: path.join(d, 'list.txt') } },
      train: { epochs: 1, batchSize: 2, evalEvery: 0, loss: { l1: 1 } },
      output: path.join(dir, 'cm-run'),
    }),
  );
  const r = await run(['train', '--config', cfg, '--quiet', '--backend', 'wasm']);
  expect(r.code).toBe(0);
  expect(r.err).toMatch(/1 depth map\(s\) look implausible[\s\S]*f0\.png: largest depth .* m is outside the plausible 0\.5-20 m/);
}, 400_000);

test('predict on a folder with a bad image: fail writes nothing, skip predicts the others and lists it', async () => {
  const run1 = path.join(dir, 'run1');
  const imgs = path.join(dir, 'imgs');
  fs.mkdirSync(imgs, { recursive: true });
  const s = renderSyntheticSample(5, 40, 30);
  fs.writeFileSync(path.join(imgs, 'a.png'), await encodeRgb(s.rgb, 40, 30));
  fs.writeFileSync(path.join(imgs, 'b.jpg'), Buffer.from('not a jpeg'));
  fs.writeFileSync(path.join(imgs, 'c.png'), await encodeRgb(s.rgb, 40, 30));
  const out = path.join(dir, 'preds');
  const fail = await run(['predict', '--model', path.join(run1, 'model'), '--output', out, '--backend', 'wasm', imgs]);
  expect(fail.code).toBe(1);
  expect(fail.err).toMatch(/1 of 3 image\(s\) cannot be read, nothing was written:[\s\S]*b\.jpg/);
  expect(fs.existsSync(out)).toBe(false);
  const skip = await run([
    'predict',
    '--model',
    path.join(run1, 'model'),
    '--output',
    out,
    '--on-error',
    'skip',
    '--no-tta',
    '--backend',
    'wasm',
    imgs,
  ]);
  expect(skip.code).toBe(0);
  expect(
    fs
      .readdirSync(out)
      .filter((f) => f.endsWith('_depth.png'))
      .sort(),
  ).toEqual(['a_depth.png', 'c_depth.png']);
  expect(skip.err).toMatch(/skipped 1 of 3 image\(s\)[\s\S]*b\.jpg/);
}, 400_000);
