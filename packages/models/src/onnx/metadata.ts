/**
 * What an exported model says about itself in its `metadata_props` (readable from Python with
 * `onnx.load(f).metadata_props` or onnxruntime's `session.get_modelmeta().custom_metadata_map`): how to feed it,
 * what it returns, and the depthblocks config that rebuilds it.
 */
import { DepthblocksError } from '@depthblocks/core';
import type { DepthModelConfig } from '../config';
import type { DepthNormalization } from '@depthblocks/core';
import { decodeModel } from './proto';

/** metadata_props keys (each value is JSON, except the format tag). */
export const ONNX_METADATA_KEYS = {
  format: 'depthblocks.format',
  input: 'depthblocks.input',
  output: 'depthblocks.output',
  config: 'depthblocks.config',
  exporter: 'depthblocks.exporter',
} as const;

/** The format tag's value. */
export const ONNX_METADATA_FORMAT = 'depthblocks-onnx/1';

export interface OnnxInputInfo {
  name: string;
  /** 'NHWC': [batch, height, width, channels] (default) or 'NCHW'. */
  layout: 'NHWC' | 'NCHW';
  channels: number;
  dtype: 'float32';
  /** RGB values in [0, 1]; the encoder's preprocessing (mean/std, BGR) is inside the graph. */
  range: [0, 1];
  preprocessing: { mode: string; inGraph: true; scale: number; mean: number[]; std: number[]; reverseChannels: boolean } | null;
  /** [height, width] when the graph only takes this size; null = any size (dynamic). */
  fixedSize: [number, number] | null;
  /** The [height, width] the tfjs model was built for (its config's input size), null = any. */
  modelSize: [number, number] | null;
}

export interface OnnxOutputInfo {
  name: string;
  layout: 'NHWC' | 'NCHW';
  channels: number;
  /** 'metres': the depth normalisation's inverse is inside the graph; 'raw': apply `depth` yourself. */
  units: 'metres' | 'raw';
  /** The model's depth normalisation (for 'raw' outputs: how to get metres). */
  depth: DepthNormalization;
  /** How to get metres from a raw output, in words and formulas. */
  toMetres: string;
  /** Output size relative to the input: 1 = same size, 2 = half (DenseDepth), null = unknown. */
  stride: number | null;
}

export interface OnnxMetadata {
  format: typeof ONNX_METADATA_FORMAT;
  input: OnnxInputInfo;
  output: OnnxOutputInfo;
  /** The depthblocks model config (null for a bare tf.LayersModel without one). */
  config: DepthModelConfig | null;
  exporter: { name: string; version: string; opset: number; batchNormFolded: boolean };
}

/** The formula that turns a raw output y into metres under a normalisation. */
export function toMetresText(n: DepthNormalization): string {
  switch (n.kind) {
    case 'densedepth':
      return `depth = clip(${n.maxDepth} / y, ${n.minDepth}, ${n.maxDepth}) (DenseDepth's inverse depth)`;
    case 'unit':
      return `depth = y * ${n.maxDepth}`;
    case 'log':
      return 'depth = exp(y)';
    case 'none':
      return 'depth = y (the model outputs metres)';
  }
}

/** The metadata_props entries of a metadata object. */
export function metadataProps(m: OnnxMetadata): { key: string; value: string }[] {
  return [
    { key: ONNX_METADATA_KEYS.format, value: m.format },
    { key: ONNX_METADATA_KEYS.input, value: JSON.stringify(m.input) },
    { key: ONNX_METADATA_KEYS.output, value: JSON.stringify(m.output) },
    { key: ONNX_METADATA_KEYS.config, value: JSON.stringify(m.config) },
    { key: ONNX_METADATA_KEYS.exporter, value: JSON.stringify(m.exporter) },
  ];
}

/**
 * Reads the depthblocks metadata of an ONNX model (its bytes); null when the model was not exported by
 * depthblocks (no `depthblocks.format` entry).
 *
 * @example
 * const meta = readOnnxMetadata(fs.readFileSync('model.onnx'));
 * meta?.output.units; // 'metres'
 */
export function readOnnxMetadata(bytes: Uint8Array): OnnxMetadata | null {
  const props = new Map((decodeModel(bytes).metadata_props ?? []).map((p) => [p.key, p.value]));
  const format = props.get(ONNX_METADATA_KEYS.format);
  if (format === undefined) return null;
  if (format !== ONNX_METADATA_FORMAT) {
    throw new DepthblocksError(
      'UNSUPPORTED',
      `ONNX model metadata format '${format}' is not supported by this @depthblocks/models (expects '${ONNX_METADATA_FORMAT}'); upgrade the package`,
    );
  }
  const json = (k: string) => {
    try {
      return JSON.parse(props.get(k) ?? 'null');
    } catch {
      throw new DepthblocksError('CORRUPT_FILE', `ONNX model metadata '${k}' is not valid JSON`);
    }
  };
  return {
    format,
    input: json(ONNX_METADATA_KEYS.input),
    output: json(ONNX_METADATA_KEYS.output),
    config: json(ONNX_METADATA_KEYS.config),
    exporter: json(ONNX_METADATA_KEYS.exporter),
  };
}
