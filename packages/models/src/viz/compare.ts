/**
 * The comparison figure: labelled panels side by side (RGB, prediction, ground truth, |prediction - ground
 * truth|), each shown at least 256 px high (small maps are enlarged by whole factors, nearest neighbour, so
 * pixels stay sharp), depth panels on one colour scale with a colour bar in metres, and the error map with its
 * own bar. This file lays the figure out as SVG around already-encoded panel images; images.ts fills them in.
 */
import { colorAt, type ColormapName } from './colormap';
import { linearTicks, tickLabel } from './ticks';

/** Panels are shown at least this high (and at most {@link MAX_PANEL_HEIGHT}). */
export const MIN_PANEL_HEIGHT = 256;
export const MAX_PANEL_HEIGHT = 512;

/** The size a `width` x `height` map is shown at: whole-factor enlargement up to >= 256 px high, or shrunk to 512. */
export function panelSize(width: number, height: number): { width: number; height: number; factor: number } {
  if (height < MIN_PANEL_HEIGHT) {
    const f = Math.ceil(MIN_PANEL_HEIGHT / height);
    return { width: width * f, height: height * f, factor: f };
  }
  if (height > MAX_PANEL_HEIGHT) {
    const f = MAX_PANEL_HEIGHT / height;
    return { width: Math.max(1, Math.round(width * f)), height: MAX_PANEL_HEIGHT, factor: f };
  }
  return { width, height, factor: 1 };
}

/** One panel: a label and a PNG (as a data: URI) already at the display size. */
export interface FigurePanel {
  label: string;
  href: string;
}

/** A colour bar: the map and its range (metres). */
export interface ColorBar {
  title: string;
  colormap: ColormapName;
  min: number;
  max: number;
}

/** Where each panel landed in the figure (for tests and for drawing on top). */
export interface FigureLayout {
  width: number;
  height: number;
  panels: { x: number; y: number; width: number; height: number }[];
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const PAD = 12;
const GAP = 10;
const LABEL = 26;
const BAR_W = 16;
const BAR_SPACE = 78;

/** The figure's layout for `n` panels of the display size and `bars` colour bars. */
export function compareLayout(n: number, panel: { width: number; height: number }, bars: number): FigureLayout {
  const panels = Array.from({ length: n }, (_, i) => ({ x: PAD + i * (panel.width + GAP), y: PAD + LABEL, ...panel }));
  const width = PAD + n * panel.width + (n - 1) * GAP + bars * BAR_SPACE + PAD;
  const height = PAD + LABEL + panel.height + PAD + 8;
  return { width, height, panels };
}

/**
 * The figure as SVG. Panel images must already have the display size (see {@link panelSize}).
 *
 * @example
 * const svg = compareFigure([{ label: 'RGB', href }, { label: 'prediction', href: h2 }], { width: 256, height: 192 },
 *   [{ title: 'depth (m)', colormap: 'turbo', min: 0.5, max: 4 }]);
 */
export function compareFigure(
  panels: FigurePanel[],
  size: { width: number; height: number },
  bars: ColorBar[],
): { svg: string; layout: FigureLayout } {
  const layout = compareLayout(panels.length, size, bars.length);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${layout.width}" height="${layout.height}" font-family="sans-serif" font-size="13">`,
    `<rect width="${layout.width}" height="${layout.height}" fill="white"/>`,
  ];
  panels.forEach((p, i) => {
    const r = layout.panels[i];
    parts.push(
      `<text x="${r.x + r.width / 2}" y="${r.y - 8}" text-anchor="middle" font-size="15" font-weight="bold">${esc(p.label)}</text>`,
    );
    parts.push(`<image x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}" href="${p.href}" xlink:href="${p.href}"/>`);
  });
  const top = layout.panels[0].y;
  const h = size.height;
  bars.forEach((b, i) => {
    const x = layout.width - PAD - (bars.length - i) * BAR_SPACE + 6;
    const id = `bar${i}`;
    const stops = Array.from({ length: 17 }, (_, k) => {
      const t = k / 16;
      const [r, g, bl] = colorAt(b.colormap, t);
      // near (min) at the bottom, far (max) at the top
      return `<stop offset="${(1 - t).toFixed(4)}" stop-color="rgb(${r},${g},${bl})"/>`;
    }).reverse();
    parts.push(`<defs><linearGradient id="${id}" x1="0" y1="0" x2="0" y2="1">${stops.join('')}</linearGradient></defs>`);
    parts.push(`<rect x="${x}" y="${top}" width="${BAR_W}" height="${h}" fill="url(#${id})" stroke="#333"/>`);
    parts.push(`<text x="${x + BAR_W / 2}" y="${top - 8}" text-anchor="middle" font-size="12">${esc(b.title)}</text>`);
    const span = b.max - b.min || 1;
    for (const v of linearTicks(b.min, b.max, 5)) {
      const y = top + h - ((v - b.min) / span) * h;
      parts.push(`<line x1="${x + BAR_W}" y1="${y.toFixed(1)}" x2="${x + BAR_W + 4}" y2="${y.toFixed(1)}" stroke="#333"/>`);
      parts.push(`<text x="${x + BAR_W + 7}" y="${(y + 4).toFixed(1)}" font-size="12">${tickLabel(v)}</text>`);
    }
  });
  parts.push('</svg>');
  return { svg: parts.join('\n'), layout };
}
