import { DepthblocksError, Rng, depthToTarget, targetToDepth, type Sample } from '@depthblocks/core';
import {
  centerCrop,
  compose,
  cropSample,
  flipSample,
  kbCropSample,
  permuteChannels,
  randomChannelPermutation,
  randomCrop,
  randomHorizontalFlip,
  resizeBilinearU8,
  resizeNearestF32,
  resizeSample,
  resizeValidBilinearF32,
} from '../src/transforms';
import { patternRgb } from './helpers';

function sample(w: number, h: number, seed = 0): Sample {
  const depth = new Float32Array(w * h);
  for (let i = 0; i < depth.length; i++) depth[i] = 1 + (i % 17) * 0.25;
  return {
    id: `s${seed}`,
    rgb: patternRgb(w, h, seed),
    depth,
    width: w,
    height: h,
    intrinsics: { fx: 100, fy: 90, cx: (w - 1) / 2, cy: (h - 1) / 2 },
    pairs: [{ ya: 1, xa: 2, yb: h - 1, xb: w - 1, relation: 1 }],
  };
}

/** Independent float64 reference of half-pixel-centre bilinear resize (tf.image.resize, align_corners=false). */
function refBilinear(src: ArrayLike<number>, h: number, w: number, oh: number, ow: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const sy = Math.min(h - 1, Math.max(0, ((y + 0.5) * h) / oh - 0.5));
      const sx = Math.min(w - 1, Math.max(0, ((x + 0.5) * w) / ow - 0.5));
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const y1 = Math.min(h - 1, y0 + 1);
      const x1 = Math.min(w - 1, x0 + 1);
      const at = (yy: number, xx: number): number => src[yy * w + xx];
      const v =
        at(y0, x0) * (1 - (sy - y0)) * (1 - (sx - x0)) +
        at(y0, x1) * (1 - (sy - y0)) * (sx - x0) +
        at(y1, x0) * (sy - y0) * (1 - (sx - x0)) +
        at(y1, x1) * (sy - y0) * (sx - x0);
      out.push(v);
    }
  }
  return out;
}

describe('resize', () => {
  test('bilinear upsampling matches hand-computed values', () => {
    const src = Uint8Array.of(0, 100, 200, 40);
    const out = resizeBilinearU8(src, 2, 2, 1, 4, 4);
    expect(out[0]).toBe(0); // clamped corner
    expect(out[1]).toBe(25); // x = 0.25 between 0 and 100
    expect(out[5]).toBe(59); // 25 + (160 - 25) * 0.25 = 58.75
    expect(out[15]).toBe(40);
  });

  test('bilinear downsampling by 2 averages 2x2 blocks', () => {
    const src = Uint8Array.from({ length: 16 }, (_, i) => i * 10);
    const out = resizeBilinearU8(src, 4, 4, 1, 2, 2);
    // block (0,0): 0,10,40,50 -> 25
    expect(Array.from(out)).toEqual([25, 45, 105, 125]);
  });

  test('bilinear RGB matches a float64 reference on a pattern, per channel', () => {
    const w = 13;
    const h = 9;
    const rgb = patternRgb(w, h, 5);
    const out = resizeBilinearU8(rgb, h, w, 3, 7, 20);
    for (let c = 0; c < 3; c++) {
      const ch = Array.from({ length: w * h }, (_, i) => rgb[i * 3 + c]);
      const ref = refBilinear(ch, h, w, 7, 20);
      for (let i = 0; i < ref.length; i++) expect(Math.abs(out[i * 3 + c] - ref[i])).toBeLessThanOrEqual(0.5 + 1e-9);
    }
  });

  test('nearest depth picks floor((i + 0.5) * in / out)', () => {
    const src = Float32Array.from({ length: 16 }, (_, i) => i);
    expect(Array.from(resizeNearestF32(src, 4, 4, 2, 2))).toEqual([5, 7, 13, 15]);
    expect(Array.from(resizeNearestF32(Float32Array.of(1, 2), 1, 2, 1, 4))).toEqual([1, 1, 2, 2]);
  });

  test('validity-aware bilinear ignores invalid neighbours', () => {
    const src = Float32Array.of(2, 0, 4, 0);
    // 2x2 -> 1x1: centre, equal weights; valid are 2 and 4 -> 3 (plain bilinear would give 1.5)
    expect(resizeValidBilinearF32(src, 2, 2, 1, 1)[0]).toBeCloseTo(3, 6);
    expect(resizeValidBilinearF32(new Float32Array(4), 2, 2, 1, 1)[0]).toBe(0);
  });

  test('resizeSample scales intrinsics and rescales pairs with floor and clamp', () => {
    const s = sample(640, 480);
    s.pairs = [{ ya: 479, xa: 639, yb: 1, xb: 3, relation: -1 }];
    const r = resizeSample(s, 240, 320);
    expect([r.width, r.height, r.rgb.length, r.depth.length]).toEqual([320, 240, 320 * 240 * 3, 320 * 240]);
    expect(r.pairs).toEqual([{ ya: 239, xa: 319, yb: 0, xb: 1, relation: -1 }]);
    expect(r.intrinsics!.fx).toBeCloseTo(50, 10);
    expect(r.intrinsics!.fy).toBeCloseTo(45, 10);
    expect(r.intrinsics!.cx).toBeCloseTo((319.5 + 0.5) * 0.5 - 0.5, 10);
    expect(() => resizeSample(s, 0, 10)).toThrow(DepthblocksError);
  });
});

describe('crop and flip', () => {
  test('cropSample copies the window, shifts the principal point and keeps only inside pairs', () => {
    const s = sample(10, 8);
    s.pairs = [
      { ya: 3, xa: 4, yb: 5, xb: 6, relation: 1 },
      { ya: 0, xa: 0, yb: 5, xb: 6, relation: -1 },
    ];
    const c = cropSample(s, 2, 3, 4, 5);
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 5; x++) {
        const src = (y + 2) * 10 + (x + 3);
        expect(c.depth[y * 5 + x]).toBe(s.depth[src]);
        expect(c.rgb[(y * 5 + x) * 3 + 2]).toBe(s.rgb[src * 3 + 2]);
      }
    }
    expect(c.pairs).toEqual([{ ya: 1, xa: 1, yb: 3, xb: 3, relation: 1 }]);
    expect(c.intrinsics!.cx).toBeCloseTo(4.5 - 3, 10);
    expect(() => cropSample(s, 6, 0, 4, 4)).toThrow(/does not fit/);
  });

  test('flip mirrors pixels, pairs and cx; twice is the identity', () => {
    const s = sample(7, 3);
    const f = flipSample(s);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 7; x++) {
        expect(f.depth[y * 7 + x]).toBe(s.depth[y * 7 + 6 - x]);
        expect(f.rgb[(y * 7 + x) * 3]).toBe(s.rgb[(y * 7 + 6 - x) * 3]);
      }
    }
    expect(f.pairs![0]).toEqual({ ya: 1, xa: 4, yb: 2, xb: 0, relation: 1 });
    expect(f.intrinsics!.cx).toBeCloseTo(3, 10);
    const ff = flipSample(f);
    expect(Array.from(ff.rgb)).toEqual(Array.from(s.rgb));
    expect(Array.from(ff.depth)).toEqual(Array.from(s.depth));
  });

  test('randomCrop, centerCrop and kbCrop place the window where they should', () => {
    const s = sample(12, 9);
    const rc = randomCrop({ height: 4, width: 5 });
    const a = rc(s, new Rng(3));
    const b = rc(s, new Rng(3));
    expect(Array.from(a.depth)).toEqual(Array.from(b.depth));
    const offsets = new Set<string>();
    const rng = new Rng(1);
    for (let k = 0; k < 200; k++) {
      const c = rc(s, rng);
      offsets.add(`${c.intrinsics!.cx}`);
    }
    expect(offsets.size).toBe(12 - 5 + 1); // every left offset occurs
    const cc = centerCrop({ height: 4, width: 5 })(s, new Rng(0));
    expect(cc.depth[0]).toBe(s.depth[2 * 12 + 3]);
    const big = sample(1242, 375);
    const kb = kbCropSample(big);
    expect([kb.height, kb.width]).toEqual([352, 1216]);
    expect(kb.depth[0]).toBe(big.depth[23 * 1242 + 13]);
    expect(() => kbCropSample(sample(100, 100))).toThrow(/KB crop/);
  });

  test('randomHorizontalFlip is seeded and flips about p of the time', () => {
    const s = sample(4, 2);
    const t = randomHorizontalFlip(0.5);
    const rng1 = new Rng(7);
    const rng2 = new Rng(7);
    let flipped = 0;
    for (let k = 0; k < 400; k++) {
      const a = t(s, rng1);
      const b = t(s, rng2);
      expect(a.rgb[0]).toBe(b.rgb[0]);
      if (a !== s) flipped++;
    }
    expect(flipped).toBeGreaterThan(150);
    expect(flipped).toBeLessThan(250);
    expect(() => randomHorizontalFlip(1.5)).toThrow(DepthblocksError);
  });
});

describe('channels', () => {
  test('permuteChannels reorders, rejects non-permutations', () => {
    const s = sample(2, 1);
    const p = permuteChannels(s, [2, 0, 1]);
    expect(Array.from(p.rgb.slice(0, 3))).toEqual([s.rgb[2], s.rgb[0], s.rgb[1]]);
    expect(() => permuteChannels(s, [0, 0, 1])).toThrow(/permutation/);
  });

  test('randomChannelPermutation applies with probability p (identity draws included)', () => {
    const s = { ...sample(1, 1), rgb: Uint8Array.of(10, 20, 30) };
    const t = randomChannelPermutation(0.25);
    const rng = new Rng(11);
    let changed = 0;
    const n = 3000;
    for (let k = 0; k < n; k++) if (t(s, rng).rgb[0] !== 10) changed++;
    // P(change of channel 0 at pixel 0) = p * P(perm[0] != 0) = 0.25 * 2/3
    expect(changed / n).toBeGreaterThan(0.25 * (2 / 3) - 0.04);
    expect(changed / n).toBeLessThan(0.25 * (2 / 3) + 0.04);
  });

  test('compose applies left to right with one rng', () => {
    const s = sample(6, 4);
    const t = compose(
      () => flipSample(s),
      (x) => cropSample(x, 0, 0, 2, 2),
    );
    const out = t(s, new Rng(0));
    expect(out.depth[0]).toBe(s.depth[5]);
  });
});

describe("depth normalisation (REFERENCE section 1), core's depthToTarget on a sample's typed arrays", () => {
  const DD = { kind: 'densedepth', minDepth: 0.1, maxDepth: 10 } as const;
  test('DenseDepth: 1000 / clip(cm, 10, 1000), invalid -> 0, and back', () => {
    const d = Float32Array.of(1, 0.05, 20, 0, NaN, -3, 2.5);
    const y = depthToTarget(d, DD);
    expect(Array.from(y.slice(0, 6))).toEqual([10, 100, 1, 0, 0, 0]);
    expect(y[6]).toBeCloseTo(1000 / 250, 6);
    const back = targetToDepth(y, DD);
    expect(back[0]).toBeCloseTo(1, 6);
    expect(back[6]).toBeCloseTo(2.5, 5);
  });

  test('[0, 1] and log', () => {
    expect(Array.from(depthToTarget(Float32Array.of(5, 12, 0), { kind: 'unit', maxDepth: 10 }))).toEqual([0.5, 1, 0]);
    const l = depthToTarget(Float32Array.of(Math.E, 1, 0, NaN), { kind: 'log' });
    expect(l[0]).toBeCloseTo(1, 6);
    expect(Array.from(l.slice(1))).toEqual([0, 0, 0]);
    expect(() => depthToTarget(Float32Array.of(1), { kind: 'unit', maxDepth: 0 })).toThrow(DepthblocksError);
  });
});
