/**
 * The portable image codecs (the browser entry's decodeRgb / decodeGrey / decodeDepthPng / encoders) against sharp,
 * an independent decoder: every PNG kind gives the same values, the real NYU and KITTI depth PNGs the same metres.
 * (The browser's own JPEG path runs only in a browser; here it must fail with a clear message.)
 */
import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { DepthblocksError } from '@depthblocks/core';
import * as portable from '../src/image-io';
import * as node from '../src/image-io-node';
import { decodeGreyPngReference, patternRgb, patternU16 } from './helpers';

const real = path.resolve(__dirname, '../../../../shared/data/real');
const hasReal = fs.existsSync(real);
if (!hasReal) console.warn(`SKIPPED: real-file checks of the portable decoders (no ${real})`);

async function png(raw: Uint8Array | Uint16Array, width: number, height: number, channels: 1 | 2 | 3 | 4, options: sharp.PngOptions = {}) {
  const img = sharp(raw, { raw: { width, height, channels } });
  return new Uint8Array(
    await (raw instanceof Uint16Array ? img.toColourspace(channels < 3 ? 'grey16' : 'rgb16') : img).png(options).toBuffer(),
  );
}

describe('portable image codecs', () => {
  test('8-bit RGB, RGBA, grey and grey+alpha PNGs decode to the RGB sharp gives', async () => {
    const w = 21;
    const h = 13;
    const rgb = patternRgb(w, h, 5);
    const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 29 + 7) & 255);
    const grey = new Uint8Array(w * h).map((_, i) => (i * 13) & 255);
    const greyAlpha = new Uint8Array(w * h * 2).map((_, i) => (i * 17 + 3) & 255);
    const cases: [Uint8Array, 1 | 2 | 3 | 4][] = [
      [rgb, 3],
      [rgba, 4],
      [grey, 1],
      [greyAlpha, 2],
    ];
    for (const [raw, channels] of cases) {
      const bytes = await png(raw, w, h, channels);
      const mine = await portable.decodeRgb(bytes, 'p.png');
      const ref = await node.decodeRgb(bytes, 'p.png');
      expect([mine.width, mine.height]).toEqual([w, h]);
      expect(Buffer.from(mine.data).equals(Buffer.from(ref.data))).toBe(true);
    }
  });

  test('palette and 16-bit RGB PNGs decode as sharp decodes them', async () => {
    const w = 17;
    const h = 9;
    const palette = await png(patternRgb(w, h, 1), w, h, 3, { palette: true, colours: 16, dither: 0 });
    expect(Buffer.from((await portable.decodeRgb(palette)).data).equals(Buffer.from((await node.decodeRgb(palette)).data))).toBe(true);
    const rgb16 = new Uint16Array(w * h * 3).map((_, i) => (i * 2741 + 13) & 65535);
    const deep = await png(rgb16, w, h, 3);
    const mine = await portable.decodeRgb(deep);
    expect(Buffer.from(mine.data).equals(Buffer.from((await node.decodeRgb(deep)).data))).toBe(true);
    expect(mine.data[4]).toBe(rgb16[4] >> 8);
  });

  test('16-bit grey PNG keeps every stored value (checked against a PNG-spec decoder); 8-bit stays 8-bit', async () => {
    const w = 19;
    const h = 11;
    const v = patternU16(w, h);
    v[3] = 65535;
    const bytes = await png(v, w, h, 1);
    const g = await portable.decodeGrey(bytes, 'd.png');
    expect(g.bitDepth).toBe(16);
    expect(Array.from(g.data)).toEqual(decodeGreyPngReference(bytes).data);
    const eight = await portable.decodeGrey(await png(Uint8Array.from([0, 51, 255, 128]), 2, 2, 1));
    expect(eight.bitDepth).toBe(8);
    expect(Array.from(eight.data)).toEqual([0, 51, 255, 128]);
  });

  test('the encoders write PNGs that sharp reads back exactly (RGB, 8- and 16-bit grey, depth in mm)', async () => {
    const w = 23;
    const h = 7;
    const rgb = patternRgb(w, h, 2);
    const back = await node.decodeRgb(await portable.encodeRgb(rgb, w, h, 'png'));
    expect(Buffer.from(back.data).equals(Buffer.from(rgb))).toBe(true);
    const v = patternU16(w, h, 3);
    const g16 = await node.decodeGrey(await portable.encodeGreyPng(v, w, h));
    expect(g16.bitDepth).toBe(16);
    expect(Array.from(g16.data)).toEqual(Array.from(v));
    const depth = Float32Array.of(1.5, 0, NaN, -1, 2.0004, 1000);
    expect(Array.from((await node.decodeGrey(await portable.encodeDepthPng(depth, 3, 2, 1 / 1000))).data)).toEqual([
      1500, 0, 0, 0, 2000, 65535,
    ]);
  });

  (hasReal ? test : test.skip)('real NYU and KITTI depth PNGs and a KITTI RGB frame: the same values as sharp', async () => {
    const files: [string, number][] = [
      ['nyu/bookstore_0001d_00001.png', 1 / 1000],
      ['kitti/annotated_groundtruth/0000000005.png', 1 / 256],
      ['kitti/raw/2011_09_26/2011_09_26_drive_0023_sync/proj_depth/velodyne/image_02/0000000000.png', 1 / 256],
    ];
    for (const [file, scale] of files) {
      const bytes = new Uint8Array(fs.readFileSync(path.join(real, file)));
      const mine = await portable.decodeDepthPng(bytes, scale, file);
      const ref = await node.decodeDepthPng(bytes, scale, file);
      expect([mine.width, mine.height, mine.bitDepth]).toEqual([ref.width, ref.height, 16]);
      expect(Buffer.from(mine.depth.buffer).equals(Buffer.from(ref.depth.buffer))).toBe(true);
    }
    const frame = new Uint8Array(
      fs.readFileSync(path.join(real, 'kitti/raw/2011_09_26/2011_09_26_drive_0023_sync/image_02/data/0000000000.png')),
    );
    const mine = await portable.decodeRgb(frame);
    expect([mine.width, mine.height]).toEqual([1242, 375]);
    expect(Buffer.from(mine.data).equals(Buffer.from((await node.decodeRgb(frame)).data))).toBe(true);
  });

  test('outside a browser, JPEG asks for the Node entry; broken PNGs are CORRUPT_FILE naming the file', async () => {
    const jpeg = await node.encodeRgb(patternRgb(8, 8), 8, 8, 'jpeg');
    const err = await portable.decodeRgb(jpeg, 'photo.jpg').catch((e) => e);
    expect(err).toBeInstanceOf(DepthblocksError);
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.message).toMatch(/photo\.jpg.*createImageBitmap.*sharp/s);
    const enc = await portable.encodeRgb(patternRgb(8, 8), 8, 8, 'jpeg').catch((e) => e);
    expect(enc.code).toBe('UNSUPPORTED');
    const bytes = await portable.encodeRgb(patternRgb(16, 16), 16, 16);
    const broken = await portable.decodeRgb(bytes.slice(0, 60), 'broken.png').catch((e) => e);
    expect(broken.code).toBe('CORRUPT_FILE');
    expect(broken.message).toContain('broken.png');
  });
});
