/**
 * PNG reading and writing in plain JavaScript (fast-png), so that 8- and 16-bit PNGs decode and encode the same
 * way in Node and in browsers, with no native code. fast-png is loaded on first use.
 */
import { DepthblocksError } from './errors';

/** A decoded PNG: `channels` interleaved values per pixel, Uint8Array for 8-bit, Uint16Array for 16-bit. */
export interface PngImage {
  data: Uint8Array | Uint16Array;
  width: number;
  height: number;
  /** 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  bitDepth: 8 | 16;
}

type FastPng = typeof import('fast-png', { with: { 'resolution-mode': 'import' } });
let loading: Promise<FastPng> | null = null;

/** fast-png is ESM-only: a dynamic import loads it from CommonJS too. */
function fastPng(): Promise<FastPng> {
  loading ??= import('fast-png');
  return loading;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * True when `bytes` start with the PNG signature.
 *
 * @example
 * hasPngSignature(await (await fetch('depth.png')).bytes()); // true
 */
export function hasPngSignature(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

/**
 * Decodes a PNG. 1-, 2- and 4-bit images are widened to 8 bits and palette images expanded to RGB(A), so `data`
 * is always 8- or 16-bit samples; 16-bit values are returned unchanged (e.g. millimetres of a depth PNG).
 *
 * @example
 * const png = await decodePng(bytes, 'depth.png'); // { width: 640, height: 480, channels: 1, bitDepth: 16, data: Uint16Array }
 */
export async function decodePng(bytes: Uint8Array, source = '<buffer>'): Promise<PngImage> {
  if (!hasPngSignature(bytes)) {
    throw new DepthblocksError('CORRUPT_FILE', `${source} is not a PNG file (no PNG signature); expected a .png image`, { path: source });
  }
  const { decode, convertIndexedToRgb } = await fastPng();
  let png: ReturnType<typeof decode>;
  let data: Uint8Array | Uint8ClampedArray | Uint16Array;
  try {
    png = decode(bytes);
    data = png.palette ? convertIndexedToRgb(png) : png.data;
  } catch (e) {
    throw new DepthblocksError(
      'CORRUPT_FILE',
      `Could not decode PNG ${source}: ${(e as Error).message}. The file is truncated or damaged; re-extract or re-download it.`,
      { path: source },
    );
  }
  const { width, height } = png;
  if (png.depth < 8 && !png.palette) return widenLowBitDepth(data as Uint8Array, width, height, png.channels as 1 | 2, png.depth);
  const channels = (data.length / (width * height)) as PngImage['channels'];
  if (data instanceof Uint16Array) return { data, width, height, channels, bitDepth: 16 };
  return {
    data: data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.length),
    width,
    height,
    channels,
    bitDepth: 8,
  };
}

/** 1-, 2- or 4-bit grey samples (packed most significant bits first, rows padded to whole bytes) scaled to 8 bits. */
function widenLowBitDepth(packed: Uint8Array, width: number, height: number, channels: 1 | 2, bits: number): PngImage {
  const out = new Uint8Array(width * height * channels);
  const rowBytes = Math.ceil((width * channels * bits) / 8);
  const max = (1 << bits) - 1;
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < width * channels; i++) {
      const bit = i * bits;
      const v = (packed[y * rowBytes + (bit >> 3)] >> (8 - bits - (bit & 7))) & max;
      out[y * width * channels + i] = Math.round((v * 255) / max);
    }
  }
  return { data: out, width, height, channels, bitDepth: 8 };
}

/**
 * Encodes interleaved samples as a PNG: a Uint16Array gives a 16-bit PNG, a Uint8Array an 8-bit one.
 *
 * @example
 * const png = await encodePng({ data: Uint16Array.from(depthMm), width: 640, height: 480, channels: 1 });
 */
export async function encodePng(image: {
  data: Uint8Array | Uint16Array;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}): Promise<Uint8Array> {
  const { data, width, height, channels } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new DepthblocksError('INVALID_ARGUMENT', `encodePng: width and height must be positive integers, got ${width}x${height}`);
  }
  if (data.length !== width * height * channels) {
    throw new DepthblocksError(
      'SHAPE_MISMATCH',
      `encodePng: ${data.length} values do not make a ${width}x${height} image with ${channels} channel(s) (expected ${width * height * channels})`,
    );
  }
  const { encode } = await fastPng();
  return encode({ data, width, height, channels, depth: data instanceof Uint16Array ? 16 : 8 });
}

/**
 * Encodes depth in metres as a 16-bit grey PNG with `value = round(metres / scale)` (clamped to 0..65535;
 * invalid and non-finite depth are written as 0). `scale = 1/1000` writes millimetres, KITTI uses `1/256`.
 *
 * @example
 * const png = await encodeDepthPng(depthMetres, 640, 480, 1 / 1000); // millimetres
 */
export async function encodeDepthPng(depth: ArrayLike<number>, width: number, height: number, scale: number): Promise<Uint8Array> {
  if (!(scale > 0) || !Number.isFinite(scale)) {
    throw new DepthblocksError('INVALID_ARGUMENT', `encodeDepthPng: scale must be a positive number of metres per unit, got ${scale}`);
  }
  const v = new Uint16Array(depth.length);
  for (let i = 0; i < v.length; i++) {
    const d = depth[i];
    v[i] = Number.isFinite(d) && d > 0 ? Math.min(65535, Math.round(d / scale)) : 0;
  }
  return encodePng({ data: v, width, height, channels: 1 });
}
