/**
 * Text in our SVG figures drawn as outlines from a bundled font (DejaVu Sans, from @fontsource/dejavu-sans, read
 * with opentype.js), so that the PNGs look the same on every machine: an SVG renderer (librsvg in sharp) needs
 * system fonts for <text>, and a fresh server or container often has none (text then renders as boxes or not
 * at all). Only the <text> elements our own SVG writers produce are handled: x, y, text-anchor, font-size,
 * fill, font-weight and a rotate(...) transform.
 */
import * as fs from 'fs';

/** The part of opentype.js' Font that is used here (the package ships no types). */
interface Glyph {
  advanceWidth?: number;
  getPath(x: number, y: number, size: number): { toPathData(decimals: number): string };
}
interface Font {
  unitsPerEm: number;
  charToGlyph(c: string): Glyph;
  getKerningValue(a: Glyph, b: Glyph): number;
}

const FONT_FILES = {
  normal: '@fontsource/dejavu-sans/files/dejavu-sans-latin-400-normal.woff',
  bold: '@fontsource/dejavu-sans/files/dejavu-sans-latin-700-normal.woff',
};
const fonts: Partial<Record<keyof typeof FONT_FILES, Font>> = {};

/** The bundled font (parsed once). */
export function bundledFont(weight: 'normal' | 'bold' = 'normal'): Font {
  let f = fonts[weight];
  if (!f) {
    const opentype = require('opentype.js') as { parse(b: ArrayBuffer): Font };
    const bytes = fs.readFileSync(require.resolve(FONT_FILES[weight]));
    f = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    fonts[weight] = f;
  }
  return f;
}

/** Width of `text` at `size` px in the bundled font. */
export function textWidth(text: string, size: number, weight: 'normal' | 'bold' = 'normal'): number {
  return layout(bundledFont(weight), text, size).width;
}

/** Glyphs placed one after the other with the font's advance widths and kerning (no shaping: Latin labels). */
function layout(font: Font, text: string, size: number): { glyphs: { g: Glyph; x: number }[]; width: number } {
  const s = size / font.unitsPerEm;
  const glyphs: { g: Glyph; x: number }[] = [];
  let x = 0;
  let prev: Glyph | null = null;
  for (const ch of text) {
    const g = font.charToGlyph(ch);
    if (prev) {
      try {
        x += font.getKerningValue(prev, g) * s;
      } catch {
        // no kerning data
      }
    }
    glyphs.push({ g, x });
    x += (g.advanceWidth ?? 0) * s;
    prev = g;
  }
  return { glyphs, width: x };
}

/**
 * SVG path data of `text` with its baseline's start at (x, y).
 *
 * @example
 * `<path d="${textPath('depth (m)', 10, 20, 12)}" fill="#222"/>`
 */
export function textPath(text: string, x: number, y: number, size: number, weight: 'normal' | 'bold' = 'normal'): string {
  const { glyphs } = layout(bundledFont(weight), text, size);
  return glyphs.map(({ g, x: gx }) => g.getPath(x + gx, y, size).toPathData(2)).join('');
}

const unescape = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

function attr(attrs: string, name: string): string | undefined {
  return new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attrs)?.[1];
}

/**
 * Replaces every `<text ...>label</text>` of an SVG by a `<path>` of the label's outline in the bundled font.
 * `defaultSize` is the root's font-size.
 *
 * @example
 * fs.writeFileSync('loss.svg', svgTextToPaths(lineChart(series)));
 */
export function svgTextToPaths(svg: string): string {
  const rootSize = Number(/<svg[^>]*font-size="([\d.]+)"/.exec(svg)?.[1] ?? 12);
  return svg.replace(/<text([^>]*)>([^<]*)<\/text>/g, (_m, attrs: string, raw: string) => {
    const text = unescape(raw);
    const size = Number(attr(attrs, 'font-size') ?? rootSize);
    const weight = attr(attrs, 'font-weight') === 'bold' ? 'bold' : 'normal';
    let x = Number(attr(attrs, 'x') ?? 0);
    const y = Number(attr(attrs, 'y') ?? 0);
    const anchor = attr(attrs, 'text-anchor');
    const w = anchor === 'middle' || anchor === 'end' ? textWidth(text, size, weight) : 0;
    if (anchor === 'middle') x -= w / 2;
    else if (anchor === 'end') x -= w;
    const transform = attr(attrs, 'transform');
    const fill = attr(attrs, 'fill') ?? '#000';
    return `<path d="${textPath(text, x, y, size, weight)}" fill="${fill}"${transform ? ` transform="${transform}"` : ''}><title>${raw}</title></path>`;
  });
}
