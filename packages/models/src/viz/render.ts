/**
 * SVG -> PNG in Node with sharp (librsvg), after drawing every <text> as outlines from the bundled font
 * (text-paths.ts): the PNGs do not depend on the fonts installed on the machine.
 */
import * as fs from 'fs';
import sharp from 'sharp';
import { svgTextToPaths } from './text-paths';

/**
 * Renders an SVG (ours: text becomes outlines first) to PNG bytes.
 *
 * @example
 * fs.writeFileSync('loss.png', await svgToPng(lineChart(series)));
 */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  const buf = await sharp(Buffer.from(svgTextToPaths(svg)), { limitInputPixels: false })
    .png()
    .toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Writes `<base>.svg` and `<base>.png`, both with text as outlines from the bundled font. Returns the paths.
 *
 * @example
 * await writeSvgAndPng('runs/a/loss', lineChart(series, { logY: true })); // runs/a/loss.svg, runs/a/loss.png
 */
export async function writeSvgAndPng(base: string, svg: string): Promise<string[]> {
  const outlined = svgTextToPaths(svg);
  fs.writeFileSync(`${base}.svg`, outlined);
  const buf = await sharp(Buffer.from(outlined), { limitInputPixels: false }).png().toBuffer();
  fs.writeFileSync(`${base}.png`, buf);
  return [`${base}.svg`, `${base}.png`];
}
