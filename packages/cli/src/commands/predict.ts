/** `depthblocks predict`: images (files or folders) to depth in metres: 16-bit PNG, colour PNG, comparison figure, PLY. */
import * as fs from 'fs';
import * as path from 'path';
import { DepthblocksError, type Intrinsics } from '@depthblocks/core';
import { setupBackend } from '@depthblocks/backend';
import { decodeRgb, imageSize, readFileBytes } from '@depthblocks/datasets';
import { checkColormap, depthToPly, predictImage, writeDepthOutputs, type ColormapName, type InferenceRuntime } from '@depthblocks/models';
import { openModel, type ModelSource } from '../model-source';

/** The model (`modelDir`, or `preset` built at `size`, with `weights`), the images and what to write. */
export interface PredictRunOptions extends ModelSource {
  /** 'tfjs' (default) or 'onnx' (ONNX Runtime; threads = its intra-op threads); a .onnx modelDir always runs on it. */
  runtime?: InferenceRuntime;
  inputs: string[];
  output: string;
  colormap?: ColormapName;
  sideBySide?: boolean;
  /** Write a coloured point cloud per image with these intrinsics (pixels at the image's size). */
  ply?: Intrinsics;
  flipTTA?: boolean;
  /** Exact working resolution [height, width] (a preset is built at it). */
  size?: [number, number];
  /** Long side of the working resolution (default: the model's training size, else 640). */
  maxSize?: number;
  /** Full resolution by blended tiles at the working resolution. */
  tile?: boolean;
  /** 'fail' (default): every image is checked before anything is written; 'skip': unreadable images are listed at the end. */
  onError?: 'fail' | 'skip';
  backend?: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  threads?: number;
  log?: (line: string) => void;
}

const IMAGE = /\.(png|jpe?g|webp)$/i;

/** The image files named by files and folders (folders: their images, sorted). */
export function listImages(inputs: string[]): string[] {
  const files: string[] = [];
  for (const p of inputs) {
    if (!fs.existsSync(p)) throw new DepthblocksError('FILE_NOT_FOUND', `Input not found: ${p}`);
    if (fs.statSync(p).isDirectory())
      files.push(
        ...fs
          .readdirSync(p)
          .filter((f) => IMAGE.test(f))
          .sort()
          .map((f) => path.join(p, f)),
      );
    else files.push(p);
  }
  if (files.length === 0) throw new DepthblocksError('FILE_NOT_FOUND', `No .png/.jpg images in ${inputs.join(', ')}`);
  return files;
}

/**
 * Predicts depth for every image at a working resolution (or by tiles), and writes `<name>_depth.png` (mm, at
 * the image's size), `<name>_color.png`, the comparison figure and optional PLY. Returns the files written
 * and the images skipped.
 */
export async function runPredict(o: PredictRunOptions): Promise<{ written: string[]; skipped: string[] }> {
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  if (o.colormap !== undefined) checkColormap(o.colormap);
  const files = listImages(o.inputs);
  // with 'fail', a bad image stops the run before anything is written: read every header first
  const skipped: string[] = [];
  const bad: string[] = [];
  for (const f of files) {
    try {
      const bytes = fs.readFileSync(f);
      await imageSize(new Uint8Array(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1 << 20)), f).catch(() =>
        imageSize(new Uint8Array(bytes), f),
      );
    } catch (e) {
      bad.push(`${f}: ${(e as Error).message}`);
    }
  }
  if (bad.length && o.onError !== 'skip') {
    throw new DepthblocksError(
      'CORRUPT_FILE',
      `${bad.length} of ${files.length} image(s) cannot be read, nothing was written:\n  ${bad.slice(0, 10).join('\n  ')}\n` +
        'Remove or fix them, or pass --on-error skip to predict the others.',
    );
  }
  // the images are listed and checked before the (possibly 170 MB) weights load
  await setupBackend({ backend: o.backend, threads: o.threads });
  const { model, release } = await openModel(o, o.runtime, o.threads, log);
  const written: string[] = [];
  try {
    for (const file of files) {
      let img;
      try {
        img = await decodeRgb(await readFileBytes(file, 'image'), file);
      } catch (e) {
        if (o.onError !== 'skip') throw e;
        skipped.push(`${file}: ${(e as Error).message}`);
        continue;
      }
      const t0 = performance.now();
      const r = await predictImage(
        model,
        { rgb: img.data, width: img.width, height: img.height },
        {
          flipTTA: o.flipTTA ?? true,
          size: o.size,
          maxSize: o.maxSize,
          tile: o.tile,
        },
      );
      const name = path.basename(file).replace(IMAGE, '');
      written.push(
        ...(await writeDepthOutputs(o.output, name, r.depth, img.width, img.height, {
          colormap: o.colormap,
          sideBySide: o.sideBySide ?? true,
          rgb: { rgb: img.data, width: img.width, height: img.height },
        })),
      );
      if (o.ply) {
        const p = path.join(o.output, `${name}.ply`);
        fs.writeFileSync(p, depthToPly(r.depth, img.data, img.width, img.height, o.ply));
        written.push(p);
      }
      const how =
        r.tiles > 1 ? `${r.tiles} tiles of ${r.workingSize[1]}x${r.workingSize[0]}` : `at ${r.workingSize[1]}x${r.workingSize[0]}`;
      log(
        `${file} (${img.width}x${img.height}, predicted ${how}, ${((performance.now() - t0) / 1000).toFixed(1)} s) -> ${path.join(o.output, name)}_*.png`,
      );
    }
  } finally {
    await release();
  }
  if (skipped.length) {
    log(`skipped ${skipped.length} of ${files.length} image(s) that could not be read:`);
    skipped.forEach((s) => log(`  ${s}`));
  }
  return { written, skipped };
}
