/**
 * Depth as images, in any runtime: a 16-bit PNG in millimetres and a colourised PNG as bytes, and the labelled
 * comparison figure RGB | prediction (| ground truth | error) as SVG. Node's entry renders the figure to PNG and
 * writes files (images-node.ts).
 */
import { DepthblocksError, encodeDepthPng, encodePng } from '@depthblocks/core';
import { checkColormap, colorize, DEFAULT_COLORMAP, validQuantiles, type ColormapName } from './colormap';
import { compareFigure, panelSize, type ColorBar, type FigureLayout, type FigurePanel } from './compare';

/** Nearest-neighbour resize of an H*W*C byte image (for putting panels of different sizes side by side). */
function resizeNearest(src: Uint8Array, w: number, h: number, c: number, ow: number, oh: number): Uint8Array {
  if (w === ow && h === oh) return src;
  const out = new Uint8Array(ow * oh * c);
  for (let y = 0; y < oh; y++) {
    const sy = Math.min(h - 1, Math.floor(((y + 0.5) * h) / oh));
    for (let x = 0; x < ow; x++) {
      const sx = Math.min(w - 1, Math.floor(((x + 0.5) * w) / ow));
      for (let k = 0; k < c; k++) out[(y * ow + x) * c + k] = src[(sy * w + sx) * c + k];
    }
  }
  return out;
}

export interface Panel {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/** Puts panels in a row at the first panel's size. Returns H*(W*n)*3 bytes and the size. */
export function sideBySide(panels: Panel[]): Panel {
  const { width: w, height: h } = panels[0];
  const out = new Uint8Array(w * panels.length * h * 3);
  panels.forEach((p, k) => {
    const img = resizeNearest(p.rgb, p.width, p.height, 3, w, h);
    for (let y = 0; y < h; y++) out.set(img.subarray(y * w * 3, (y + 1) * w * 3), (y * w * panels.length + k * w) * 3);
  });
  return { rgb: out, width: w * panels.length, height: h };
}

export interface DepthOutputOptions {
  /** Colour map of the depth pictures (default turbo, {@link DEFAULT_COLORMAP}). */
  colormap?: ColormapName;
  /**
   * Also write `<name>_compare.png`: labelled panels RGB | prediction (| ground truth | error), shown at
   * least 256 px high, one depth scale with a colour bar in metres.
   */
  sideBySide?: boolean;
  rgb?: Panel;
  groundTruth?: { depth: ArrayLike<number>; width: number; height: number };
}

/** Nearest-neighbour resize of H*W*3 bytes to a display size (whole-factor enlargement keeps pixels square). */
function toDisplay(p: Panel, size: { width: number; height: number }): Panel {
  return { rgb: resizeNearest(p.rgb, p.width, p.height, 3, size.width, size.height), width: size.width, height: size.height };
}

/** An RGB panel as PNG bytes. */
function rgbPng(p: Panel): Promise<Uint8Array> {
  return encodePng({ data: p.rgb, width: p.width, height: p.height, channels: 3 });
}

/** Base64 of bytes with the platform's `btoa` (Node 16+ and browsers), in chunks that String.fromCharCode takes. */
function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function dataUri(p: Panel): Promise<string> {
  return `data:image/png;base64,${base64(await rgbPng(p))}`;
}

/** |a - b| where b (ground truth) is valid, after resizing `a` to b's size (nearest); 0 elsewhere. */
function absError(a: ArrayLike<number>, aw: number, ah: number, b: ArrayLike<number>, bw: number, bh: number): Float32Array {
  const out = new Float32Array(bw * bh);
  for (let y = 0; y < bh; y++) {
    const sy = Math.min(ah - 1, Math.floor(((y + 0.5) * ah) / bh));
    for (let x = 0; x < bw; x++) {
      const sx = Math.min(aw - 1, Math.floor(((x + 0.5) * aw) / bw));
      const g = b[y * bw + x];
      const p = a[sy * aw + sx];
      // errors are >= 0; a tiny floor keeps exact hits visible as "valid, zero error"
      out[y * bw + x] = g > 0 && Number.isFinite(g) && Number.isFinite(p) ? Math.max(1e-9, Math.abs(p - g)) : 0;
    }
  }
  return out;
}

/** What {@link compareSvg} drew: the SVG and where the panels are. */
export interface CompareSvg {
  svg: string;
  layout: FigureLayout;
  /** The depth range of the colour scale (metres) and the error range. */
  range: [number, number];
  errorRange?: [number, number];
}

/**
 * The comparison figure as SVG (any runtime; Node's `compareImage` renders it to PNG): RGB | prediction
 * (| ground truth | |prediction - ground truth|), labelled, with colour bars in metres; depth panels share one
 * range (the ground truth's 2nd-98th percentiles, else the prediction's).
 *
 * @example
 * const { svg } = await compareSvg(pred, w, h, { rgb, groundTruth: { depth: gt, width: w, height: h } });
 * img.src = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' })); // in a page
 */
export async function compareSvg(
  depth: ArrayLike<number>,
  width: number,
  height: number,
  options: DepthOutputOptions & { rgb: Panel },
): Promise<CompareSvg> {
  const colormap = checkColormap(options.colormap ?? DEFAULT_COLORMAP);
  const g = options.groundTruth;
  const [lo, hi] = validQuantiles(g?.depth ?? depth, [0.02, 0.98]);
  const min = Number.isFinite(lo) ? lo : 0;
  const max = Number.isFinite(hi) && hi > min ? hi : min + 1;
  const size = panelSize(width, height);
  const panels: FigurePanel[] = [
    { label: 'RGB', href: await dataUri(toDisplay(options.rgb, size)) },
    { label: 'prediction', href: await dataUri(toDisplay({ rgb: colorize(depth, { colormap, min, max }), width, height }, size)) },
  ];
  const bars: ColorBar[] = [{ title: 'depth (m)', colormap, min, max }];
  let errorRange: [number, number] | undefined;
  if (g) {
    panels.push({
      label: 'ground truth',
      href: await dataUri(toDisplay({ rgb: colorize(g.depth, { colormap, min, max }), width: g.width, height: g.height }, size)),
    });
    const err = absError(depth, width, height, g.depth, g.width, g.height);
    const [, e98] = validQuantiles(err, [0, 0.98]);
    const emax = Number.isFinite(e98) && e98 > 1e-6 ? e98 : 1;
    errorRange = [0, emax];
    panels.push({
      label: '|pred - gt|',
      href: await dataUri(
        toDisplay({ rgb: colorize(err, { colormap: 'gray', min: 0, max: emax }), width: g.width, height: g.height }, size),
      ),
    });
    bars.push({ title: 'error (m)', colormap: 'gray', min: 0, max: emax });
  }
  const fig = compareFigure(panels, size, bars);
  return { svg: fig.svg, layout: fig.layout, range: [min, max], errorRange };
}

/** The PNG files of one depth map: `depth` (16-bit, millimetres, at the map's size) and `color` (colourised). */
export interface DepthImages {
  depth: Uint8Array;
  color: Uint8Array;
}

/**
 * Makes the PNGs of a depth map, as bytes in any runtime: `depth` (16-bit, millimetres) and `color` (colourised on
 * the 2nd-98th percentiles of the ground truth when given, else of the map). The comparison figure is
 * {@link compareSvg}; Node's `writeDepthOutputs` writes all of them to files.
 *
 * @example
 * const { depth, color } = await depthImages(metres, 320, 240); // e.g. offer them as downloads
 */
export async function depthImages(
  depth: ArrayLike<number>,
  width: number,
  height: number,
  options: Pick<DepthOutputOptions, 'colormap' | 'groundTruth'> = {},
): Promise<DepthImages> {
  if (depth.length !== width * height)
    throw new DepthblocksError('SHAPE_MISMATCH', `depth has ${depth.length} values, expected ${width}x${height}`);
  const colormap = checkColormap(options.colormap ?? DEFAULT_COLORMAP);
  // one scale for prediction and ground truth so that they compare
  const [lo, hi] = validQuantiles(options.groundTruth?.depth ?? depth, [0.02, 0.98]);
  const min = Number.isFinite(lo) ? lo : 0;
  const max = Number.isFinite(hi) ? hi : 1;
  return {
    depth: await encodeDepthPng(depth, width, height, 1 / 1000), // 16-bit, millimetres
    color: await rgbPng({ rgb: colorize(depth, { colormap, min, max }), width, height }),
  };
}
