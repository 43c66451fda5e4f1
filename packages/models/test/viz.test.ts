import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodeDepthPng, decodeRgb } from '@depthblocks/datasets';
import { barChart, colorAt, colorize, DEFAULT_COLORMAP, depthToPly, lineChart, linearTicks, logTicks, sideBySide } from '../src/viz';
import { compareImage, svgTextToPaths, writeDepthOutputs } from '../src/node';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-viz-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('colour maps hit their published end points and are continuous', () => {
  expect(colorAt('viridis', 0)).toEqual([68, 1, 84]);
  expect(colorAt('viridis', 1)).toEqual([253, 231, 37]);
  expect(colorAt('plasma', 0)).toEqual([13, 8, 135]);
  expect(colorAt('plasma', 1)).toEqual([240, 249, 33]);
  // turbo: dark blue at 0, green-ish in the middle (G the largest channel), dark red at 1
  const [r0, g0, b0] = colorAt('turbo', 0);
  expect(b0).toBeGreaterThan(r0 - 10);
  expect(g0).toBeLessThan(60);
  const mid = colorAt('turbo', 0.5);
  expect(mid[1]).toBe(Math.max(...mid));
  const end = colorAt('turbo', 1);
  expect(end[0]).toBeGreaterThan(end[1] + 80);
  for (const name of ['viridis', 'plasma', 'turbo'] as const) {
    for (let t = 0; t < 1; t += 0.01) {
      const a = colorAt(name, t);
      const b = colorAt(name, t + 0.01);
      // turbo is steep at its dark-blue end (also in the published table); the others change slowly
      expect(Math.max(...a.map((v, k) => Math.abs(v - b[k])))).toBeLessThan(name === 'turbo' ? 35 : 10);
    }
  }
  expect(Array.from(colorize([0, NaN, 2], { min: 1, max: 3 }))).toEqual([0, 0, 0, 0, 0, 0, ...colorAt(DEFAULT_COLORMAP, 0.5)]);
  expect(DEFAULT_COLORMAP).toBe('turbo'); // one default for quickstart, predict and the compare figures
});

test('depth outputs: the 16-bit PNG reads back as millimetres; the compare figure has four labelled panels >= 256 px high', async () => {
  const w = 6;
  const h = 4;
  const depth = Float32Array.from({ length: w * h }, (_, i) => 0.5 + i * 0.123);
  depth[3] = 0;
  const gt = Float32Array.from(depth, (d) => (d > 0 ? d + 0.25 : 0));
  const rgb = { rgb: new Uint8Array(w * h * 3).fill(200), width: w, height: h };
  const files = await writeDepthOutputs(dir, 'a', depth, w, h, {
    sideBySide: true,
    rgb,
    groundTruth: { depth: gt, width: w, height: h },
    colormap: 'turbo',
  });
  expect(files.map((f) => path.basename(f))).toEqual(['a_depth.png', 'a_color.png', 'a_compare.png']);
  const back = await decodeDepthPng(new Uint8Array(fs.readFileSync(files[0])), 1 / 1000);
  expect(back.bitDepth).toBe(16);
  Array.from(back.depth).forEach((v, i) => expect(v).toBeCloseTo(Math.round(depth[i] * 1000) / 1000, 6));

  const fig = await compareImage(depth, w, h, { rgb, groundTruth: { depth: gt, width: w, height: h }, colormap: 'turbo' });
  const cmp = await decodeRgb(fig.png);
  expect([cmp.width, cmp.height]).toEqual([fig.layout.width, fig.layout.height]);
  expect(fs.readFileSync(files[2]).equals(Buffer.from(fig.png))).toBe(true);
  expect(fig.layout.panels).toHaveLength(4); // RGB, prediction, ground truth, |pred - gt|
  const px = (x: number, y: number): number[] => Array.from(cmp.data.subarray((y * cmp.width + x) * 3, (y * cmp.width + x) * 3 + 3));
  for (const p of fig.layout.panels) {
    expect(p.height).toBeGreaterThanOrEqual(256);
    expect(p.height % h).toBe(0); // whole-factor (nearest) enlargement
  }
  const [pr, pp, pg, pe] = fig.layout.panels;
  const f = pr.height / h;
  // the centre of source pixel (x=4, y=2) in each panel
  const at = (p: { x: number; y: number }): number[] => px(p.x + Math.floor((4 + 0.5) * f), p.y + Math.floor((2 + 0.5) * f));
  expect(at(pr)).toEqual([200, 200, 200]);
  const [min, max] = fig.range;
  const close = (a: number[], b: number[]): void => a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(2));
  close(at(pp), colorAt('turbo', Math.min(1, Math.max(0, (depth[2 * w + 4] - min) / (max - min)))));
  close(at(pg), colorAt('turbo', Math.min(1, Math.max(0, (gt[2 * w + 4] - min) / (max - min)))));
  close(at(pe), colorAt('gray', 0.25 / fig.errorRange![1]));
  // one depth range for prediction and ground truth: the ground truth's 2nd..98th percentiles
  expect(min).toBeCloseTo(gt.filter((d) => d > 0).sort()[0], 5);
  // labels are drawn (dark pixels above each panel), as outlines: no <text> left for the renderer
  for (const p of fig.layout.panels) {
    let dark = 0;
    for (let y = p.y - 22; y < p.y - 2; y++) for (let x = p.x; x < p.x + p.width; x++) if (px(x, y)[0] < 100) dark++;
    expect(dark).toBeGreaterThan(20);
  }
});

test('text becomes outlines from the bundled font; ticks sit at round numbers', () => {
  const svg = svgTextToPaths(
    lineChart(
      [
        {
          name: 'loss',
          points: [
            [1, 0.943],
            [8, 0.0487],
          ],
        },
      ],
      { title: 'loss', logY: true },
    ),
  );
  expect(svg).not.toMatch(/<text/);
  expect((svg.match(/<path d="M/g) ?? []).length).toBeGreaterThan(5);
  expect(logTicks(0.0487, 0.943)).toEqual([0.05, 0.1, 0.2, 0.5]);
  expect(logTicks(0.001, 100)).toEqual([0.001, 0.01, 0.1, 1, 10, 100]);
  expect(linearTicks(1, 8)).toEqual([2, 4, 6, 8]);
  expect(linearTicks(0.47, 3.1)).toEqual([1, 2, 3]);
  expect(linearTicks(0.47, 3.1, 10)).toEqual([0.5, 1, 1.5, 2, 2.5, 3]);
  // every tick label of a log-scale loss plot is 1, 2 or 5 x 10^k
  const labels = [
    ...lineChart(
      [
        {
          name: 'l',
          points: [
            [1, 31.8],
            [50, 0.351],
            [100, 0.0487],
          ],
        },
      ],
      { logY: true },
    ).matchAll(/text-anchor="end">([^<]+)</g),
  ].map((m) => Number(m[1]));
  expect(labels.length).toBeGreaterThanOrEqual(3);
  for (const v of labels) expect([1, 2, 5]).toContain(Number((v / 10 ** Math.floor(Math.log10(v) + 1e-9)).toPrecision(6)));
});

test('side by side resizes panels to the first one', () => {
  const a = { rgb: new Uint8Array(2 * 2 * 3).fill(1), width: 2, height: 2 };
  const b = { rgb: new Uint8Array(4 * 4 * 3).fill(9), width: 4, height: 4 };
  const s = sideBySide([a, b]);
  expect([s.width, s.height]).toEqual([4, 2]);
  expect(Array.from(s.rgb.subarray(0, 12))).toEqual([1, 1, 1, 1, 1, 1, 9, 9, 9, 9, 9, 9]);
});

test('PLY: header, vertex count and back-projected coordinates', () => {
  const depth = Float32Array.of(2, 0, 4, 1);
  const rgb = Uint8Array.of(10, 20, 30, 0, 0, 0, 40, 50, 60, 70, 80, 90);
  const ply = depthToPly(depth, rgb, 2, 2, { fx: 2, fy: 4, cx: 0.5, cy: 0.5 });
  const text = new TextDecoder().decode(ply.subarray(0, 300));
  expect(text).toMatch(/element vertex 3\n/);
  const start = text.indexOf('end_header\n') + 'end_header\n'.length;
  const v = new DataView(ply.buffer, start);
  // pixel (u=0, v=0), z=2: x = (0-0.5)*2/2 = -0.5, y = (0-0.5)*2/4 = -0.25
  expect([v.getFloat32(0, true), v.getFloat32(4, true), v.getFloat32(8, true)]).toEqual([-0.5, -0.25, 2]);
  expect([ply[start + 12], ply[start + 13], ply[start + 14]]).toEqual([10, 20, 30]);
  // pixel (u=0, v=1), z=4: x = -0.5*4/2 = -1, y = 0.5*4/4 = 0.5
  expect([v.getFloat32(15, true), v.getFloat32(19, true), v.getFloat32(23, true)]).toEqual([-1, 0.5, 4]);
  expect(ply.length).toBe(start + 3 * 15);
  expect(() => depthToPly(depth, rgb.subarray(3), 2, 2, { fx: 1, fy: 1, cx: 0, cy: 0 })).toThrow(/rgb has 9 bytes, expected 2x2x3/);
});

test('SVG charts are well-formed and contain every series', () => {
  const svg = lineChart(
    [
      {
        name: 'a<b',
        points: [
          [1, 1],
          [2, 0.5],
          [3, 0.25],
        ],
      },
      {
        name: 'c',
        points: [
          [1, 2],
          [3, 1],
        ],
      },
    ],
    { title: 'loss', logY: true },
  );
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.trim().endsWith('</svg>')).toBe(true);
  expect(svg).toContain('a&lt;b');
  expect((svg.match(/<path /g) ?? []).length).toBe(2);
  const bars = barChart(
    ['d1', 'rel'],
    [
      { name: 'x', values: [0.8, 0.1] },
      { name: 'y', values: [0.9, 0.2] },
    ],
  );
  expect((bars.match(/<rect x=/g) ?? []).length).toBeGreaterThanOrEqual(4);
});
