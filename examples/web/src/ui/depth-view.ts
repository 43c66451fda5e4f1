/** Draws a prediction: the RGB, the colourised depth, and its colour bar in metres. */
import type { Prediction } from '../engine/protocol';

function putImage(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, width: number, height: number): void {
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
}

/** 8-bit RGB into RGBA. */
function rgbToRgba(rgb: Uint8Array, n: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(4 * n);
  for (let i = 0; i < n; i++) {
    out[4 * i] = rgb[3 * i];
    out[4 * i + 1] = rgb[3 * i + 1];
    out[4 * i + 2] = rgb[3 * i + 2];
    out[4 * i + 3] = 255;
  }
  return out;
}

/** The colour bar: near (min) at the bottom, far (max) at the top, round ticks labelled in metres. */
function drawColourBar(canvas: HTMLCanvasElement, legend: Prediction['legend']): void {
  const scale = window.devicePixelRatio || 1;
  const cssW = 64;
  const cssH = 240;
  canvas.width = cssW * scale;
  canvas.height = cssH * scale;
  const g = canvas.getContext('2d')!;
  g.scale(scale, scale);
  const [top, bottom, barX, barW] = [8, cssH - 8, 2, 14];
  for (let y = top; y < bottom; y++) {
    const t = (bottom - 1 - y) / (bottom - top - 1);
    const k = Math.round(t * 255) * 3;
    g.fillStyle = `rgb(${legend.lut[k]}, ${legend.lut[k + 1]}, ${legend.lut[k + 2]})`;
    g.fillRect(barX, y, barW, 1);
  }
  g.strokeStyle = '#444';
  g.strokeRect(barX + 0.5, top + 0.5, barW - 1, bottom - top - 1);
  g.fillStyle = '#222';
  g.font = '11px system-ui, sans-serif';
  g.textBaseline = 'middle';
  const span = legend.max - legend.min || 1;
  const digits = Math.max(0, -Math.floor(Math.log10(span / 5)));
  for (const v of legend.ticks) {
    const y = bottom - 1 - ((v - legend.min) / span) * (bottom - top - 1);
    g.fillRect(barX + barW, Math.round(y), 4, 1);
    g.fillText(`${v.toFixed(Math.min(digits, 3))} m`, barX + barW + 6, y);
  }
}

/** Shows a prediction in the page's canvases. */
export function showPrediction(
  p: Prediction,
  canvases: { rgb: HTMLCanvasElement; depth: HTMLCanvasElement; bar: HTMLCanvasElement },
): void {
  putImage(canvases.rgb, rgbToRgba(p.rgb, p.width * p.height), p.width, p.height);
  putImage(canvases.depth, p.colour, p.width, p.height);
  drawColourBar(canvases.bar, p.legend);
}
