/**
 * How much memory a forward pass needs, estimated from the model's graph before it runs, so that a pass that
 * cannot fit in wasm's 4 GB is refused with a clear error instead of thrashing or aborting deep inside wasm.
 *
 * The estimate walks the layers in execution order with the concrete input shape, as tfjs-layers' executor
 * runs a prediction: each layer's output is kept until its last consumer has run, then freed. The peak of the
 * live activations, plus the largest convolution's scratch (XNNPACK's indirection buffer: one 4-byte pointer per
 * output pixel and kernel tap) and the input, is what the pass needs beyond the memory already in use.
 */
import { DepthblocksError, tf } from '@depthblocks/core';

/** wasm32's address space: the wasm backend's heap can never grow past 4 GiB. */
export const WASM_HEAP_LIMIT = 4 * 1024 ** 3;
/**
 * What a forward pass may use on wasm: 2 GiB. Past that, stock tfjs-backend-wasm kernels fail on heap offsets
 * above 2 GB ("Invalid typed array length") although the heap itself could grow to 4 GiB (measured: a
 * ResNet-18 U-Net pass at 4000x3000, estimated 2.5 GB, fails in Concat).
 */
export const WASM_PASS_BUDGET = 2 * 1024 ** 3;

/** What {@link estimateForwardMemory} finds. */
export interface ForwardMemoryEstimate {
  /** Peak bytes of activations alive at once (float32), input included. */
  activations: number;
  /** The largest single layer's scratch bytes: convolution indirection buffers, or one more output for the
   * temporaries of layers made of several ops (batch norm, activations). */
  scratch: number;
  /** activations + scratch: what a pass adds to the memory in use (weights are already there). */
  bytes: number;
  /** The layer at which the peak happens. */
  peakLayer: string;
}

type Shape = (number | null)[];

const prod = (s: Shape): number => s.reduce<number>((a, b) => a * (b ?? 1), 1);

/** The nodes of a functional model in execution order, with their input and output symbolic tensors. */
function nodesOf(model: tf.LayersModel): { layer: tf.layers.Layer; inputs: tf.SymbolicTensor[]; outputs: tf.SymbolicTensor[] }[] {
  const container = model as unknown as { containerNodes: Set<string> };
  const out: { layer: tf.layers.Layer; inputs: tf.SymbolicTensor[]; outputs: tf.SymbolicTensor[] }[] = [];
  for (const layer of model.layers) {
    const nodes = (layer as unknown as { inboundNodes: { inputTensors: tf.SymbolicTensor[]; outputTensors: tf.SymbolicTensor[] }[] })
      .inboundNodes;
    nodes.forEach((node, i) => {
      if (container.containerNodes.has(`${layer.name}_ib-${i}`))
        out.push({ layer, inputs: node.inputTensors, outputs: node.outputTensors });
    });
  }
  return out;
}

/**
 * Estimates the memory a `model.predict` on an input of `shape` ([N, H, W, C]) needs (float32 activations).
 *
 * @example
 * const e = estimateForwardMemory(dm.model, [1, 3000, 4000, 3]);
 * console.log((e.bytes / 2 ** 30).toFixed(1), 'GiB at its peak, in', e.peakLayer);
 */
export function estimateForwardMemory(model: tf.LayersModel, shape: [number, number, number, number]): ForwardMemoryEstimate {
  const shapes = new Map<number, Shape>();
  const consumers = new Map<number, number>();
  const nodes = nodesOf(model);
  model.inputs.forEach((t) => shapes.set(t.id, shape));
  for (const n of nodes) for (const t of n.inputs) consumers.set(t.id, (consumers.get(t.id) ?? 0) + 1);
  const outputIds = new Set(model.outputs.map((t) => t.id));
  let live = prod(shape) * 4;
  let peak = live;
  let peakLayer = 'input';
  let scratch = 0;
  for (const { layer, inputs, outputs } of nodes) {
    if (layer.getClassName() === 'InputLayer') continue;
    const inShapes = inputs.map((t) => shapes.get(t.id) ?? t.shape);
    let outShapes: Shape[];
    try {
      const s = layer.computeOutputShape(inShapes.length === 1 ? inShapes[0] : inShapes) as Shape | Shape[];
      outShapes = Array.isArray(s[0]) ? (s as Shape[]) : [s as Shape];
    } catch {
      outShapes = outputs.map((t) => [shape[0], ...t.shape.slice(1)]);
    }
    outputs.forEach((t, i) => shapes.set(t.id, outShapes[i] ?? t.shape));
    const outBytes = outShapes.reduce((s, o) => s + prod(o) * 4, 0);
    scratch = Math.max(scratch, outBytes);
    const cfg = layer.getConfig() as { kernelSize?: number | number[] };
    if (cfg.kernelSize !== undefined && /Conv/.test(layer.getClassName())) {
      const k = Array.isArray(cfg.kernelSize) ? cfg.kernelSize[0] * (cfg.kernelSize[1] ?? cfg.kernelSize[0]) : cfg.kernelSize ** 2;
      const o = outShapes[0];
      if (k > 1) scratch = Math.max(scratch, ((o[0] ?? 1) * (o[1] ?? 1) * (o[2] ?? 1) * k * 4) as number);
    }
    live += outBytes;
    if (live > peak) {
      peak = live;
      peakLayer = layer.name;
    }
    for (const t of inputs) {
      const left = (consumers.get(t.id) ?? 1) - 1;
      consumers.set(t.id, left);
      if (left === 0 && !outputIds.has(t.id)) live -= prod(shapes.get(t.id) ?? t.shape) * 4;
    }
  }
  return { activations: peak, scratch, bytes: peak + scratch, peakLayer };
}

/** Bytes as "1.2 GB". */
export function formatBytes(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : `${Math.round(n / 1e6)} MB`;
}

/** Options of {@link checkForwardMemory}. */
export interface MemoryCheckOptions {
  /** Passes run one after the other (2 with flip TTA, whose first result is kept during the second). */
  passes?: number;
  /** Bytes available; default: on wasm, 4 GiB less what tfjs holds now; elsewhere no check. */
  limit?: number;
  /** What is being done, for the message (e.g. "predict on photo.jpg"). */
  what?: string;
}

/**
 * Throws DepthblocksError('OUT_OF_MEMORY') before a forward pass that cannot fit, saying how much it needs
 * and what to do. On backends without wasm's 4 GB limit it checks only when `limit` is given.
 *
 * @example
 * checkForwardMemory(dm.model, [1, 3000, 4000, 3], { what: 'predict on photo.jpg' });
 */
export function checkForwardMemory(model: tf.LayersModel, shape: [number, number, number, number], options: MemoryCheckOptions = {}): void {
  let limit = options.limit;
  if (limit === undefined) {
    if (tf.getBackend() !== 'wasm') return;
    limit = WASM_PASS_BUDGET - tf.memory().numBytes;
  }
  const e = estimateForwardMemory(model, shape);
  const passes = options.passes ?? 1;
  // the first pass's output stays while the second pass runs
  const out = model.outputs.reduce((s, t) => s + prod([shape[0], ...t.shape.slice(1)].map((v, i) => (v == null ? shape[i] : v))) * 4, 0);
  const need = e.bytes + (passes - 1) * out;
  if (need > limit) {
    throw new DepthblocksError(
      'OUT_OF_MEMORY',
      `${options.what ?? 'A forward pass'} at ${shape[1]}x${shape[2]} (batch ${shape[0]}) needs about ${formatBytes(need)} ` +
        `(peak at layer ${e.peakLayer}), more than the ${formatBytes(limit)} the wasm backend can still use (wasm is limited to 4 GB; passes over 2 GB fail in tfjs' kernels). ` +
        'Predict at a working resolution (predictImage with maxSize, CLI --max-size N or --size WxH), tile the image (--tile), ' +
        'lower the batch size, or install @tensorflow/tfjs-node, which has no such limit.',
      { need, limit, shape, peakLayer: e.peakLayer },
    );
  }
}
