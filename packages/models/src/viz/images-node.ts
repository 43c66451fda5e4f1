/** Depth images written to files, and the comparison figure rendered to PNG (Node: sharp renders the SVG). */
import * as fs from 'fs';
import * as path from 'path';
import { checkColormap, DEFAULT_COLORMAP } from './colormap';
import { compareSvg, depthImages, type CompareSvg, type DepthOutputOptions, type Panel } from './images';
import { svgToPng } from './render';

/** What {@link compareImage} drew: the PNG and where the panels are. */
export interface CompareImage extends Omit<CompareSvg, 'svg'> {
  png: Uint8Array;
}

/**
 * The comparison figure as PNG (see `compareSvg`): RGB | prediction (| ground truth | |prediction - ground
 * truth|), labelled, with colour bars in metres, text drawn from the bundled font.
 *
 * @example
 * const { png } = await compareImage(pred, w, h, { rgb, groundTruth: { depth: gt, width: w, height: h } });
 */
export async function compareImage(
  depth: ArrayLike<number>,
  width: number,
  height: number,
  options: DepthOutputOptions & { rgb: Panel },
): Promise<CompareImage> {
  const { svg, ...rest } = await compareSvg(depth, width, height, options);
  return { png: await svgToPng(svg), ...rest };
}

/**
 * Writes `<name>_depth.png` (16-bit, mm, at the map's size), `<name>_color.png` and optionally
 * `<name>_compare.png` (see {@link compareImage}) into `dir`. Returns the paths written.
 *
 * @example
 * await writeDepthOutputs('preds', 'photo', depth, 640, 480, { rgb: { rgb, width: 640, height: 480 }, sideBySide: true });
 */
export async function writeDepthOutputs(
  dir: string,
  name: string,
  depth: ArrayLike<number>,
  width: number,
  height: number,
  options: DepthOutputOptions = {},
): Promise<string[]> {
  const colormap = checkColormap(options.colormap ?? DEFAULT_COLORMAP);
  const images = await depthImages(depth, width, height, { ...options, colormap });
  const compare =
    options.sideBySide && options.rgb ? (await compareImage(depth, width, height, { ...options, colormap, rgb: options.rgb })).png : null;
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const write = (file: string, data: Uint8Array): void => {
    const p = path.join(dir, file);
    fs.writeFileSync(p, data);
    files.push(p);
  };
  write(`${name}_depth.png`, images.depth);
  write(`${name}_color.png`, images.color);
  if (compare) write(`${name}_compare.png`, compare);
  return files;
}
