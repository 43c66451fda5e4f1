/**
 * Image decoding with sharp (libvips), for Node: every format, and the work runs on libuv's thread pool, so
 * several decodes started together run in parallel off the main thread. sharp is an optional peer dependency,
 * loaded on the first decode; without it these functions say how to install it. PNG encoding is the portable one.
 */
import { promises as fs } from 'fs';
import { DepthblocksError, loadOptional } from '@depthblocks/core';
import {
  corrupt,
  decodeDepthPng as decodeDepthPngPortable,
  depthFromGrey,
  encodeRgb as encodeRgbPortable,
  type GreyImage,
  type RgbImage,
  type Source,
} from './image-io';

type Sharp = typeof import('sharp');
let sharpModule: Sharp | null = null;

/** sharp, loaded on first use, or a MISSING_DEPENDENCY error that says how to get it. */
export function loadSharp(): Sharp {
  sharpModule ??= loadOptional(
    () => require('sharp') as Sharp,
    'Decoding images in Node needs sharp',
    'Install it next to @depthblocks/datasets: npm install sharp. (PNG files also decode without it: decodePng from @depthblocks/core.)',
  );
  return sharpModule;
}

/** Reads a whole file, turning ENOENT into `FILE_NOT_FOUND` with the path and `what` in the message. */
export async function readFileBytes(path: string, what = 'file'): Promise<Uint8Array> {
  try {
    return await fs.readFile(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') {
      throw new DepthblocksError('FILE_NOT_FOUND', `${what} not found: ${path}. Check the dataset root and the list file.`, {
        path,
      });
    }
    throw new DepthblocksError('CORRUPT_FILE', `Could not read ${what} ${path}: ${e.message}`, { path });
  }
}

/**
 * Decodes a JPEG/PNG/WebP (any format sharp reads) to 8-bit RGB. Alpha is dropped and grey images
 * are expanded to three channels.
 *
 * @example
 * const img = await decodeRgb(await fs.promises.readFile('rgb_0001.jpg'), 'rgb_0001.jpg');
 * img.data[(y * img.width + x) * 3 + 0]; // red at (x, y)
 */
export async function decodeRgb(bytes: Uint8Array, source: Source = '<buffer>'): Promise<RgbImage> {
  const sharp = loadSharp();
  let out: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    out = await sharp(bytes, { failOn: 'error' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw corrupt(source, 'RGB image', err);
  }
  const { width, height, channels } = out.info;
  const src = new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
  if (channels === 3) return { data: new Uint8Array(src), width, height };
  // Defensive: expand grey (1 channel) or drop extra channels.
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) data[i * 3 + c] = src[i * channels + (channels === 1 ? 0 : c)];
  }
  return { data, width, height };
}

/**
 * Decodes a single-channel PNG, keeping its bit depth: a 16-bit grey PNG gives a Uint16Array with the
 * stored values unchanged, an 8-bit one a Uint8Array (first channel if it has several).
 *
 * @example
 * const d = await decodeGrey(pngBytes, 'depth.png'); // d.bitDepth === 16, d.data[0] === 1234 (mm)
 */
export async function decodeGrey(bytes: Uint8Array, source: Source = '<buffer>'): Promise<GreyImage> {
  const sharp = loadSharp();
  try {
    const meta = await sharp(bytes).metadata();
    if (meta.depth === 'ushort') {
      const { data, info } = await sharp(bytes, { failOn: 'error' })
        .extractChannel(0)
        .toColourspace('grey16')
        .raw({ depth: 'ushort' })
        .toBuffer({ resolveWithObject: true });
      const u16 = new Uint16Array(info.width * info.height);
      new Uint8Array(u16.buffer).set(new Uint8Array(data.buffer, data.byteOffset, u16.byteLength));
      return { data: u16, width: info.width, height: info.height, bitDepth: 16 };
    }
    const { data, info } = await sharp(bytes, { failOn: 'error' })
      .extractChannel(0)
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height).slice(),
      width: info.width,
      height: info.height,
      bitDepth: 8,
    };
  } catch (err) {
    throw corrupt(source, 'depth image', err);
  }
}

/** Decodes a depth PNG to metres, as the portable `decodeDepthPng` does, with sharp's decoder. */
export const decodeDepthPng: typeof decodeDepthPngPortable = async (bytes, scale, source = '<buffer>') =>
  depthFromGrey(await decodeGrey(bytes, source), scale);

/** Reads image width/height from the header only (no full decode). */
export async function imageSize(bytes: Uint8Array, source: Source = '<buffer>'): Promise<{ width: number; height: number }> {
  const sharp = loadSharp();
  try {
    const m = await sharp(bytes).metadata();
    if (!m.width || !m.height) throw new Error('no size in header');
    return { width: m.width, height: m.height };
  } catch (err) {
    throw corrupt(source, 'image', err);
  }
}

/**
 * Encodes 8-bit RGB (H*W*3) as PNG (the portable encoder) or JPEG (sharp).
 *
 * @example
 * const jpeg = await encodeRgb(sample.rgb, sample.width, sample.height, 'jpeg', 90);
 */
export const encodeRgb: typeof encodeRgbPortable = async (rgb, width, height, format = 'png', quality = 95) => {
  if (format !== 'jpeg') return encodeRgbPortable(rgb, width, height, format, quality);
  const buf = await loadSharp()(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width, height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
};
