/**
 * Page script for browser-image-io.test.ts: the portable image codecs in Chromium. Decodes the served JPEG (the
 * browser's decoder) and 16-bit depth PNG (the JavaScript codec), encodes a JPEG with OffscreenCanvas, and reports
 * the values for the test to compare with sharp's.
 */
import { decodeDepthPng, decodeGrey, decodeRgb, encodeRgb } from '@depthblocks/datasets';

async function bytes(url: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetch(url)).arrayBuffer());
}

(async () => {
  try {
    const rgb = await decodeRgb(await bytes('rgb.jpg'), 'rgb.jpg');
    const depth = await decodeDepthPng(await bytes('depth.png'), 1 / 1000, 'depth.png');
    const greyJpeg = await decodeGrey(await bytes('rgb.jpg'), 'rgb.jpg');
    const jpeg = await encodeRgb(rgb.data, rgb.width, rgb.height, 'jpeg', 95);
    (window as any).__result = {
      rgb: { width: rgb.width, height: rgb.height, data: Array.from(rgb.data) },
      depth: { width: depth.width, height: depth.height, bitDepth: depth.bitDepth, data: Array.from(depth.depth) },
      grey: { bitDepth: greyJpeg.bitDepth, first: Array.from(greyJpeg.data.subarray(0, 16)) },
      jpeg: Array.from(jpeg),
    };
  } catch (e) {
    (window as any).__error = String((e as Error).stack ?? e);
  }
})();
