/**
 * Protocols on synthetic maps: a probe pixel just inside and just outside every crop edge, depth caps
 * at their exact values, clamping, median scaling, resizing, crops at other sizes, averaging.
 */
import {
  DepthAccumulator,
  OrdinalAccumulator,
  applyProtocol,
  createAccumulator,
  getProtocol,
  listProtocols,
  registerProtocol,
  resizeBilinear,
} from '../src';
import type { DepthProtocolName } from '../src';

/** gt = 2 everywhere, pred = 2 except one probe pixel with pred 4 (ratio 2: fails d1). */
function probe(name: DepthProtocolName, h: number, w: number, y: number, x: number): number {
  const gt = new Float32Array(h * w).fill(2);
  const pred = new Float32Array(h * w).fill(2);
  pred[y * w + x] = 4;
  const acc = new DepthAccumulator(name);
  acc.add({ gt, pred, width: w, height: h });
  return acc.result().metrics.d1;
}
const inside = (name: DepthProtocolName, h: number, w: number, y: number, x: number): boolean => probe(name, h, w, y, x) < 1;

describe('crops at the native size: probe just inside / just outside each edge', () => {
  it('nyu-densedepth: rows 20..459, cols 24..615 inclusive (480x640)', () => {
    const n = 'nyu-densedepth';
    expect([inside(n, 480, 640, 20, 300), inside(n, 480, 640, 19, 300)]).toEqual([true, false]);
    expect([inside(n, 480, 640, 459, 300), inside(n, 480, 640, 460, 300)]).toEqual([true, false]);
    expect([inside(n, 480, 640, 200, 24), inside(n, 480, 640, 200, 23)]).toEqual([true, false]);
    expect([inside(n, 480, 640, 200, 615), inside(n, 480, 640, 200, 616)]).toEqual([true, false]);
    expect(getProtocol(n).crop(480, 640)).toEqual({ top: 20, bottom: 460, left: 24, right: 616 });
  });
  it('nyu-eigen: [45:471, 41:601] (480x640)', () => {
    const n = 'nyu-eigen';
    expect([inside(n, 480, 640, 45, 300), inside(n, 480, 640, 44, 300)]).toEqual([true, false]);
    expect([inside(n, 480, 640, 470, 300), inside(n, 480, 640, 471, 300)]).toEqual([true, false]);
    expect([inside(n, 480, 640, 200, 41), inside(n, 480, 640, 200, 40)]).toEqual([true, false]);
    expect([inside(n, 480, 640, 200, 600), inside(n, 480, 640, 200, 601)]).toEqual([true, false]);
  });
  it('kitti-eigen-garg at 375x1242: rows 153..370, cols 44..1196 (trunc of the Garg fractions)', () => {
    const n = 'kitti-eigen-garg';
    // 0.40810811 * 375 = 153.04, 0.99189189 * 375 = 371.96, 0.03594771 * 1242 = 44.65, 0.96405229 * 1242 = 1197.35
    expect(getProtocol(n).crop(375, 1242)).toEqual({ top: 153, bottom: 371, left: 44, right: 1197 });
    expect([inside(n, 375, 1242, 153, 600), inside(n, 375, 1242, 152, 600)]).toEqual([true, false]);
    expect([inside(n, 375, 1242, 370, 600), inside(n, 375, 1242, 371, 600)]).toEqual([true, false]);
    expect([inside(n, 375, 1242, 200, 44), inside(n, 375, 1242, 200, 43)]).toEqual([true, false]);
    expect([inside(n, 375, 1242, 200, 1196), inside(n, 375, 1242, 200, 1197)]).toEqual([true, false]);
  });
});

describe('crops at other sizes', () => {
  it("'scale' (default) scales the NYU crops proportionally; 'strict' refuses", () => {
    expect(getProtocol('nyu-densedepth').crop(240, 320)).toEqual({ top: 10, bottom: 230, left: 12, right: 308 });
    expect(getProtocol('nyu-eigen').crop(240, 320)).toEqual({ top: 23, bottom: 236, left: 21, right: 301 }); // 22.5, 235.5, 20.5, 300.5 rounded
    expect(() => getProtocol('nyu-eigen', { cropMode: 'strict' }).crop(240, 320)).toThrow(/defined for 480x640 ground truth, got 240x320/);
    expect(getProtocol('nyu-eigen', { cropMode: 'strict' }).crop(480, 640)).toEqual({ top: 45, bottom: 471, left: 41, right: 601 });
    expect(getProtocol('kitti-eigen-garg').crop(376, 1241)).toEqual({ top: 153, bottom: 372, left: 44, right: 1196 });
  });
});

describe('depth caps, clamping, median scaling', () => {
  const W = 640;
  const H = 480;
  const at = (y: number, x: number): number => y * W + x;
  it('nyu-eigen keeps 1e-3 < y < 10 (exclusive) and clamps the prediction to [1e-3, 10]', () => {
    const gt = new Float32Array(H * W); // all invalid
    const pred = new Float32Array(H * W).fill(5);
    gt[at(100, 100)] = 1e-3; // out: float32(1e-3) is not > 1e-3 compared in float32 (as numpy does)
    gt[at(100, 101)] = 0.0011; // in
    gt[at(100, 102)] = 9.999; // in
    gt[at(100, 103)] = 10; // out (not < 10)
    gt[at(100, 104)] = 9; // in, pred 20 -> clamped to 10
    pred[at(100, 104)] = 20;
    gt[at(100, 105)] = 2; // in, pred NaN -> 1e-3
    pred[at(100, 105)] = NaN;
    const r = applyProtocol(getProtocol('nyu-eigen'), { gt, pred, width: W, height: H });
    expect(Array.from(r.gt)).toEqual([Math.fround(0.0011), Math.fround(9.999), 9, 2]);
    expect(Array.from(r.pred)).toEqual([5, 5, 10, Math.fround(1e-3)]);
  });
  it('nyu-densedepth has no caps and no clamp: a zero prediction is an error', () => {
    const gt = new Float32Array(H * W).fill(50);
    const pred = new Float32Array(H * W).fill(1);
    pred[at(100, 100)] = 0;
    const acc = new DepthAccumulator('nyu-densedepth');
    expect(() => acc.add({ gt, pred, width: W, height: H })).toThrow(/prediction at valid pixel .* is 0/);
  });
  it('kitti: caps 1e-3 < y < 80, clamp to 80, median scaling p *= median(y) / median(p)', () => {
    const h = 20;
    const w = 40; // crop rows 8..19, cols 1..38
    const gt = new Float32Array(h * w);
    const pred = new Float32Array(h * w).fill(1);
    gt[10 * w + 5] = 80; // out
    gt[10 * w + 6] = 79.5; // in
    gt[10 * w + 7] = 4; // in
    gt[10 * w + 8] = 10; // in
    pred[10 * w + 6] = 100; // clamped to 80
    pred[10 * w + 7] = 2;
    pred[10 * w + 8] = 5;
    const plain = applyProtocol(getProtocol('kitti-eigen-garg'), { gt, pred, width: w, height: h });
    expect(Array.from(plain.gt)).toEqual([79.5, 4, 10]);
    expect(Array.from(plain.pred)).toEqual([80, 2, 5]);
    const scaled = applyProtocol(getProtocol('kitti-eigen-garg', { medianScaling: true }), { gt, pred, width: w, height: h });
    // median(gt) = 10, median(pred) = 5 -> scale 2 -> [200 -> 80, 4, 10]
    expect(scaled.scale).toBe(2);
    expect(Array.from(scaled.pred)).toEqual([80, 4, 10]);
  });
  it('median of an even count is the mean of the two middle values (numpy)', () => {
    const h = 20;
    const w = 40;
    const gt = new Float32Array(h * w);
    const pred = new Float32Array(h * w).fill(1);
    [1, 2, 3, 10].forEach((v, i) => {
      gt[12 * w + 10 + i] = v;
      pred[12 * w + 10 + i] = 1;
    });
    const r = applyProtocol(getProtocol('kitti-eigen-garg', { medianScaling: true }), { gt, pred, width: w, height: h });
    expect(r.scale).toBe(2.5);
  });
});

describe('resizing and averaging', () => {
  it('a prediction of another size is resized bilinearly to the ground truth first', () => {
    const gt = new Float32Array(480 * 640).fill(3);
    const small = Float32Array.from({ length: 240 * 320 }, (_, i) => 1 + (i % 320) / 100);
    const acc = new DepthAccumulator('nyu-densedepth');
    const m = acc.add({ gt, pred: small, width: 640, height: 480, predWidth: 320, predHeight: 240 });
    const up = resizeBilinear(small, 240, 320, 480, 640);
    const acc2 = new DepthAccumulator('nyu-densedepth');
    expect(acc2.add({ gt, pred: up, width: 640, height: 480 })).toEqual(m);
    expect(() => acc.add({ gt, pred: small, width: 640, height: 480 })).toThrow(/pass predWidth\/predHeight/);
  });
  it('whole-set stacks pixels; per-image averages image metrics (two images of unequal valid counts)', () => {
    const w = 40;
    const h = 30;
    const a = { gt: new Float32Array(h * w), pred: new Float32Array(h * w).fill(1), width: w, height: h };
    const b = { gt: new Float32Array(h * w), pred: new Float32Array(h * w).fill(1), width: w, height: h };
    // image a: 1 valid pixel with abs rel 1 (gt 0.5, pred 1); image b: 3 valid pixels with abs rel 0 (gt 1)
    a.gt[15 * w + 20] = 0.5;
    b.gt[15 * w + 20] = 1;
    b.gt[15 * w + 21] = 1;
    b.gt[16 * w + 20] = 1;
    for (const name of ['nyu-densedepth', 'nyu-eigen'] as const) {
      const acc = new DepthAccumulator(name);
      acc.add(a);
      acc.add(b);
      const r = acc.result();
      expect(r.wholeSet.absRel).toBeCloseTo(1 / 4, 12);
      expect(r.perImage.absRel).toBeCloseTo(1 / 2, 12);
      expect(r.metrics.absRel).toBeCloseTo(name === 'nyu-densedepth' ? 1 / 4 : 1 / 2, 12);
      expect(r.pixels).toBe(4);
    }
  });
  it('images without valid pixels are skipped and counted; an empty evaluation errors', () => {
    const acc = new DepthAccumulator('nyu-eigen');
    expect(acc.add({ gt: new Float32Array(12), pred: new Float32Array(12).fill(1), width: 4, height: 3 })).toBeNull();
    expect(() => acc.result()).toThrow(/no image with valid pixels was added \(1 skipped\)/);
    expect(() => getProtocol('nyu-v3' as never)).toThrow(
      /^Unknown protocol "nyu-v3".*; registered protocols: nyu-densedepth, nyu-eigen, kitti-eigen-garg, diw/,
    );
    expect(() => new DepthAccumulator('diw')).toThrow(/'diw' is an ordinal protocol/);
  });
  it('a protocol registered from outside works with the accumulators', () => {
    expect(listProtocols().map((p) => p.name)).toEqual(['nyu-densedepth', 'nyu-eigen', 'kitti-eigen-garg', 'diw']);
    registerProtocol(
      'nyu-centre-test',
      (o) => ({
        ...getProtocol('nyu-eigen', o),
        name: 'nyu-centre-test',
        crop: (h, w) => ({ top: 1, bottom: h - 1, left: 1, right: w - 1 }),
      }),
      { kind: 'depth', description: 'test: one-pixel border' },
    );
    const acc = createAccumulator('nyu-centre-test');
    const gt = Float32Array.from({ length: 12 }, (_, i) => 1 + i / 10);
    acc.add({ gt, pred: gt.map((v) => v * 1.1), width: 4, height: 3 });
    const r = acc.result();
    expect(r.protocol).toBe('nyu-centre-test');
    expect(r.metrics.absRel).toBeCloseTo(0.1, 6);
    expect(r.perImage.absRel).toBeCloseTo(0.1, 6);
    expect(DepthAccumulator.fromJSON(acc.toJSON()).result()).toEqual(r);
    expect(createAccumulator('diw')).toBeInstanceOf(OrdinalAccumulator);
  });
});
