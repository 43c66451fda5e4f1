import {
  tf,
  DepthblocksError,
  hasHdf5Signature,
  kerasWeightSources,
  loadIntoVariables,
  parseKerasH5,
  readSafetensors,
  weightBytes,
  type KerasH5File,
  type WeightBytes,
  type WeightLocation,
  type WeightSource,
  type WeightTensor,
} from '@depthblocks/core';
import { EncoderBase } from './base';
import { FreezableBatchNormalization } from './layers/batch_norm';
import type { Encoder, LoadReport } from './types';

/** Options of {@link loadWeights}. */
export interface LoadWeightsOptions {
  /** File format; default: detected from the bytes (HDF5 signature -> keras-h5, else safetensors). */
  format?: 'keras-h5' | 'safetensors';
  /** Default true: any missing, unexpected or mis-shaped tensor throws WEIGHTS_MISMATCH and nothing is loaded. */
  strict?: boolean;
}

/** One encoder weight and where it lives. */
interface Target {
  /** `<keras layer name>/<weight name>`, e.g. `conv1/conv/kernel`. */
  key: string;
  layer: string;
  short: string;
  variable: tf.LayerVariable;
}

const KERAS_HEADS = new Set(['predictions', 'fc1000', 'Logits', 'Predictions', 'avg_pool', 'global_average_pooling2d']);
const TORCH_HEAD = /^(fc|classifier|head|last_linear)\.|^classifier$/;

/** Every weight of the encoder under its Keras key. */
function targetsOf(enc: EncoderBase): Target[] {
  const out: Target[] = [];
  for (const layer of enc.layers) {
    const lname = enc.kerasName(layer);
    for (const v of layer.weights) {
      const short = v.originalName.split('/').pop()!;
      out.push({ key: `${lname}/${short}`, layer: lname, short, variable: v });
    }
  }
  return out;
}

/** Transposes row-major `data` of `shape` by `perm`. */
export function transposeData(data: Float32Array, shape: number[], perm: number[]): { data: Float32Array; shape: number[] } {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank);
  inStrides[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1] * shape[i + 1];
  const stepIn = perm.map((p) => inStrides[p]);
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[src];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      src += stepIn[d];
      if (idx[d] < outShape[d]) break;
      src -= stepIn[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return { data: out, shape: outShape };
}

/** Keras .h5 contents under Keras keys (the encoder's aliases, e.g. Keras 3 stem names; ImageNet heads ignored). */
function fromKeras(file: KerasH5File, enc: EncoderBase, targets: Target[]): { sources: Map<string, WeightSource>; ignored: string[] } {
  return kerasWeightSources(file, targets, { alias: (name) => enc.kerasAlias(name), ignoreLayers: KERAS_HEADS });
}

/** torchvision/timm safetensors contents under Keras keys (OIHW -> HWIO, BN names). */
function fromTorch(
  tensors: Map<string, WeightTensor>,
  enc: EncoderBase,
  targets: Target[],
): { sources: Map<string, WeightSource>; ignored: string[]; unexpected: string[] } {
  const suffix: Record<string, string> = {
    kernel: 'weight',
    depthwise_kernel: 'weight',
    bias: 'bias',
    gamma: 'weight',
    beta: 'bias',
    moving_mean: 'running_mean',
    moving_variance: 'running_var',
  };
  const sources = new Map<string, WeightSource>();
  const used = new Set<string>();
  for (const t of targets) {
    const p = enc.torchPath(t.layer);
    if (p == null || !(t.short in suffix)) continue;
    const name = `${p}.${suffix[t.short]}`;
    const w = tensors.get(name);
    if (!w) continue;
    used.add(name);
    let conv = { data: w.data, shape: w.shape };
    if (t.short === 'kernel' && w.shape.length === 4) conv = transposeData(w.data, w.shape, [2, 3, 1, 0]);
    if (t.short === 'depthwise_kernel' && w.shape.length === 4) conv = transposeData(w.data, w.shape, [2, 3, 0, 1]);
    sources.set(t.key, { source: name, fileShape: w.shape, ...conv });
  }
  const ignored: string[] = [];
  const unexpected: string[] = [];
  for (const name of tensors.keys()) {
    if (used.has(name)) continue;
    if (name.endsWith('num_batches_tracked') || TORCH_HEAD.test(name)) ignored.push(name);
    else unexpected.push(name);
  }
  return { sources, ignored, unexpected };
}

/**
 * Adapts a pretrained RGB stem kernel [kh, kw, 3, O] to `n` input channels as
 * segmentation_models.pytorch does: 1 channel = the sum over RGB; otherwise RGB repeated cyclically
 * and scaled by 3 / n.
 *
 * @example
 * adaptStemKernel({ shape: [1, 1, 3, 1], data: Float32Array.of(1, 2, 3) }, 1).data; // [6]
 */
export function adaptStemKernel(w: WeightTensor, n: number): WeightTensor {
  const [kh, kw, c, o] = w.shape;
  const out = new Float32Array(kh * kw * n * o);
  for (let t = 0; t < kh * kw; t++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < o; j++) {
        let v = 0;
        if (n === 1) for (let k = 0; k < c; k++) v += w.data[(t * c + k) * o + j];
        else v = (w.data[(t * c + (i % c)) * o + j] * c) / n;
        out[(t * n + i) * o + j] = v;
      }
    }
  }
  return { shape: [kh, kw, n, o], data: out };
}

/**
 * Loads pretrained weights into a built encoder, by Keras layer name.
 *
 * Sources: a Keras .h5 file (Keras 2 `layer_names`/`weight_names` layout or Keras 3 `.weights.h5`;
 * DenseNet's Keras 3 stem names `conv1_conv`/`conv1_bn` and the original Keras ResNet-50 names
 * `res2a_branch2a`/`bn_conv1` are accepted), or a torchvision/timm
 * .safetensors file (keys mapped by the encoder's `torchPath`, see `src/keymaps/*`; conv weights OIHW -> HWIO, BN `running_mean/var`
 * -> `moving_mean/variance`, `num_batches_tracked` and classifier heads ignored). `source` is the file's
 * bytes or an http(s) URL (downloaded with fetch); in Node also a path or a file: URL. No pickle files.
 *
 * With `inChannels != 3`, a 3-channel stem kernel is adapted (see {@link adaptStemKernel}).
 * Strict (default): any missing, unexpected or mis-shaped tensor throws
 * `DepthblocksError('WEIGHTS_MISMATCH')` listing them with shapes (lists in `error.details`) and loads
 * nothing. `strict: false` loads what matches and returns the rest in the report.
 *
 * @example
 * const enc = getEncoder('densenet169');
 * const features = enc.build(tf.input({ shape: [480, 640, 3] }));
 * const report = await loadWeights(enc, 'densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5'); // Node: a path
 * console.log(report.loaded); // 1014
 * await loadWeights(enc, new Uint8Array(await file.arrayBuffer())); // browser: a File's bytes
 */
export async function loadWeights(encoder: Encoder, source: WeightLocation, options: LoadWeightsOptions = {}): Promise<LoadReport> {
  checkLoadable(encoder);
  return loadWeightBytes(encoder, await weightBytes(source), options);
}

function checkLoadable(encoder: Encoder): asserts encoder is EncoderBase {
  if (!(encoder instanceof EncoderBase)) {
    throw new DepthblocksError('INVALID_ARGUMENT', 'loadWeights: expected an encoder from @depthblocks/encoders (getEncoder(...))');
  }
  if (encoder.layers.length === 0) {
    throw new DepthblocksError('INVALID_ARGUMENT', `loadWeights: ${encoder.name} has no layers yet; call encoder.build(input) first`);
  }
}

/**
 * {@link loadWeights} on bytes already read (`where` names them in messages). The Node entry's loadWeights reads
 * paths and then calls this.
 */
export async function loadWeightBytes(encoder: Encoder, file: WeightBytes, options: LoadWeightsOptions = {}): Promise<LoadReport> {
  checkLoadable(encoder);
  const { bytes, where } = file;
  const format = options.format ?? (hasHdf5Signature(bytes) ? 'keras-h5' : 'safetensors');
  if (format !== 'keras-h5' && format !== 'safetensors') {
    throw new DepthblocksError('INVALID_ARGUMENT', `loadWeights: format must be 'keras-h5' or 'safetensors', got '${String(format)}'`);
  }
  const targets = targetsOf(encoder);
  let sources: Map<string, WeightSource>;
  let ignored: string[];
  let unexpected: string[] = [];
  const fileShapes = new Map<string, number[]>();
  if (format === 'keras-h5') {
    if (!hasHdf5Signature(bytes))
      throw new DepthblocksError(
        'WEIGHTS_FORMAT',
        `${where} is not an HDF5 file (no HDF5 signature); use format 'safetensors' for .safetensors files`,
      );
    const file = await parseKerasH5(bytes, where);
    for (const l of file.layers) for (const w of l.weights) fileShapes.set(w.name, w.shape);
    ({ sources, ignored } = fromKeras(file, encoder, targets));
  } else {
    const { tensors } = readSafetensors(bytes, where);
    for (const [k, t] of tensors) fileShapes.set(k, t.shape);
    ({ sources, ignored, unexpected } = fromTorch(tensors, encoder, targets));
  }
  const n = encoder.options.inChannels;
  const report = loadIntoVariables(targets, sources, {
    strict: options.strict,
    where,
    what: 'the encoder',
    advice:
      'Check that the file belongs to this architecture and style (e.g. resnet50 style keras vs torch), or pass { strict: false } to load what matches.',
    unexpected,
    ignored,
    fileShapes,
    // a 3-channel stem kernel for an encoder built with inChannels != 3
    adapt: (t, s) =>
      (t as Target).layer === encoder.stemConv &&
      (t as Target).short === 'kernel' &&
      n !== 3 &&
      s.shape.length === 4 &&
      s.shape[2] === 3 &&
      (t.variable.shape as number[])[2] === n
        ? adaptStemKernel(s, n)
        : null,
  });
  // DenseNet's batch-norm epsilon follows the weights' style (Keras 1.001e-5, torch/timm 1e-5), unless given
  const eps = encoder.bnEpsilonFor(format === 'keras-h5' ? 'keras' : 'torch');
  let bnEpsilon: number | undefined;
  if (eps !== undefined && report.loaded > 0) {
    for (const l of encoder.layers) if (l instanceof FreezableBatchNormalization) l.epsilon = eps;
    bnEpsilon = eps;
  }
  return { format, ...report, ...(bnEpsilon !== undefined ? { bnEpsilon } : {}) };
}
