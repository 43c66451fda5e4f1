/**
 * SVG -> PNG in Node with sharp (librsvg), after drawing every <text> as outlines from the bundled font
 * (text-paths.ts): the PNGs do not depend on the fonts installed on the machine. sharp is an optional peer
 * dependency of @depthblocks/models, loaded on the first rendering.
 */
import * as fs from 'fs';
import { loadOptional } from '@depthblocks/core';
import { svgTextToPaths } from './text-paths';

type Sharp = typeof import('sharp');
let sharpModule: Sharp | null = null;

/** sharp, loaded on first use, or a MISSING_DEPENDENCY error that says how to get it. */
function loadSharp(): Sharp {
  sharpModule ??= loadOptional(
    () => require('sharp') as Sharp,
    'Rendering figures to PNG needs sharp',
    'Install it next to @depthblocks/models: npm install sharp. (The SVG figures need nothing: compareSvg, lineChart, barChart.)',
  );
  return sharpModule;
}

/**
 * Renders an SVG (ours: text becomes outlines first) to PNG bytes.
 *
 * @example
 * fs.writeFileSync('loss.png', await svgToPng(lineChart(series)));
 */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  const buf = await loadSharp()(Buffer.from(svgTextToPaths(svg)), { limitInputPixels: false })
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
  const buf = await loadSharp()(Buffer.from(outlined), { limitInputPixels: false }).png().toBuffer();
  fs.writeFileSync(`${base}.png`, buf);
  return [`${base}.svg`, `${base}.png`];
}
