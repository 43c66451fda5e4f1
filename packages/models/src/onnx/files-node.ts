/**
 * Node-only: .onnx files on disk (written next to their external data, read with their metadata).
 * (Behind the package's `node` entry point: it uses the file system.)
 */
import * as fs from 'fs';
import * as path from 'path';
import { DepthblocksError } from '@depthblocks/core';
import type { OnnxExport } from './export';
import { OnnxModel, type LoadOnnxOptions } from './runtime';

/**
 * Writes an exportOnnx result to `file` (and its external data, if any, next to it under its recorded name).
 * Returns the paths written.
 *
 * @example
 * writeOnnx(await exportOnnx(dm), 'model.onnx');
 */
export function writeOnnx(exported: OnnxExport, file: string): string[] {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, exported.model);
  const written = [file];
  if (exported.externalData) {
    const data = path.join(path.dirname(file), exported.externalData.location);
    fs.writeFileSync(data, exported.externalData.data);
    written.push(data);
  }
  return written;
}

/**
 * Opens a .onnx file written by exportOnnx / `depthblocks export` in ONNX Runtime (onnxruntime-node unless
 * `ort` is given); external data is found next to it.
 *
 * @example
 * const onnx = await loadOnnxFile('runs/quickstart/model.onnx', { threads: 2 });
 */
export async function loadOnnxFile(file: string, options: LoadOnnxOptions = {}): Promise<OnnxModel> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new DepthblocksError(
      'FILE_NOT_FOUND',
      `ONNX model not found: ${file} (write one with: depthblocks export --format onnx --model DIR --output ${file})`,
    );
  }
  return OnnxModel.create(fs.readFileSync(file), undefined, { ...options, path: options.path ?? path.resolve(file) });
}
