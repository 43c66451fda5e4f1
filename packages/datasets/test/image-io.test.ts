import * as path from 'path';
import { writeFileSync } from 'fs';
import sharp from 'sharp';
import { DepthblocksError } from '@depthblocks/core';
import { encodeDepthPng, encodeGreyPng } from '../src/image-io';
import { decodeDepthPng, decodeGrey, decodeRgb, encodeRgb, imageSize, readFileBytes } from '../src/image-io-node';
import { makeTempDir, patternRgb, patternU16 } from './helpers';

describe('image-io', () => {
  const tmp = makeTempDir();
  afterAll(() => tmp.cleanup());

  test('8-bit RGB PNG round-trips exactly, pixel by pixel', async () => {
    const w = 23;
    const h = 17;
    const rgb = patternRgb(w, h, 3);
    const png = await encodeRgb(rgb, w, h, 'png');
    const img = await decodeRgb(png, 'mem.png');
    expect([img.width, img.height]).toEqual([w, h]);
    expect(Array.from(img.data)).toEqual(Array.from(rgb));
    // a transposed read would put x's pattern in the green channel
    expect(img.data[(5 * w + 9) * 3]).toBe(9 * 7 + 3);
    expect(img.data[(5 * w + 9) * 3 + 1]).toBe(5 * 11 + 9);
  });

  test('JPEG decodes to the right size and close values', async () => {
    const w = 32;
    const h = 24;
    const rgb = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      rgb[i * 3] = 200;
      rgb[i * 3 + 1] = 100;
      rgb[i * 3 + 2] = 50;
    }
    const jpg = await encodeRgb(rgb, w, h, 'jpeg', 95);
    expect(jpg[0]).toBe(0xff);
    expect(jpg[1]).toBe(0xd8);
    const img = await decodeRgb(jpg, 'mem.jpg');
    expect([img.width, img.height]).toEqual([w, h]);
    for (let i = 0; i < w * h * 3; i++) expect(Math.abs(img.data[i] - rgb[i])).toBeLessThanOrEqual(4);
  });

  test('grey and RGBA inputs become 3-channel RGB', async () => {
    const grey = await sharp(Buffer.from([10, 20, 30, 40]), { raw: { width: 2, height: 2, channels: 1 } })
      .png()
      .toBuffer();
    const g = await decodeRgb(grey);
    expect(Array.from(g.data)).toEqual([10, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40]);
    const rgba = await sharp(Buffer.from([1, 2, 3, 255, 4, 5, 6, 128]), { raw: { width: 2, height: 1, channels: 4 } })
      .png()
      .toBuffer();
    expect(Array.from((await decodeRgb(rgba)).data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('16-bit grey PNG keeps every stored value; depth reads back as exact metres', async () => {
    const w = 19;
    const h = 11;
    const v = patternU16(w, h);
    v[3] = 65535;
    v[4] = 1234;
    const png = await encodeGreyPng(v, w, h);
    const g = await decodeGrey(png, 'd.png');
    expect(g.bitDepth).toBe(16);
    expect(g.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(g.data)).toEqual(Array.from(v));
    const mm = await decodeDepthPng(png, 1 / 1000, 'd.png');
    expect(mm.depth[4]).toBeCloseTo(1.234, 6);
    expect(mm.depth[3]).toBeCloseTo(65.535, 5);
    const kitti = await decodeDepthPng(png, 1 / 256);
    expect(kitti.depth[4]).toBe(1234 / 256); // exact in float32
    for (let i = 0; i < v.length; i++) {
      if (v[i] === 0) expect(mm.depth[i]).toBe(0);
      else expect(Math.abs(mm.depth[i] - v[i] / 1000)).toBeLessThan(1e-6 * (v[i] / 1000) + 1e-9);
    }
  });

  test('8-bit depth PNG is decoded as 8-bit; a scale function picks by bit depth', async () => {
    const v = Uint8Array.from([0, 51, 255, 128]);
    const png = await encodeGreyPng(v, 2, 2);
    const g = await decodeGrey(png);
    expect(g.bitDepth).toBe(8);
    expect(Array.from(g.data)).toEqual([0, 51, 255, 128]);
    const d = await decodeDepthPng(png, (bits) => (bits === 8 ? 10 / 255 : 1 / 1000));
    expect(d.depth[1]).toBeCloseTo(2, 6);
    expect(d.depth[2]).toBeCloseTo(10, 6);
  });

  test('encodeDepthPng writes round(m / scale), invalid as 0', async () => {
    const depth = Float32Array.of(1.5, 0, NaN, -1, 2.0004, 1000);
    const png = await encodeDepthPng(depth, 3, 2, 1 / 1000);
    const g = await decodeGrey(png);
    expect(Array.from(g.data)).toEqual([1500, 0, 0, 0, 2000, 65535]);
  });

  test('imageSize reads the header', async () => {
    const png = await encodeRgb(patternRgb(7, 5), 7, 5);
    expect(await imageSize(png)).toEqual({ width: 7, height: 5 });
  });

  test('corrupt bytes give CORRUPT_FILE naming the file; a missing file FILE_NOT_FOUND', async () => {
    const png = await encodeRgb(patternRgb(16, 16), 16, 16);
    const truncated = png.slice(0, 40);
    const p = path.join(tmp.dir, 'broken.png');
    writeFileSync(p, truncated);
    const err = await decodeRgb(await readFileBytes(p), p).catch((e) => e);
    expect(err).toBeInstanceOf(DepthblocksError);
    expect(err.code).toBe('CORRUPT_FILE');
    expect(err.message).toContain('broken.png');
    const garbage = await decodeGrey(new TextEncoder().encode('not an image at all'), 'junk.png').catch((e) => e);
    expect(garbage.code).toBe('CORRUPT_FILE');
    expect(garbage.message).toContain('junk.png');
    const missing = await readFileBytes(path.join(tmp.dir, 'nope.png'), 'RGB image').catch((e) => e);
    expect(missing.code).toBe('FILE_NOT_FOUND');
    expect(missing.message).toContain('nope.png');
  });
});
