/**
 * Plots as self-contained SVG (no plotting dependency): line charts of loss curves and bar charts of metrics.
 * Axis ticks sit at round numbers (ticks.ts). Text is SVG <text>; writeSvgAndPng draws it as outlines from a
 * bundled font so that the PNG does not depend on the machine's fonts.
 */
import { linearTicks, logTicks, tickLabel } from './ticks';

export interface Series {
  name: string;
  points: [number, number][];
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (v: number): string =>
  Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : Number(v.toPrecision(3)).toString();

/**
 * A line chart of several series (e.g. the loss per step of each ablation variant), `logY` for losses.
 *
 * @example
 * fs.writeFileSync('loss.svg', lineChart([{ name: 'train', points: history.map((r) => [r.step, r.loss]) }], { title: 'loss' }));
 */
export function lineChart(
  series: Series[],
  options: { title?: string; xLabel?: string; yLabel?: string; logY?: boolean; width?: number; height?: number } = {},
): string {
  const W = options.width ?? 720;
  const H = options.height ?? 420;
  const m = { l: 70, r: 160, t: 40, b: 50 };
  const ty = (v: number): number => (options.logY ? Math.log10(Math.max(v, 1e-12)) : v);
  const pts = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y));
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => ty(p[1]));
  const [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  // ticks at round values inside the data's range (1, 2, 5 x 10^k on the log axis)
  let yTicks: number[];
  if (options.logY) {
    const lo = 10 ** y0;
    const hi = 10 ** y1;
    yTicks = logTicks(lo, hi);
    if (yTicks.length < 2) yTicks = [lo, hi].map((v) => Number(v.toPrecision(2)));
  } else yTicks = linearTicks(y0, y1);
  const xTicks = linearTicks(x0, x1).filter((v) => !xs.length || Number.isInteger(v) || x1 - x0 < 10);
  const sx = (x: number): number => m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const sy = (y: number): number => H - m.b - ((ty(y) - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  if (options.title) parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(options.title)}</text>`);
  for (const v of yTicks) {
    const py = sy(v);
    if (py < m.t - 0.5 || py > H - m.b + 0.5) continue;
    parts.push(`<line x1="${m.l}" y1="${py.toFixed(1)}" x2="${W - m.r}" y2="${py.toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.l - 6}" y="${(py + 4).toFixed(1)}" text-anchor="end">${tickLabel(v)}</text>`);
  }
  for (const v of xTicks) {
    const px = sx(v);
    parts.push(`<line x1="${px.toFixed(1)}" y1="${H - m.b}" x2="${px.toFixed(1)}" y2="${H - m.b + 4}" stroke="#333"/>`);
    parts.push(`<text x="${px.toFixed(1)}" y="${H - m.b + 18}" text-anchor="middle">${tickLabel(v)}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#333"/>`);
  if (options.xLabel) parts.push(`<text x="${(W - m.r + m.l) / 2}" y="${H - 12}" text-anchor="middle">${esc(options.xLabel)}</text>`);
  if (options.yLabel)
    parts.push(
      `<text x="16" y="${H / 2}" text-anchor="middle" transform="rotate(-90 16 ${H / 2})">${esc(options.yLabel)}${options.logY ? ' (log)' : ''}</text>`,
    );
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const d = s.points
      .filter(([, y]) => Number.isFinite(y))
      .map(([x, y], k) => `${k ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
      .join('');
    if (d) parts.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="1.5"/>`);
    parts.push(
      `<rect x="${W - m.r + 12}" y="${m.t + i * 18}" width="12" height="3" fill="${c}"/><text x="${W - m.r + 30}" y="${m.t + i * 18 + 5}">${esc(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** A grouped bar chart: one group per metric, one bar per variant. */
export function barChart(
  groups: string[],
  variants: { name: string; values: number[] }[],
  options: { title?: string; width?: number; height?: number } = {},
): string {
  const W = options.width ?? 720;
  const H = options.height ?? 360;
  const m = { l: 50, r: 160, t: 40, b: 40 };
  const all = variants.flatMap((v) => v.values).filter(Number.isFinite);
  const top = Math.max(1e-9, ...all.map(Math.abs));
  const gw = (W - m.l - m.r) / Math.max(1, groups.length);
  const bw = (gw * 0.8) / Math.max(1, variants.length);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  if (options.title) parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(options.title)}</text>`);
  groups.forEach((g, gi) => {
    variants.forEach((v, vi) => {
      const val = v.values[gi];
      const h = Number.isFinite(val) ? (Math.abs(val) / top) * (H - m.t - m.b) : 0;
      const x = m.l + gi * gw + gw * 0.1 + vi * bw;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${(H - m.b - h).toFixed(1)}" width="${(bw * 0.9).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[vi % COLORS.length]}"><title>${esc(v.name)} ${esc(g)} ${num(val)}</title></rect>`,
      );
    });
    parts.push(`<text x="${m.l + gi * gw + gw / 2}" y="${H - m.b + 18}" text-anchor="middle">${esc(g)}</text>`);
  });
  variants.forEach((v, i) =>
    parts.push(
      `<rect x="${W - m.r + 12}" y="${m.t + i * 18 - 4}" width="12" height="10" fill="${COLORS[i % COLORS.length]}"/><text x="${W - m.r + 30}" y="${m.t + i * 18 + 5}">${esc(v.name)}</text>`,
    ),
  );
  parts.push(`<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#333"/>`, '</svg>');
  return parts.join('\n');
}
