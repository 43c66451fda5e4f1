/**
 * DenseDepth's decoder against an independent float64 forward pass written here from the paper's
 * description (conv2 1x1; per skip: bilinear resize to the skip, concat [up, skip], conv3x3, LeakyReLU 0.2,
 * conv3x3, LeakyReLU 0.2; conv3 3x3), using the model's own weights; and in the published weights' variant
 * (align-corners resize, no LeakyReLU between the two convolutions: DenseDepth's January 2019 code).
 */
import { tf } from '@depthblocks/core';
import { setupTestBackend } from '@depthblocks/backend';
import { denseDepthDecoder } from '../src';

beforeAll(async () => {
  await setupTestBackend();
});

type Img = number[][][]; // [H][W][C]

function conv(x: Img, kernel: tf.Tensor, bias: tf.Tensor): Img {
  const [k, , cin, cout] = kernel.shape;
  const K = kernel.arraySync() as number[][][][];
  const b = bias.arraySync() as number[];
  const p = (k - 1) / 2;
  const h = x.length;
  const w = x[0].length;
  return x.map((row, yy) =>
    row.map((_, xx) =>
      Array.from({ length: cout }, (_, o) => {
        let s = b[o];
        for (let ky = 0; ky < k; ky++)
          for (let kx = 0; kx < k; kx++) {
            const sy = yy + ky - p;
            const sx = xx + kx - p;
            if (sy < 0 || sx < 0 || sy >= h || sx >= w) continue;
            for (let i = 0; i < cin; i++) s += x[sy][sx][i] * K[ky][kx][i][o];
          }
        return s;
      }),
    ),
  );
}

function resizeHalfPixel(x: Img, oh: number, ow: number): Img {
  const h = x.length;
  const w = x[0].length;
  const at = (o: number, n: number, on: number) => {
    const s = ((o + 0.5) * n) / on - 0.5;
    const f = Math.floor(s);
    return { a: Math.min(Math.max(f, 0), n - 1), b: Math.min(Math.max(f + 1, 0), n - 1), t: s - f };
  };
  const out: Img = [];
  for (let i = 0; i < oh; i++) {
    const r = at(i, h, oh);
    const row: number[][] = [];
    for (let j = 0; j < ow; j++) {
      const c = at(j, w, ow);
      row.push(
        x[0][0].map(
          (_, ch) =>
            (1 - r.t) * ((1 - c.t) * x[r.a][c.a][ch] + c.t * x[r.a][c.b][ch]) + r.t * ((1 - c.t) * x[r.b][c.a][ch] + c.t * x[r.b][c.b][ch]),
        ),
      );
    }
    out.push(row);
  }
  return out;
}

/** TF1 `align_corners=True`: the corner pixels' centres coincide, src = dst * (in - 1) / (out - 1). */
function resizeAlignCorners(x: Img, oh: number, ow: number): Img {
  const h = x.length;
  const w = x[0].length;
  const at = (o: number, n: number, on: number) => {
    const s = on > 1 ? (o * (n - 1)) / (on - 1) : 0;
    const f = Math.floor(s);
    return { a: f, b: Math.min(f + 1, n - 1), t: s - f };
  };
  return Array.from({ length: oh }, (_, i) => {
    const r = at(i, h, oh);
    return Array.from({ length: ow }, (_, j) => {
      const c = at(j, w, ow);
      return x[0][0].map(
        (_, ch) =>
          (1 - r.t) * ((1 - c.t) * x[r.a][c.a][ch] + c.t * x[r.a][c.b][ch]) + r.t * ((1 - c.t) * x[r.b][c.a][ch] + c.t * x[r.b][c.b][ch]),
      );
    });
  });
}

const leaky = (x: Img): Img => x.map((r) => r.map((p) => p.map((v) => (v > 0 ? v : 0.2 * v))));
const concat = (a: Img, b: Img): Img => a.map((r, i) => r.map((p, j) => [...p, ...b[i][j]]));

test.each([
  ['paper / TF2 (half-pixel, LeakyReLU after both convs)', false],
  ['published nyu.h5 (align corners, LeakyReLU after convB only)', true],
])('matches the float64 reference on odd-sized feature maps: %s', (_, published) => {
  const sizes: [number, number][] = [
    [13, 18], // stride 2 of a 25x35 input
    [7, 9],
    [4, 5],
    [2, 3],
    [1, 2],
  ];
  const channels = [2, 3, 3, 4, 5];
  const feats = sizes.map(([h, w], i) => ({
    name: `f${i}`,
    tensor: tf.input({ shape: [h, w, channels[i]] }),
    channels: channels[i],
    stride: 2 ** (i + 1),
  }));
  const dec = denseDepthDecoder(published ? { width: 16, seed: 11, alignCorners: true, leakyAfterConvA: false } : { width: 16, seed: 11 });
  expect(dec.options).toMatchObject({ leakyAfterConvA: !published, alignCorners: published });
  const out = dec.build(feats);
  const model = tf.model({ inputs: feats.map((f) => f.tensor), outputs: out.tensor });
  // non-zero biases so that they are checked too
  for (const l of dec.layers) {
    const ws = l.getWeights();
    if (ws.length === 2) l.setWeights([ws[0], tf.randomUniform(ws[1].shape, -0.5, 0.5, 'float32', 5)]);
  }
  const values = sizes.map(([h, w], i) => tf.randomUniform([1, h, w, channels[i]], -1, 1, 'float32', 20 + i));
  const got = (model.predict(values) as tf.Tensor).squeeze([0]).arraySync() as Img;

  const layer = (name: string) => dec.layers.find((l) => l.name === name)!.getWeights();
  const imgs = values.map((v) => v.squeeze([0]).arraySync() as Img);
  let x = conv(imgs[4], ...(layer('conv2') as [tf.Tensor, tf.Tensor]));
  for (let i = 0; i < 4; i++) {
    const skip = imgs[3 - i];
    const up = (published ? resizeAlignCorners : resizeHalfPixel)(x, skip.length, skip[0].length);
    x = conv(concat(up, skip), ...(layer(`up${i + 1}_convA`) as [tf.Tensor, tf.Tensor]));
    if (!published) x = leaky(x);
    x = leaky(conv(x, ...(layer(`up${i + 1}_convB`) as [tf.Tensor, tf.Tensor])));
  }
  const want = conv(x, ...(layer('conv3') as [tf.Tensor, tf.Tensor]));

  expect(got.length).toBe(13);
  expect(got[0].length).toBe(18);
  let maxErr = 0;
  want.forEach((r, i) => r.forEach((p, j) => p.forEach((v, c) => (maxErr = Math.max(maxErr, Math.abs(v - got[i][j][c]))))));
  expect(maxErr).toBeLessThan(1e-4);
  expect(dec.layers.map((l) => l.name).filter((n) => /leakyrelu/.test(n))).toHaveLength(published ? 4 : 8);
  tf.dispose(values);
  model.dispose();
});
