/**
 * The published DenseDepth through the CLI: an .h5 in nyu.h5's exact layout (fixtures/nyu-h5.ts, 42,816,089 known
 * values) given to `depthblocks predict --preset densedepth169 --weights nyu.h5` gives the depth of a PyTorch
 * float64 re-implementation of the published model (fixtures/make_densedepth169_reference.py) to 1e-3 relative in
 * metres at 64x96; `eval --preset --weights` runs. (Fixtures: packages/models/test/fixtures; the same through the
 * API: packages/models/test/readme.test.ts.)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { setupTestBackend } from '@depthblocks/backend';
import { readSafetensors } from '@depthblocks/core';
import { countValues, densedepth169Layers, nyuH5Bytes } from '../../models/test/fixtures/nyu-h5';
import { rgb, uniform } from '../../models/test/fixtures/known-values';
import { main } from '../src';

const H = 64;
const W = 96;
const ref = readSafetensors(
  new Uint8Array(fs.readFileSync(path.join(__dirname, '../../models/test/fixtures/densedepth169_reference.safetensors'))),
);
const refOf = (name: string) => ref.tensors.get(name)!.data;

let tmp: string;
beforeAll(async () => {
  await setupTestBackend();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-nyu-h5-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("the layout's symbolic size is the published file's: 42,816,089 values in 864 tensors (844 encoder, 20 decoder)", () => {
  const layers = densedepth169Layers();
  expect(countValues(layers)).toBe(42_816_089);
  const tensors = layers.flatMap((l) => l.weights);
  expect(tensors).toHaveLength(864);
  expect(tensors.filter((w) => /^(conv2|up\d_conv[AB]|conv3)\//.test(w.name))).toHaveLength(20);
  // the same values the Python generator used (sums printed in the fixture's metadata)
  const sums = JSON.parse(ref.metadata.weight_sums) as Record<string, number>;
  for (const [name, sum] of Object.entries(sums)) {
    const w = tensors.find((t) => t.name === name)!;
    const values = uniform(
      name,
      w.shape.reduce((a, b) => a * b, 1),
      w.lo,
      w.hi,
    );
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(sum, 3);
  }
});

test('depthblocks predict --preset densedepth169 --weights nyu.h5 equals the PyTorch reference to 1e-3 in metres; eval runs', async () => {
  const bytes = await nyuH5Bytes();
  const file = path.join(tmp, 'nyu.h5');
  fs.writeFileSync(file, bytes);
  const img = rgb('densedepth169/input', H, W);

  // the CLI: depthblocks predict --preset densedepth169 --weights nyu.h5 --size 96x64 photo.png (flip TTA by default)
  const photo = path.join(tmp, 'photo.png');
  await sharp(Buffer.from(img), { raw: { width: W, height: H, channels: 3 } })
    .png()
    .toFile(photo);
  const out = path.join(tmp, 'predictions');
  const code = await main([
    'predict',
    '--preset',
    'densedepth169',
    '--weights',
    file,
    '--size',
    `${W}x${H}`,
    '--output',
    out,
    photo,
    '--backend',
    'wasm',
    '--threads',
    '1',
  ]);
  expect(code).toBe(0);
  const { data, info } = await sharp(path.join(out, 'photo_depth.png'))
    .toColourspace('grey16')
    .raw({ depth: 'ushort' })
    .toBuffer({ resolveWithObject: true });
  expect([info.width, info.height]).toEqual([W, H]);
  const mm = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
  const want = refOf('metres_input_tta');
  // millimetres: 1e-3 relative plus the half millimetre of rounding
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(mm[i] / 1000 - want[i]) - 5e-4 - 1e-3 * want[i]);
  expect(worst).toBeLessThanOrEqual(0);

  // depthblocks eval --preset densedepth169 --weights nyu.h5 --size 96x64 --config run.json (DenseDepth's protocol)
  const cfg = path.join(tmp, 'run.json');
  fs.writeFileSync(
    cfg,
    JSON.stringify({
      model: 'densedepth169',
      data: { test: { type: 'synthetic', count: 2, width: W, height: H, seed: 1 } },
      eval: { protocol: 'nyu-densedepth', flipTTA: true },
    }),
  );
  const lines: string[] = [];
  const spy = jest.spyOn(console, 'log').mockImplementation((...a) => void lines.push(a.join(' ')));
  try {
    expect(
      await main([
        'eval',
        '--preset',
        'densedepth169',
        '--weights',
        file,
        '--size',
        `${W}x${H}`,
        '--config',
        cfg,
        '--backend',
        'wasm',
        '--threads',
        '1',
      ]),
    ).toBe(0);
  } finally {
    spy.mockRestore();
  }
  expect(lines.join('\n')).toMatch(/\| d1 .*\|[\s\S]*densedepth169 \| 0\.\d+/);
}, 600_000); // well under a minute on 2 idle cores: 42.8 M weights written, read and loaded twice (predict, eval)
