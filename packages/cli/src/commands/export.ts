/** `depthblocks export`: a saved model folder -> an ONNX file (weights inline, or external data beyond 2 GB). */
import * as path from 'path';
import { DepthblocksError } from '@depthblocks/core';
import { setupBackend } from '@depthblocks/backend';
import { exportOnnx, loadDepthModel, writeOnnx, type OnnxExport } from '@depthblocks/models';

export interface ExportRunOptions {
  modelDir: string;
  format?: string;
  /** Default <modelDir>/model.onnx. */
  output?: string;
  layout?: 'nhwc' | 'nchw';
  keepBatchNorm?: boolean;
  /** Leave the depth normalisation out of the graph (raw model output). */
  raw?: boolean;
  fixedSize?: boolean;
  threads?: number;
  log?: (line: string) => void;
}

/** Exports a saved model to ONNX; returns the files written and the export's stats. */
export async function runExport(o: ExportRunOptions): Promise<{ files: string[]; stats: OnnxExport['stats']; seconds: number }> {
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const format = o.format ?? 'onnx';
  if (format !== 'onnx') throw new DepthblocksError('INVALID_ARGUMENT', `--format must be onnx (the only export format), got "${format}"`);
  if (o.layout !== undefined && o.layout !== 'nhwc' && o.layout !== 'nchw') {
    throw new DepthblocksError('INVALID_ARGUMENT', `--layout must be nhwc or nchw, got "${o.layout}"`);
  }
  await setupBackend({ backend: 'wasm', threads: o.threads });
  const dm = await loadDepthModel(o.modelDir);
  const output = o.output ?? path.join(o.modelDir, 'model.onnx');
  const t0 = performance.now();
  const exported = await exportOnnx(dm, {
    layout: o.layout,
    keepBatchNorm: o.keepBatchNorm,
    output: o.raw ? 'raw' : 'metres',
    fixedSize: o.fixedSize,
    externalDataLocation: `${path.basename(output)}.data`,
  });
  const files = writeOnnx(exported, output);
  const seconds = (performance.now() - t0) / 1000;
  const mb = (exported.model.length + (exported.externalData?.data.length ?? 0)) / 2 ** 20;
  log(
    `exported ${dm.config.name} to ${files.join(' + ')} (${mb.toFixed(1)} MiB, ${exported.stats.nodes} nodes, ` +
      `${exported.stats.foldedBatchNorms} batch norms folded) in ${seconds.toFixed(1)} s`,
  );
  dm.model.dispose();
  return { files, stats: exported.stats, seconds };
}
