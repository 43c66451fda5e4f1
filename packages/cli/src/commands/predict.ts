/** `depthblocks predict`: images (files or folders) to depth in metres: 16-bit PNG, colour PNG, side by side, PLY. */
import * as fs from 'fs';
import * as path from 'path';
import { DepthblocksError, tf, type Intrinsics } from '@depthblocks/core';
import { setupBackend } from '@depthblocks/backend';
import { decodeRgb, readFileBytes } from '@depthblocks/datasets';
import { depthToPly, predict, sampleToInput, writeDepthOutputs, type ColormapName, type DepthModel } from '@depthblocks/models';
import { loadModelFrom, type ModelSource } from '../model-source';

export interface PredictRunOptions extends ModelSource {
  inputs: string[];
  output: string;
  colormap?: ColormapName;
  sideBySide?: boolean;
  /** Write a coloured point cloud per image with these intrinsics (pixels at the image's size). */
  ply?: Intrinsics;
  flipTTA?: boolean;
  backend?: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  threads?: number;
  log?: (line: string) => void;
}

const IMAGE = /\.(png|jpe?g)$/i;

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

/** Predicts depth for every image, writes `<name>_depth.png` (mm), `<name>_color.png`, optional compare and PLY. */
export async function runPredict(o: PredictRunOptions): Promise<string[]> {
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const images = listImages(o.inputs); // before the (possibly 170 MB) weights load
  await setupBackend({ backend: o.backend, threads: o.threads });
  const dm: DepthModel = await loadModelFrom(o, log);
  const written: string[] = [];
  for (const file of images) {
    const img = await decodeRgb(await readFileBytes(file, 'image'), file);
    const { height: fh, width: fw } = dm.config.input;
    const depth = tf.tidy(() => {
      const x = sampleToInput({ rgb: img.data, width: img.width, height: img.height }, fh && fw ? { height: fh, width: fw } : undefined);
      // at the model's input size as DenseDepth's scale_up does, then (if it differs) to the image's size
      const p = predict(dm, x, { flipTTA: o.flipTTA ?? true, outputSize: 'input' });
      return p.shape[1] === img.height && p.shape[2] === img.width ? p : tf.image.resizeBilinear(p, [img.height, img.width], false, true);
    });
    const values = (await depth.data()) as Float32Array;
    depth.dispose();
    const name = path.basename(file).replace(IMAGE, '');
    written.push(
      ...(await writeDepthOutputs(o.output, name, values, img.width, img.height, {
        colormap: o.colormap,
        sideBySide: o.sideBySide ?? true,
        rgb: { rgb: img.data, width: img.width, height: img.height },
      })),
    );
    if (o.ply) {
      const p = path.join(o.output, `${name}.ply`);
      fs.writeFileSync(p, depthToPly(values, img.data, img.width, img.height, o.ply));
      written.push(p);
    }
    log(`${file} -> ${path.join(o.output, name)}_*.png`);
  }
  return written;
}
