/** Shared by the ONNX tests: run a model on tfjs and on ONNX Runtime and compare; the real sample image. */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '@depthblocks/core';
import { decodeRgb } from '@depthblocks/datasets';
import { exportOnnx, loadOnnxModel, type ExportOnnxOptions, type OnnxExport } from '../src';

export const REAL = path.resolve(__dirname, '../../../../shared/data/real');
export const NYU_RGB = path.join(REAL, 'nyu/bookstore_0001d_00001.jpg');
export const KITTI_RGB = path.join(REAL, 'kitti/raw/2011_09_26/2011_09_26_drive_0023_sync/image_02/data/0000000000.png');
export const realPresent = fs.existsSync(NYU_RGB) && fs.existsSync(KITTI_RGB);

/** The real NYU frame (160x120) as [1, h, w, 3] in [0, 1], resized (bilinear, half-pixel) to h x w. */
export async function realImage(h: number, w: number): Promise<tf.Tensor4D> {
  const img = await decodeRgb(fs.readFileSync(NYU_RGB), NYU_RGB);
  return tf.tidy(() => {
    const x = tf.div(tf.tensor4d(img.data, [1, img.height, img.width, 3], 'int32').toFloat(), 255) as tf.Tensor4D;
    return h === img.height && w === img.width ? x : tf.image.resizeBilinear(x, [h, w], false, true);
  });
}

/** max |a - b| and max |a| over two equally shaped tensors (shapes must match). */
export function difference(a: tf.Tensor, b: tf.Tensor): { maxAbs: number; scale: number; rel: number } {
  expect(b.shape).toEqual(a.shape);
  const da = a.dataSync();
  const db = b.dataSync();
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < da.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(da[i] - db[i]));
    scale = Math.max(scale, Math.abs(da[i]));
  }
  return { maxAbs, scale, rel: maxAbs / Math.max(scale, 1e-30) };
}

/** Standard deviation of a tensor's values (a check that a compared output is not constant). */
export function spread(t: tf.Tensor): number {
  const d = t.dataSync();
  let m = 0;
  for (const v of d) m += v / d.length;
  let s = 0;
  for (const v of d) s += (v - m) ** 2 / d.length;
  return Math.sqrt(s);
}

/**
 * Exports `model`, runs every input through tfjs (model.predict) and ONNX Runtime (1 thread), and returns the
 * largest relative difference (max |tfjs - ort| / max |tfjs|) with the outputs (the caller disposes them).
 */
export async function compareOnnx(
  model: tf.LayersModel,
  inputs: tf.Tensor4D[],
  options: ExportOnnxOptions = {},
): Promise<{ rel: number; exported: OnnxExport; outputs: [tf.Tensor4D, tf.Tensor4D][] }> {
  const exported = await exportOnnx(model, options);
  const session = await loadOnnxModel(exported, { threads: 1 });
  let rel = 0;
  const outputs: [tf.Tensor4D, tf.Tensor4D][] = [];
  try {
    for (const x of inputs) {
      const a = model.predict(x) as tf.Tensor4D;
      const b = await session.run(x);
      rel = Math.max(rel, difference(a, b).rel);
      outputs.push([a, b]);
    }
  } finally {
    await session.release();
  }
  return { rel, exported, outputs };
}
