import * as fs from 'fs';
import { fileURLToPath } from 'url';
import { tf, DepthblocksError, hasHdf5Signature, readKerasH5, readSafetensors, type WeightTensor } from '@depthblocks/core';
import { EncoderBase } from './base';
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

/** A file tensor already converted to the encoder's layout (HWIO etc.), under its Keras key. */
interface Source extends WeightTensor {
  /** The tensor's name in the file. */
  source: string;
  /** Its shape in the file (before layout conversion). */
  fileShape: number[];
}

const KERAS_HEADS = new Set(['predictions', 'fc1000', 'Logits', 'Predictions', 'avg_pool', 'global_average_pooling2d']);
const TORCH_HEAD = /^(fc|classifier|head|last_linear)\.|^classifier$/;

/** Reads `source` (path, http(s) URL, file: URL or bytes) into memory. */
async function readSource(source: string | Uint8Array | URL): Promise<{ bytes: Uint8Array; where: string }> {
  if (source instanceof Uint8Array) return { bytes: source, where: 'buffer' };
  const url = source instanceof URL ? source : /^https?:\/\//i.test(source) ? new URL(source) : null;
  if (url && url.protocol === 'file:') return readSource(fileURLToPath(url));
  if (url) {
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new DepthblocksError(
        'FILE_NOT_FOUND',
        `Could not download weights from ${url.href}: ${(e as Error).message}. Check the network, or download the file and pass its path`,
      );
    }
    if (!res.ok) {
      throw new DepthblocksError('FILE_NOT_FOUND', `Could not download weights from ${url.href}: HTTP ${res.status} ${res.statusText}`);
    }
    return { bytes: new Uint8Array(await res.arrayBuffer()), where: url.href };
  }
  if (typeof source !== 'string') {
    throw new DepthblocksError('INVALID_ARGUMENT', `loadWeights: source must be a path, URL or Uint8Array, got ${typeof source}`);
  }
  if (!fs.existsSync(source)) {
    throw new DepthblocksError('FILE_NOT_FOUND', `Weight file not found: ${source}`);
  }
  return { bytes: new Uint8Array(fs.readFileSync(source)), where: source };
}

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

/** Keras .h5 contents under Keras keys. */
function fromKeras(
  file: Awaited<ReturnType<typeof readKerasH5>>,
  enc: EncoderBase,
  targets: Target[],
): { sources: Map<string, Source>; ignored: string[] } {
  const alias = (name: string): string => enc.kerasAlias(name);
  const shortsByLayer = new Map<string, string[]>();
  for (const t of targets) shortsByLayer.set(t.layer, [...(shortsByLayer.get(t.layer) ?? []), t.short]);
  const sources = new Map<string, Source>();
  const ignored: string[] = [];
  for (const layer of file.layers) {
    const lname = alias(layer.name);
    layer.weights.forEach((w, i) => {
      if (KERAS_HEADS.has(lname)) {
        ignored.push(w.name);
        return;
      }
      let short: string;
      const k3 = /\/vars\/(\d+)$/.exec(w.name);
      if (file.format === 'keras3' && k3) {
        short = shortsByLayer.get(lname)?.[Number(k3[1])] ?? `vars/${k3[1]}`;
      } else {
        const base = w.name.startsWith(`${layer.name}/`) ? w.name.slice(layer.name.length + 1) : w.name;
        short = base.replace(/:\d+$/, '').split('/').pop() ?? `#${i}`;
      }
      sources.set(`${lname}/${short}`, { source: w.name, shape: w.shape, fileShape: w.shape, data: w.data });
    });
  }
  return { sources, ignored };
}

/** torchvision/timm safetensors contents under Keras keys (OIHW -> HWIO, BN names). */
function fromTorch(
  tensors: Map<string, WeightTensor>,
  enc: EncoderBase,
  targets: Target[],
): { sources: Map<string, Source>; ignored: string[]; unexpected: string[] } {
  const suffix: Record<string, string> = {
    kernel: 'weight',
    depthwise_kernel: 'weight',
    bias: 'bias',
    gamma: 'weight',
    beta: 'bias',
    moving_mean: 'running_mean',
    moving_variance: 'running_var',
  };
  const sources = new Map<string, Source>();
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

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

function mismatchMessage(where: string, report: LoadReport, targets: Map<string, Target>, fileShapes: Map<string, number[]>): string {
  const list = <T>(items: T[], show: (x: T) => string): string => {
    const head = items.slice(0, 20).map((x) => `    ${show(x)}`);
    if (items.length > 20) head.push(`    ... and ${items.length - 20} more (see error.details)`);
    return head.join('\n');
  };
  const parts = [`Weights in ${where} do not match the encoder:`];
  if (report.missing.length) {
    parts.push(
      `  missing from the file (${report.missing.length}):`,
      list(report.missing, (k) => `${k} ${fmt(targets.get(k)!.variable.shape as number[])}`),
    );
  }
  if (report.unexpected.length) {
    parts.push(
      `  unexpected in the file (${report.unexpected.length}):`,
      list(report.unexpected, (k) => (fileShapes.has(k) ? `${k} ${fmt(fileShapes.get(k)!)}` : k)),
    );
  }
  if (report.misShaped.length) {
    parts.push(
      `  mis-shaped (${report.misShaped.length}):`,
      list(
        report.misShaped,
        (m) =>
          `${m.name} expects ${fmt(m.expected)}, got ${fmt(m.got)} from '${m.source}'` +
          (fmt(m.fileShape) !== fmt(m.got) ? ` (stored as ${fmt(m.fileShape)})` : ''),
      ),
    );
  }
  parts.push(
    'Check that the file belongs to this architecture and style (e.g. resnet50 style keras vs torch), or pass { strict: false } to load what matches.',
  );
  return parts.join('\n');
}

/**
 * Loads pretrained weights into a built encoder, by Keras layer name.
 *
 * Sources: a Keras .h5 file (Keras 2 `layer_names`/`weight_names` layout or Keras 3 `.weights.h5`;
 * DenseNet's Keras 3 stem names `conv1_conv`/`conv1_bn` and the original Keras ResNet-50 names
 * `res2a_branch2a`/`bn_conv1` are accepted), or a torchvision/timm
 * .safetensors file (keys mapped by the encoder's `torchPath`, see `src/keymaps/*`; conv weights OIHW -> HWIO, BN `running_mean/var`
 * -> `moving_mean/variance`, `num_batches_tracked` and classifier heads ignored). `source` is a path,
 * an http(s) or file: URL (downloaded with fetch), or the file's bytes. No pickle files.
 *
 * With `inChannels != 3`, a 3-channel stem kernel is adapted (see {@link adaptStemKernel}).
 * Strict (default): any missing, unexpected or mis-shaped tensor throws
 * `DepthblocksError('WEIGHTS_MISMATCH')` listing them with shapes (lists in `error.details`) and loads
 * nothing. `strict: false` loads what matches and returns the rest in the report.
 *
 * @example
 * const enc = getEncoder('densenet169');
 * const features = enc.build(tf.input({ shape: [480, 640, 3] }));
 * const report = await loadWeights(enc, 'densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5');
 * console.log(report.loaded); // 1014
 */
export async function loadWeights(
  encoder: Encoder,
  source: string | Uint8Array | URL,
  options: LoadWeightsOptions = {},
): Promise<LoadReport> {
  if (!(encoder instanceof EncoderBase)) {
    throw new DepthblocksError('INVALID_ARGUMENT', 'loadWeights: expected an encoder from @depthblocks/encoders (getEncoder(...))');
  }
  if (encoder.layers.length === 0) {
    throw new DepthblocksError('INVALID_ARGUMENT', `loadWeights: ${encoder.name} has no layers yet; call encoder.build(input) first`);
  }
  const strict = options.strict ?? true;
  const { bytes, where } = await readSource(source);
  const format = options.format ?? (hasHdf5Signature(bytes) ? 'keras-h5' : 'safetensors');
  if (format !== 'keras-h5' && format !== 'safetensors') {
    throw new DepthblocksError('INVALID_ARGUMENT', `loadWeights: format must be 'keras-h5' or 'safetensors', got '${String(format)}'`);
  }
  const targets = targetsOf(encoder);
  const byKey = new Map(targets.map((t) => [t.key, t]));
  let sources: Map<string, Source>;
  let ignored: string[];
  let unexpected: string[] = [];
  const fileShapes = new Map<string, number[]>();
  if (format === 'keras-h5') {
    if (!hasHdf5Signature(bytes))
      throw new DepthblocksError(
        'WEIGHTS_FORMAT',
        `${where} is not an HDF5 file (no HDF5 signature); use format 'safetensors' for .safetensors files`,
      );
    const file = await readKerasH5(bytes);
    for (const l of file.layers) for (const w of l.weights) fileShapes.set(w.name, w.shape);
    ({ sources, ignored } = fromKeras(file, encoder, targets));
    unexpected = [...sources.keys()].filter((k) => !byKey.has(k)).map((k) => sources.get(k)!.source);
  } else {
    const { tensors } = readSafetensors(bytes, where);
    for (const [k, t] of tensors) fileShapes.set(k, t.shape);
    ({ sources, ignored, unexpected } = fromTorch(tensors, encoder, targets));
  }
  const report: LoadReport = { format, loaded: 0, missing: [], unexpected, misShaped: [], adapted: [], ignored };
  const assign: [Target, WeightTensor][] = [];
  for (const t of targets) {
    let s: WeightTensor | undefined = sources.get(t.key);
    if (!s) {
      report.missing.push(t.key);
      continue;
    }
    const expected = t.variable.shape as number[];
    const n = encoder.options.inChannels;
    if (t.layer === encoder.stemConv && t.short === 'kernel' && n !== 3 && s.shape.length === 4 && s.shape[2] === 3 && expected[2] === n) {
      s = adaptStemKernel(s, n);
      report.adapted.push(t.key);
    }
    if (s.shape.length !== expected.length || s.shape.some((d, i) => d !== expected[i])) {
      const src = sources.get(t.key)!;
      report.misShaped.push({ name: t.key, source: src.source, expected: [...expected], got: [...s.shape], fileShape: [...src.fileShape] });
      continue;
    }
    assign.push([t, s]);
  }
  if (strict && (report.missing.length || report.unexpected.length || report.misShaped.length)) {
    throw new DepthblocksError('WEIGHTS_MISMATCH', mismatchMessage(where, report, byKey, fileShapes), {
      missing: report.missing,
      unexpected: report.unexpected,
      misShaped: report.misShaped,
    });
  }
  for (const [t, s] of assign) {
    tf.tidy(() => {
      t.variable.write(tf.tensor(s.data, s.shape, 'float32'));
    });
  }
  report.loaded = assign.length;
  return report;
}
