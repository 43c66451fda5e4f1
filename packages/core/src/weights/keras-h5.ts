/**
 * Keras HDF5 weight files, read from and written to bytes (portable: Node and browsers, through h5wasm's
 * in-memory build).
 *
 * Layouts read:
 * - Keras 2 `model.save()`: root attributes `keras_version`, `backend`, `model_config` (JSON), a `model_weights`
 *   group with the weights, and optionally `training_config` and an `optimizer_weights` group (ignored);
 * - Keras 2 `model.save_weights()` and the Keras applications' `*_notop.h5`: the same weights at the root.
 *   The root (or `model_weights`) lists every layer in `layer_names`, each layer group lists its datasets in
 *   `weight_names`, by path relative to the group (group `conv1/conv` holds `conv1/conv/kernel:0`, so the
 *   dataset sits at `conv1/conv/conv1/conv/kernel:0`); layers without weights have an empty list. Name lists
 *   may be fixed-length (h5py's bytes) or variable-length strings, and Keras splits lists longer than 64 KB
 *   into `layer_names0`, `layer_names1`, ...;
 * - Keras 3 `.weights.h5`: `layers/<name>/vars/<i>`.
 */
import { DepthblocksError } from '../errors';
import { h5ToBytes, withH5Bytes } from './h5wasm-memory';
import { hasHdf5Signature } from './hdf5-signature';
import type { WeightTensor } from './types';

/** One named weight of a layer, e.g. `conv1/conv/kernel:0`. */
export interface KerasWeight extends WeightTensor {
  name: string;
}

/** A layer's weights in file order. */
export interface KerasLayerWeights {
  name: string;
  weights: KerasWeight[];
}

/** What {@link parseKerasH5} found. */
export interface KerasH5File {
  format: 'keras2' | 'keras3';
  /** 'model': a `model.save()` file (weights under `model_weights`); 'weights': `save_weights()` (at the root). */
  layout: 'model' | 'weights';
  /** Every listed layer, weightless ones included (empty `weights`), in file order. */
  layers: KerasLayerWeights[];
  /** Root attributes such as keras_version and backend (and the weights group's, for a full model). */
  attrs: Record<string, unknown>;
  /** The parsed `model_config` JSON of a full-model file. */
  modelConfig?: unknown;
}

const decoder = new TextDecoder();

function asStrings(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return v.length ? [v] : [];
  if (v instanceof Uint8Array) return [decoder.decode(v)].filter((s) => s.length > 0);
  if (ArrayBuffer.isView(v)) return []; // an empty numeric array: h5py stores Keras' empty `weight_names` list as float64[0]
  if (!Array.isArray(v)) return [String(v)];
  return v.map((s) => (typeof s === 'string' ? s : s instanceof Uint8Array ? decoder.decode(s) : String(s))).filter((s) => s.length > 0);
}

/** A name list attribute, also when Keras split it into `<name>0`, `<name>1`, ... (lists over 64 KB). */
function nameList(node: any, name: string): string[] | null {
  const attrs = node.attrs as Record<string, { value: unknown }>;
  if (name in attrs) return asStrings(attrs[name].value);
  if (!(`${name}0` in attrs)) return null;
  const out: string[] = [];
  for (let i = 0; `${name}${i}` in attrs; i++) out.push(...asStrings(attrs[`${name}${i}`].value));
  return out;
}

function toFloat32(value: unknown, where: string): Float32Array {
  if (value instanceof Float32Array) return value;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Float32Array.from(value as unknown as ArrayLike<number | bigint>, (x) => Number(x));
  }
  if (typeof value === 'number') return Float32Array.of(value);
  throw new DepthblocksError('WEIGHTS_FORMAT', `Dataset ${where} is not numeric`);
}

function readDataset(d: any, where: string): WeightTensor {
  let value: unknown;
  try {
    value = d.value;
  } catch (e) {
    throw new DepthblocksError(
      'WEIGHTS_FORMAT',
      `Dataset ${where} cannot be read (${(e as Error).message}); depthblocks reads float32, float64 and integer weights`,
    );
  }
  return { shape: [...(d.shape ?? [])].map(Number), data: toFloat32(value, where) };
}

function readAttrs(node: any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, a] of Object.entries(node.attrs as Record<string, any>)) {
    if (k === 'model_config' || k === 'training_config' || /^(layer|weight)_names\d*$/.test(k)) continue;
    try {
      const v = a.value;
      out[k] = Array.isArray(v) && v.length === 1 ? v[0] : v;
    } catch {
      /* unreadable attribute types are skipped */
    }
  }
  return out;
}

function parseJsonAttr(node: any, name: string, where: string): unknown {
  const a = (node.attrs as Record<string, any>)[name];
  if (!a) return undefined;
  const [text] = asStrings(a.value);
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DepthblocksError('WEIGHTS_FORMAT', `${where}: the '${name}' attribute is not valid JSON (${(e as Error).message})`);
  }
}

function readKeras2(f: any, h5: any, where: string): KerasH5File | null {
  const isModel = f.keys().includes('model_weights');
  const root = isModel ? f.get('model_weights') : f;
  const layerNames = nameList(root, 'layer_names');
  if (layerNames === null) return null;
  const layers: KerasLayerWeights[] = [];
  for (const name of layerNames) {
    const g = root.get(name);
    if (!(g instanceof h5.Group)) {
      throw new DepthblocksError('WEIGHTS_FORMAT', `Keras file ${where} lists layer '${name}' but has no group for it`);
    }
    const weights = (nameList(g, 'weight_names') ?? []).map((wn) => {
      const d = g.get(wn);
      if (!(d instanceof h5.Dataset)) {
        throw new DepthblocksError('WEIGHTS_FORMAT', `Keras file ${where}: layer '${name}' lists weight '${wn}' but has no such dataset`);
      }
      return { name: wn, ...readDataset(d, `${name}/${wn}`) };
    });
    layers.push({ name, weights });
  }
  const attrs = { ...readAttrs(f), ...(isModel ? readAttrs(root) : {}) };
  const modelConfig = isModel ? parseJsonAttr(f, 'model_config', where) : undefined;
  return { format: 'keras2', layout: isModel ? 'model' : 'weights', layers, attrs, ...(modelConfig !== undefined ? { modelConfig } : {}) };
}

function readKeras3(f: any, h5: any): KerasH5File | null {
  const top = f.keys().includes('layers') ? f.get('layers') : null;
  if (!(top instanceof h5.Group)) return null;
  const layers: KerasLayerWeights[] = [];
  const walk = (g: any, prefix: string): void => {
    for (const key of g.keys()) {
      const e = g.get(key);
      if (!(e instanceof h5.Group)) continue;
      const name = prefix ? `${prefix}/${key}` : key;
      const vars = e.keys().includes('vars') ? e.get('vars') : null;
      if (vars && vars.keys().length > 0) {
        const keys = vars.keys().sort((a: string, b: string) => Number(a) - Number(b));
        layers.push({
          name,
          weights: keys.map((k: string) => ({ name: `${name}/vars/${k}`, ...readDataset(vars.get(k), `${name}/vars/${k}`) })),
        });
      }
      walk(e, name);
    }
  };
  walk(top, '');
  return { format: 'keras3', layout: 'weights', layers, attrs: readAttrs(f) };
}

/**
 * Reads every layer's weights from the bytes of a Keras .h5 file (any layout above). Throws
 * `DepthblocksError('WEIGHTS_FORMAT')` for bytes that are not HDF5 or not a Keras weight file, without
 * printing HDF5 diagnostics.
 *
 * @example
 * const file = await parseKerasH5(new Uint8Array(await (await fetch(url)).arrayBuffer()), url);
 * file.layers.find((l) => l.name === 'conv1/conv')!.weights[0].name; // 'conv1/conv/kernel:0'
 */
export async function parseKerasH5(bytes: Uint8Array, where = 'buffer'): Promise<KerasH5File> {
  if (!hasHdf5Signature(bytes)) {
    throw new DepthblocksError(
      'WEIGHTS_FORMAT',
      `${where} is not an HDF5 file (no HDF5 signature). Keras weights are .h5 files written by model.save() or model.save_weights().`,
    );
  }
  return withH5Bytes(bytes, where, (f, h5) => {
    const found = readKeras2(f, h5, where) ?? readKeras3(f, h5);
    if (found) return found;
    throw new DepthblocksError(
      'WEIGHTS_FORMAT',
      `${where} is HDF5 but not a Keras weight file: no 'layer_names' attribute (at the root or in 'model_weights') and no 'layers' group`,
    );
  });
}

/** Options of {@link encodeKerasH5}. */
export interface EncodeKerasH5Options {
  /** 'weights' (default): `save_weights()`, layers at the root; 'model': under a `model_weights` group, as `model.save()` puts them. */
  layout?: 'weights' | 'model';
  /** With layout 'model': the root `model_config` attribute (an object is stored as JSON). */
  modelConfig?: unknown;
  /** Root `keras_version` attribute (default '2.15.0'). */
  kerasVersion?: string;
  /** Root `backend` attribute (default 'tensorflow'). */
  backend?: string;
  /** More root attributes, stored as fixed-length strings (Keras ignores attributes it does not know). */
  extraAttributes?: Record<string, string>;
}

const utf8 = new TextEncoder();
/** h5py's dtype for a list of Python bytes: fixed-length strings as long as the longest (at least 1). */
const fixedType = (names: string[]): string => `S${Math.max(1, ...names.map((n) => utf8.encode(n).length))}`;

/** A scalar fixed-length string attribute, as h5py writes `attrs[k] = 'text'.encode('utf8')` (Keras reads it with `.decode`). */
function bytesAttr(node: any, name: string, text: string): void {
  node.create_attribute(name, text, null, fixedType([text]));
}

function ensureGroup(parent: any, groupPath: string): any {
  let g = parent;
  for (const part of groupPath.split('/')) g = g.keys().includes(part) ? g.get(part) : g.create_group(part);
  return g;
}

/**
 * Writes layers as Keras 2 stores them (fixed-length byte-string name lists, nested weight paths, weightless
 * layers with an empty `weight_names`), so Keras' `load_weights(..., by_name=True)` reads the file, and returns
 * the file's bytes.
 *
 * @example
 * const bytes = await encodeKerasH5([{ name: 'conv1/conv', weights: [{ name: 'conv1/conv/kernel:0', shape: [7, 7, 3, 64], data }] }]);
 */
export async function encodeKerasH5(layers: KerasLayerWeights[], options: EncodeKerasH5Options = {}): Promise<Uint8Array> {
  const seen = new Set<string>();
  for (const l of layers) {
    if (seen.has(l.name)) throw new DepthblocksError('INVALID_ARGUMENT', `encodeKerasH5: layer name '${l.name}' appears twice`);
    seen.add(l.name);
    for (const w of l.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      if (n !== w.data.length) {
        throw new DepthblocksError(
          'SHAPE_MISMATCH',
          `encodeKerasH5: weight '${w.name}' has shape [${w.shape}] (${n} values) but ${w.data.length} values`,
        );
      }
    }
  }
  return h5ToBytes((f) => {
    const version = options.kerasVersion ?? '2.15.0';
    const backend = options.backend ?? 'tensorflow';
    bytesAttr(f, 'keras_version', version);
    bytesAttr(f, 'backend', backend);
    for (const [k, v] of Object.entries(options.extraAttributes ?? {})) bytesAttr(f, k, v);
    let root = f;
    if (options.layout === 'model') {
      if (options.modelConfig !== undefined) {
        const json = typeof options.modelConfig === 'string' ? options.modelConfig : JSON.stringify(options.modelConfig);
        bytesAttr(f, 'model_config', json);
      }
      root = f.create_group('model_weights');
      bytesAttr(root, 'keras_version', version);
      bytesAttr(root, 'backend', backend);
    }
    const layerNames = layers.map((l) => l.name);
    root.create_attribute('layer_names', layerNames, [layerNames.length], fixedType(layerNames));
    for (const layer of layers) {
      const g = ensureGroup(root, layer.name);
      const names = layer.weights.map((w) => w.name);
      g.create_attribute('weight_names', names, [names.length], fixedType(names));
      for (const w of layer.weights) {
        const parts = w.name.split('/');
        const parent = parts.length > 1 ? ensureGroup(g, parts.slice(0, -1).join('/')) : g;
        parent.create_dataset({ name: parts[parts.length - 1], data: w.data, shape: w.shape, dtype: '<f4' });
      }
    }
  });
}
