/**
 * skimageResize against scikit-image itself (fixtures/skimage_resize.json from fixtures/make_skimage_fixture.py,
 * Debian's skimage 0.19 / scipy 1.10), including DenseDepth's scale_up as published in its utils.py.
 */
import * as fs from 'fs';
import * as path from 'path';
import { resizeBilinear, skimageResize, skimageResizeMatrix } from '../src';

interface Fixture {
  cases: { input: number[][]; shape: [number, number]; antiAliasing: boolean | null; output: number[][] }[];
  scaleUp: { input: number[][][]; output: number[][][] };
}
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures/skimage_resize.json'), 'utf8')) as Fixture;

const maxRel = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1e-12, Math.abs(b[i])));
  return m;
};

test.each(fixture.cases.map((c) => [`${c.input.length}x${c.input[0].length} -> ${c.shape.join('x')}, anti_aliasing ${c.antiAliasing}`, c]))(
  'equals skimage.transform.resize(order=1, mode="reflect"): %s',
  (_, c) => {
    const h = c.input.length;
    const w = c.input[0].length;
    const got = skimageResize(
      c.input.flat(),
      h,
      w,
      c.shape[0],
      c.shape[1],
      c.antiAliasing === null ? {} : { antiAliasing: c.antiAliasing },
    );
    const want = Float32Array.from(c.output.flat());
    expect(got.length).toBe(want.length);
    expect(maxRel(got, want)).toBeLessThanOrEqual(2 ** -23); // float32 results: equal or one rounding apart
    // the matrix form (for tensors) gives the same numbers to float precision
    const mh = skimageResizeMatrix(h, c.shape[0], c.antiAliasing === null ? {} : { antiAliasing: c.antiAliasing });
    const mw = skimageResizeMatrix(w, c.shape[1], c.antiAliasing === null ? {} : { antiAliasing: c.antiAliasing });
    const viaMatrices = new Float64Array(want.length);
    for (let y = 0; y < c.shape[0]; y++)
      for (let x = 0; x < c.shape[1]; x++) {
        let s = 0;
        for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) s += mh[y * h + i] * c.input[i][j] * mw[x * w + j];
        viaMatrices[y * c.shape[1] + x] = s;
      }
    expect(maxRel(viaMatrices, want)).toBeLessThan(1e-6);
  },
);

test("DenseDepth's scale_up(2, pred) is skimageResize to twice the size, anti-aliased", () => {
  fixture.scaleUp.input.forEach((img, k) => {
    const got = skimageResize(img.flat(), img.length, img[0].length, 2 * img.length, 2 * img[0].length, { antiAliasing: true });
    expect(maxRel(got, Float32Array.from(fixture.scaleUp.output[k].flat()))).toBeLessThanOrEqual(2 ** -23);
    // and it is not the half-pixel, edge-clamped resize of TensorFlow / OpenCV: the borders differ
    const tfStyle = resizeBilinear(img.flat(), img.length, img[0].length, 2 * img.length, 2 * img[0].length);
    expect(maxRel(tfStyle, Float32Array.from(fixture.scaleUp.output[k].flat()))).toBeGreaterThan(1e-3);
  });
});

test('bad sizes are clear errors', () => {
  expect(() => skimageResize([1, 2, 3], 2, 2, 4, 4)).toThrow(/3 values, expected 2x2/);
  expect(() => skimageResize([1], 1, 1, 0, 4)).toThrow(/dstHeight must be a positive integer, got 0/);
});
