/**
 * exportOnnx: a depthblocks model (any encoder x decoder, any preset) -> an ONNX model (opset 17) that ONNX
 * Runtime, PyTorch users and every other ONNX consumer can run. The graph is built layer by layer from the
 * tf.LayersModel (converters in layers/), computes in NCHW with the input transposed once, folds batch norms
 * into convolutions, keeps height and width dynamic, puts the depth normalisation's inverse at the end (the
 * output is metres) and records how to use it in metadata_props.
 */
import { tf, DepthblocksError } from '@depthblocks/core';
import { preprocessConstants, type Preprocessing } from '@depthblocks/encoders';
import { CONFIG_METADATA_KEY, type DepthModel } from '../create-model';
import type { DepthModelConfig } from '../config';
import type { DepthNormalization } from '@depthblocks/core';
import { GraphBuilder } from './graph';
import { exportError, type ConvertContext, type Value } from './converter';
import { onnxConverter, onnxLayerClasses } from './layers';
import { metadataProps, toMetresText, ONNX_METADATA_FORMAT, type OnnxMetadata } from './metadata';
import { encodeModel, tensorValueInfo, ONNX_IR_VERSION, ONNX_OPSET, type Dim, type ModelProto, type TensorProto } from './proto';

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /** Input (and output) layout: 'nhwc' (default, as the tfjs model: the transpose is inside the graph) or 'nchw'. */
  layout?: 'nhwc' | 'nchw';
  /** Keep batch norms as BatchNormalization nodes instead of folding them into the convolutions (default false). */
  keepBatchNorm?: boolean;
  /** 'metres' (default): the depth normalisation's inverse is in the graph; 'raw': the model's own output. */
  output?: 'metres' | 'raw';
  /** Fix height and width to the model's input size (default false: dynamic wherever the architecture allows). */
  fixedSize?: boolean;
  /**
   * Weights go to an external data file when the inline model would exceed this many bytes (default: 2 GiB
   * minus 64 MiB, protobuf's limit with room for the graph). Tensors under 1 KiB always stay inline.
   */
  externalDataThreshold?: number;
  /** Name of the external data file, relative to the .onnx file (default '<model name>.onnx.data'). */
  externalDataLocation?: string;
}

/** What {@link exportOnnx} returns. */
export interface OnnxExport {
  /** The serialised ModelProto (the .onnx file). */
  model: Uint8Array;
  /** Weights stored outside the model (only when over the threshold): write `data` next to the .onnx as `location`. */
  externalData?: { location: string; data: Uint8Array };
  metadata: OnnxMetadata;
  stats: {
    nodes: number;
    /** Node count per op type. */
    ops: Record<string, number>;
    initializers: number;
    /** float32 parameters stored in the graph (after folding). */
    parameters: number;
    foldedBatchNorms: number;
  };
}

/** This package's version (the producer_version of exported models). */
const PACKAGE_VERSION: string = (() => {
  try {
    return (require('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

/** Default threshold for external data: protobuf's 2 GiB limit minus room for the graph itself. */
export const ONNX_EXTERNAL_DATA_THRESHOLD = 2 ** 31 - 64 * 2 ** 20;
const INLINE_BELOW = 1024;

function checkOptions(o: ExportOnnxOptions): Required<Omit<ExportOnnxOptions, 'externalDataLocation'>> & { externalDataLocation?: string } {
  const bad = (what: string, v: unknown, expected: string): never => {
    throw new DepthblocksError('INVALID_ARGUMENT', `exportOnnx: ${what} must be ${expected}, got ${JSON.stringify(v)}`);
  };
  const layout = o.layout ?? 'nhwc';
  if (layout !== 'nhwc' && layout !== 'nchw') bad('layout', layout, "'nhwc' or 'nchw'");
  const output = o.output ?? 'metres';
  if (output !== 'metres' && output !== 'raw') bad('output', output, "'metres' or 'raw'");
  const threshold = o.externalDataThreshold ?? ONNX_EXTERNAL_DATA_THRESHOLD;
  if (!(typeof threshold === 'number' && threshold >= 0)) bad('externalDataThreshold', threshold, 'a number of bytes >= 0');
  if (o.externalDataLocation !== undefined && !/^[^/\\]+$/.test(o.externalDataLocation))
    bad('externalDataLocation', o.externalDataLocation, 'a file name (no folders), e.g. "model.onnx.data"');
  return {
    layout,
    output,
    keepBatchNorm: o.keepBatchNorm ?? false,
    fixedSize: o.fixedSize ?? false,
    externalDataThreshold: threshold,
    externalDataLocation: o.externalDataLocation,
  };
}

/** Output size relative to the input (from tfjs' shape inference at 64x64), or null. */
function outputStride(model: tf.LayersModel, channels: number): number | null {
  try {
    const s = model.computeOutputShape([1, 64, 64, channels]) as number[];
    return s[1] ? 64 / s[1] : null;
  } catch {
    return null;
  }
}

/** The inverse of the depth normalisation, on an NCHW output: what targetToDepth (@depthblocks/core) computes, op for op. */
function depthInverse(g: GraphBuilder, y: string, n: DepthNormalization): string {
  switch (n.kind) {
    case 'densedepth': {
      const inv = g.node('Div', [g.floats('depth/max_depth', [n.maxDepth], []), y], {}, 'depth/inverse');
      return g.node('Clip', [inv, g.floats('depth/min', [n.minDepth], []), g.floats('depth/max', [n.maxDepth], [])], {}, 'depth/clip');
    }
    case 'unit':
      return g.node('Mul', [y, g.floats('depth/max_depth', [n.maxDepth], [])], {}, 'depth/scale');
    case 'log':
      return g.node('Exp', [y], {}, 'depth/exp');
    case 'none':
      return y;
  }
}

/**
 * Exports a model to ONNX (opset 17, IR version 8). Every layer of every registered encoder and decoder maps to
 * ONNX operators; a layer class without a converter is an error naming the layer and its class (teach it with
 * `registerOnnxLayer`). The default model takes `input` float32 NHWC [batch, height, width, 3] RGB in [0, 1] and
 * returns `depth` [batch, h, w, 1] in metres, with batch, height and width dynamic; `metadata_props` say so, and
 * hold the depthblocks config.
 *
 * @example
 * const dm = createDepthModel(lrasppMobilenetV3());
 * const { model } = await exportOnnx(dm);            // Uint8Array: the .onnx file
 * const nchw = await exportOnnx(dm, { layout: 'nchw', keepBatchNorm: true });
 */
export async function exportOnnx(model: DepthModel | tf.LayersModel, options: ExportOnnxOptions = {}): Promise<OnnxExport> {
  const o = checkOptions(options);
  const layers = model instanceof tf.LayersModel ? model : model.model;
  if (!(layers instanceof tf.LayersModel)) {
    throw new DepthblocksError('INVALID_ARGUMENT', 'exportOnnx: pass a DepthModel (createDepthModel, loadDepthModel) or a tf.LayersModel');
  }
  const config: DepthModelConfig | null =
    model instanceof tf.LayersModel
      ? (((layers.getUserDefinedMetadata() as Record<string, unknown> | undefined)?.[CONFIG_METADATA_KEY] as DepthModelConfig) ?? null)
      : model.config;
  if (layers.inputs.length !== 1 || layers.outputs.length !== 1) {
    throw new DepthblocksError(
      'UNSUPPORTED',
      `exportOnnx: the model must have one input and one output, got ${layers.inputs.length} and ${layers.outputs.length}`,
    );
  }
  const inputT = layers.inputs[0];
  const outputT = layers.outputs[0];
  if (inputT.shape.length !== 4 || inputT.shape[3] == null || outputT.shape.length !== 4) {
    throw new DepthblocksError(
      'UNSUPPORTED',
      `exportOnnx: the model must map [N, H, W, C] images to [N, H', W', C'] maps, got input [${inputT.shape.join(', ')}] and output [${outputT.shape.join(', ')}]`,
    );
  }
  const channels = inputT.shape[3] as number;
  const modelSize: [number, number] | null = inputT.shape[1] != null && inputT.shape[2] != null ? [inputT.shape[1], inputT.shape[2]] : null;

  // Readers of each symbolic tensor (a fusion may consume a value only when it is its sole reader).
  const readers = new Map<number, number>([[outputT.id, 1]]);
  const seen = new Set<number>();
  const visit = (t: tf.SymbolicTensor) => {
    if (seen.has(t.id)) return;
    seen.add(t.id);
    for (const i of t.inputs ?? []) {
      readers.set(i.id, (readers.get(i.id) ?? 0) + 1);
      visit(i);
    }
  };
  visit(outputT);

  const g = new GraphBuilder();
  const INPUT = g.unique('input');
  const OUTPUT = g.unique('depth');
  const values = new Map<number, Value>();
  values.set(inputT.id, {
    name: o.layout === 'nhwc' ? g.node('Transpose', [INPUT], { perm: { ints: [0, 3, 1, 2] } }, 'input/to_nchw') : INPUT,
    shape: inputT.shape,
  });
  let pinnedBy: string | null = null;
  let folded = 0;

  const convert = async (t: tf.SymbolicTensor): Promise<Value> => {
    const known = values.get(t.id);
    if (known) return known;
    const layer = t.sourceLayer as tf.layers.Layer;
    const className = (layer.constructor as unknown as { className?: string }).className ?? layer.getClassName();
    const inputs: Value[] = [];
    for (const i of t.inputs) inputs.push(await convert(i));
    if ((t.outputTensorIndex ?? 0) !== 0) throw exportError(layer, className, 'layers with several outputs are not exported');
    const converter = onnxConverter(className);
    if (!converter) {
      throw exportError(
        layer,
        className,
        `no ONNX converter for class ${className}; register one with registerOnnxLayer('${className}', converter) (exported classes: ${onnxLayerClasses().join(', ')})`,
      );
    }
    const weights = new Map<string, { data: Float32Array; shape: number[] }>();
    for (const w of layer.weights) {
      const short = (w.originalName ?? w.name).split('/').pop()!;
      weights.set(short, { data: (await w.read().data()) as Float32Array, shape: w.shape as number[] });
    }
    const ctx: ConvertContext = {
      g,
      layer,
      className,
      config: layer.getConfig(),
      inputs,
      outputShape: t.shape,
      weights,
      soleReader: (i) => readers.get(t.inputs[i].id) === 1,
      keepBatchNorm: o.keepBatchNorm,
      countFold: () => folded++,
      fail: (why) => {
        throw exportError(layer, className, why);
      },
    };
    if (inputs.some((v) => v.shape.length === 4) && ['Reshape', 'Flatten'].includes(className) && !inputs[0].pooled4d) {
      pinnedBy ??= `${layer.name} (${className})`;
    }
    const v = converter(ctx);
    values.set(t.id, v);
    return v;
  };
  const out = await convert(outputT);

  // Output: metres (or raw), in the requested layout.
  const depth: DepthNormalization = config?.depth ?? { kind: 'none' };
  const y = o.output === 'metres' ? depthInverse(g, out.name, depth) : out.name;
  if (o.layout === 'nhwc') g.nodeTo('Transpose', [y], { perm: { ints: [0, 2, 3, 1] } }, 'depth/to_nhwc', OUTPUT);
  else g.nodeTo('Identity', [y], {}, 'depth/output', OUTPUT);
  g.prune([OUTPUT]);

  const fixed = o.fixedSize || pinnedBy !== null;
  if (fixed && !modelSize) {
    throw new DepthblocksError(
      'UNSUPPORTED',
      `exportOnnx: ${pinnedBy ? `layer ${pinnedBy} needs a fixed input size` : 'fixedSize was asked for'}, but the model takes any size (input [${inputT.shape.join(', ')}]); build it with an inputSize`,
    );
  }
  const [h, w]: [Dim, Dim] = fixed ? modelSize! : ['height', 'width'];
  const outC = outputT.shape[3] ?? 'channels';
  const outH: Dim = fixed && outputT.shape[1] != null ? outputT.shape[1] : 'out_height';
  const outW: Dim = fixed && outputT.shape[2] != null ? outputT.shape[2] : 'out_width';
  const inDims: Dim[] = o.layout === 'nhwc' ? ['batch', h, w, channels] : ['batch', channels, h, w];
  const outDims: Dim[] = o.layout === 'nhwc' ? ['batch', outH, outW, outC] : ['batch', outC, outH, outW];

  const encoderOptions = config?.encoder.options as { preprocessing?: Preprocessing } | undefined;
  const pre = layers.layers.find((l) => l.getClassName() === 'DepthblocksPreprocess');
  const mode = ((pre?.getConfig().mode as Preprocessing | undefined) ?? encoderOptions?.preprocessing ?? 'none') as Preprocessing;
  const k = preprocessConstants(mode, channels);
  const metadata: OnnxMetadata = {
    format: ONNX_METADATA_FORMAT,
    input: {
      name: INPUT,
      layout: o.layout === 'nhwc' ? 'NHWC' : 'NCHW',
      channels,
      dtype: 'float32',
      range: [0, 1],
      preprocessing: pre ? { mode, inGraph: true, scale: k.scale, mean: k.mean, std: k.std, reverseChannels: k.reverse } : null,
      fixedSize: fixed ? modelSize : null,
      modelSize,
    },
    output: {
      name: OUTPUT,
      layout: o.layout === 'nhwc' ? 'NHWC' : 'NCHW',
      channels: outputT.shape[3] as number,
      units: o.output === 'metres' ? 'metres' : 'raw',
      depth,
      toMetres: o.output === 'metres' ? 'the output is metres (the inverse below is in the graph)' : toMetresText(depth),
      stride: outputStride(layers, channels),
    },
    config,
    exporter: { name: '@depthblocks/models', version: PACKAGE_VERSION, opset: ONNX_OPSET, batchNormFolded: !o.keepBatchNorm },
  };

  // Weights inline, or in an external file when the model would pass the threshold.
  let externalData: OnnxExport['externalData'];
  const rawBytes = g.initializers.reduce((s, t) => s + (t.raw_data?.length ?? 0), 0);
  if (rawBytes > o.externalDataThreshold) {
    const location = o.externalDataLocation ?? `${config?.name ?? layers.name}.onnx.data`;
    externalData = { location, data: moveToExternal(g.initializers, location) };
  }

  const layoutText = o.layout === 'nhwc' ? '[batch, height, width, channels]' : '[batch, channels, height, width]';
  const doc =
    `depthblocks ${config?.name ?? layers.name}: input '${INPUT}' float32 ${layoutText}, RGB in [0, 1]` +
    (pre ? ` (the ${mode} preprocessing is inside the graph)` : '') +
    `; output '${OUTPUT}' float32 ${layoutText.replace('height, width', "height', width'")}` +
    (o.output === 'metres' ? ', depth in metres.' : `, raw model output: ${toMetresText(depth)}.`) +
    (fixed ? ` Fixed input size ${modelSize![0]}x${modelSize![1]}.` : ' Batch, height and width are dynamic.') +
    ' See metadata_props depthblocks.*.';
  const proto: ModelProto = {
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'depthblocks',
    producer_version: PACKAGE_VERSION,
    doc_string: doc,
    graph: {
      name: config?.name ?? layers.name,
      node: g.nodes,
      initializer: g.initializers,
      input: [tensorValueInfo(INPUT, inDims)],
      output: [tensorValueInfo(OUTPUT, outDims)],
    },
    metadata_props: metadataProps(metadata),
  };
  const ops: Record<string, number> = {};
  for (const n of g.nodes) ops[n.op_type] = (ops[n.op_type] ?? 0) + 1;
  const parameters = g.initializers.reduce((s, t) => s + (t.data_type === 1 ? t.dims.reduce((a, b) => a * b, 1) : 0), 0);
  return {
    model: encodeModel(proto),
    ...(externalData ? { externalData } : {}),
    metadata,
    stats: { nodes: g.nodes.length, ops, initializers: g.initializers.length, parameters, foldedBatchNorms: folded },
  };
}

/** Moves every initializer of at least 1 KiB into one buffer (64-byte aligned offsets); returns the buffer. */
function moveToExternal(initializers: TensorProto[], location: string): Uint8Array {
  const big = initializers.filter((t) => (t.raw_data?.length ?? 0) >= INLINE_BELOW);
  let size = 0;
  const offsets = big.map((t) => {
    const at = Math.ceil(size / 64) * 64;
    size = at + t.raw_data!.length;
    return at;
  });
  const data = new Uint8Array(size);
  big.forEach((t, i) => {
    data.set(t.raw_data!, offsets[i]);
    t.external_data = [
      { key: 'location', value: location },
      { key: 'offset', value: String(offsets[i]) },
      { key: 'length', value: String(t.raw_data!.length) },
    ];
    t.data_location = 1; // EXTERNAL
    delete t.raw_data;
  });
  return data;
}
