/**
 * What the app shows and offers for a depth map: the colourised image with its colour bar in metres, the point
 * cloud (PLY, which the 3D view also reads) and the 16-bit PNG in millimetres.
 */
import { encodeDepthPng } from '@depthblocks/core';
import { syntheticIntrinsics } from '@depthblocks/datasets';
import { colorAt, colorize, depthToPly } from '@depthblocks/models';
import type { Prediction, RgbImage } from './protocol';

/** The colour map of the depth view (the quickstart's). */
export const COLORMAP = 'turbo';

/** The 2nd and 98th percentiles of the valid depths (the range colorize() uses by default). */
function robustRange(depth: Float32Array): [number, number] {
  const valid = depth.filter((d) => d > 0 && Number.isFinite(d)).sort();
  if (valid.length === 0) return [0, 1];
  const q = (p: number): number => valid[Math.min(valid.length - 1, Math.floor(p * valid.length))];
  const [lo, hi] = [q(0.02), q(0.98)];
  if (hi - lo >= 0.01) return [lo, hi];
  const mid = (lo + hi) / 2; // (nearly) constant depth, e.g. an untrained model: a 10 cm bar around it
  return [mid - 0.05, mid + 0.05];
}

/**
 * Round values between min and max for the colour bar: steps of 1, 2 or 5 times a power of ten, about five of them.
 *
 * @example
 * barTicks(0.83, 4.1); // [1, 1.5, 2, 2.5, 3, 3.5, 4]
 */
export function barTicks(min: number, max: number, target = 5): number[] {
  const raw = (max - min) / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9 * step; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * Everything the page needs for one depth map except the timing: colours (RGBA), legend, point cloud.
 * The point cloud uses NYU's camera intrinsics scaled to the photo (a photo carries none).
 *
 * @example
 * const view = depthView(depth, photo);
 */
export function depthView(depth: Float32Array, photo: RgbImage): Omit<Prediction, 'ms' | 'backend' | 'runtime' | 'workingSize'> {
  const { width, height } = photo;
  const [min, max] = robustRange(depth);
  const rgb = colorize(depth, { colormap: COLORMAP, min, max });
  const colour = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    colour[4 * i] = rgb[3 * i];
    colour[4 * i + 1] = rgb[3 * i + 1];
    colour[4 * i + 2] = rgb[3 * i + 2];
    colour[4 * i + 3] = 255;
  }
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) lut.set(colorAt(COLORMAP, i / 255), 3 * i);
  const intrinsics = syntheticIntrinsics(width, height);
  return {
    rgb: photo.rgb,
    depth,
    width,
    height,
    colour,
    legend: { colormap: COLORMAP, lut, min, max, ticks: barTicks(min, max) },
    ply: depthToPly(depth, photo.rgb, width, height, intrinsics),
    intrinsics,
  };
}

/** The depth as a 16-bit greyscale PNG in millimetres (0 = invalid), as the CLI's `predict` writes it. */
export function depthPng(depth: Float32Array, width: number, height: number): Promise<Uint8Array> {
  return encodeDepthPng(depth, width, height, 1 / 1000);
}
