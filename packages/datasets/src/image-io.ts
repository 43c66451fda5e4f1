/**
 * Image decoding and encoding in any runtime. PNGs (8- and 16-bit) go through core's JavaScript PNG codec, so a
 * 16-bit depth PNG keeps its values everywhere; JPEG, WebP and other formats use the browser's own decoder
 * (`createImageBitmap` + `OffscreenCanvas`, also in workers). Node's entry replaces the decoders with sharp's
 * (image-io-node.ts), which is faster and reads every format without a browser.
 */
import { DepthblocksError, decodePng, encodePng, hasPngSignature, type PngImage } from '@depthblocks/core';

// One definition of the 16-bit depth PNG, shared with models' writers.
export { encodeDepthPng } from '@depthblocks/core';

/** A decoded 8-bit RGB image, H*W*3 interleaved. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** A decoded single-channel image with its bit depth (8 or 16). */
export interface GreyImage {
  data: Uint8Array | Uint16Array;
  width: number;
  height: number;
  bitDepth: 8 | 16;
}

/** Where the bytes came from, for error messages (a file path, a URL, or `zip:entry`). */
export type Source = string;

/** The CORRUPT_FILE error for bytes that do not decode, naming the source and what to do. */
export function corrupt(source: Source, what: string, err: unknown): DepthblocksError {
  if (err instanceof DepthblocksError && err.code !== 'CORRUPT_FILE') return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new DepthblocksError(
    'CORRUPT_FILE',
    `Could not decode ${what} ${source}: ${msg.trim()}. The file is truncated or not an image; re-extract or re-download it.`,
    { path: source },
  );
}

/** RGBA (or any `channels`) 8-bit pixels of a non-PNG image, decoded by the browser. */
async function decodeWithPlatform(bytes: Uint8Array, source: Source): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas !== 'function') {
    throw new DepthblocksError(
      'UNSUPPORTED',
      `Decoding ${source} needs a browser's createImageBitmap and OffscreenCanvas, which this runtime lacks. ` +
        'PNG files decode anywhere; in Node, import @depthblocks/datasets from Node (its node entry decodes every format with sharp).',
    );
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), { premultiplyAlpha: 'none' });
  } catch (err) {
    throw corrupt(source, 'image', err);
  }
  try {
    const { width, height } = bitmap;
    const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new DepthblocksError('UNSUPPORTED', `Decoding ${source}: this browser gives no 2d context on an OffscreenCanvas`);
    ctx.drawImage(bitmap, 0, 0);
    return { data: ctx.getImageData(0, 0, width, height).data, width, height };
  } finally {
    bitmap.close();
  }
}

/** 8-bit RGB from any decoded PNG: grey expanded, alpha dropped, 16-bit samples reduced to their high byte (as libvips does). */
function toRgb8(png: PngImage): Uint8Array {
  const { data, width, height, channels } = png;
  const out = new Uint8Array(width * height * 3);
  const shift = png.bitDepth === 16 ? 8 : 0;
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) out[i * 3 + c] = data[i * channels + (channels < 3 ? 0 : c)] >> shift;
  }
  return out;
}

/**
 * Decodes a JPEG/PNG/WebP (any format the runtime reads) to 8-bit RGB. Alpha is dropped and grey images are
 * expanded to three channels; 16-bit PNGs keep their high byte.
 *
 * @example
 * const img = await decodeRgb(new Uint8Array(await file.arrayBuffer()), file.name);
 * img.data[(y * img.width + x) * 3 + 0]; // red at (x, y)
 */
export async function decodeRgb(bytes: Uint8Array, source: Source = '<buffer>'): Promise<RgbImage> {
  if (hasPngSignature(bytes)) {
    const png = await decodePng(bytes, source).catch((e) => Promise.reject(corrupt(source, 'RGB image', e)));
    return { data: toRgb8(png), width: png.width, height: png.height };
  }
  const { data: rgba, width, height } = await decodeWithPlatform(bytes, source);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    data[i * 3] = rgba[i * 4];
    data[i * 3 + 1] = rgba[i * 4 + 1];
    data[i * 3 + 2] = rgba[i * 4 + 2];
  }
  return { data, width, height };
}

/**
 * Decodes a single-channel image, keeping its bit depth: a 16-bit grey PNG gives a Uint16Array with the stored
 * values unchanged, an 8-bit image a Uint8Array (first channel if it has several).
 *
 * @example
 * const d = await decodeGrey(pngBytes, 'depth.png'); // d.bitDepth === 16, d.data[0] === 1234 (mm)
 */
export async function decodeGrey(bytes: Uint8Array, source: Source = '<buffer>'): Promise<GreyImage> {
  if (hasPngSignature(bytes)) {
    const png = await decodePng(bytes, source).catch((e) => Promise.reject(corrupt(source, 'depth image', e)));
    const n = png.width * png.height;
    const data = png.bitDepth === 16 ? new Uint16Array(n) : new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = png.data[i * png.channels];
    return { data, width: png.width, height: png.height, bitDepth: png.bitDepth };
  }
  const { data: rgba, width, height } = await decodeWithPlatform(bytes, source);
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = rgba[i * 4];
  return { data, width, height, bitDepth: 8 };
}

/** Depth in metres from stored values: `value * scale`, 0 stays 0 (invalid). */
export function depthFromGrey(
  img: GreyImage,
  scale: number | ((bitDepth: 8 | 16) => number),
): { depth: Float32Array; width: number; height: number; bitDepth: 8 | 16 } {
  const s = typeof scale === 'function' ? scale(img.bitDepth) : scale;
  const depth = new Float32Array(img.data.length);
  for (let i = 0; i < depth.length; i++) depth[i] = img.data[i] * s;
  return { depth, width: img.width, height: img.height, bitDepth: img.bitDepth };
}

/**
 * Decodes a depth PNG to metres: `metres = value * scale`, 0 stays 0 (invalid).
 * Use `scale = 1/1000` for millimetre PNGs (NYU BTS), `1/256` for KITTI, `10/255` for DenseDepth's 8-bit train PNGs.
 *
 * @example
 * const { depth } = await decodeDepthPng(bytes, 1 / 256, 'kitti_gt.png');
 */
export async function decodeDepthPng(
  bytes: Uint8Array,
  scale: number | ((bitDepth: 8 | 16) => number),
  source: Source = '<buffer>',
): Promise<{ depth: Float32Array; width: number; height: number; bitDepth: 8 | 16 }> {
  return depthFromGrey(await decodeGrey(bytes, source), scale);
}

/**
 * Encodes 8-bit RGB (H*W*3) as PNG (anywhere) or JPEG (browsers here; Node's entry uses sharp).
 *
 * @example
 * const png = await encodeRgb(sample.rgb, sample.width, sample.height, 'png');
 */
export async function encodeRgb(
  rgb: Uint8Array,
  width: number,
  height: number,
  format: 'png' | 'jpeg' = 'png',
  quality = 95,
): Promise<Uint8Array> {
  if (format === 'png') return encodePng({ data: rgb, width, height, channels: 3 });
  if (format !== 'jpeg')
    throw new DepthblocksError('INVALID_ARGUMENT', `encodeRgb: format must be 'png' or 'jpeg', got '${String(format)}'`);
  if (typeof OffscreenCanvas !== 'function') {
    throw new DepthblocksError(
      'UNSUPPORTED',
      "encodeRgb: JPEG needs a browser's OffscreenCanvas here; encode as 'png', or use @depthblocks/datasets from Node (sharp)",
    );
  }
  if (rgb.length !== width * height * 3) {
    throw new DepthblocksError('SHAPE_MISMATCH', `encodeRgb: ${rgb.length} bytes do not make a ${width}x${height} RGB image`);
  }
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new DepthblocksError('UNSUPPORTED', 'encodeRgb: this browser gives no 2d context on an OffscreenCanvas');
  const rgba = new ImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    rgba.data[i * 4] = rgb[i * 3];
    rgba.data[i * 4 + 1] = rgb[i * 3 + 1];
    rgba.data[i * 4 + 2] = rgb[i * 3 + 2];
    rgba.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(rgba, 0, 0);
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: quality / 100 });
  return new Uint8Array(await blob.arrayBuffer());
}

/**
 * Encodes a single-channel image as a grey PNG: 16-bit for a Uint16Array, 8-bit for a Uint8Array.
 *
 * @example
 * const png = await encodeGreyPng(Uint16Array.from(depthMetres, (m) => Math.round(m * 1000)), w, h);
 */
export async function encodeGreyPng(values: Uint16Array | Uint8Array, width: number, height: number): Promise<Uint8Array> {
  return encodePng({ data: values, width, height, channels: 1 });
}
