/**
 * Keras HDF5 weight files (`model.save_weights('x.h5')`, the Keras applications' `*_notop.h5`, and full
 * models' `model_weights` group): root attribute `layer_names`; one group per layer whose attribute
 * `weight_names` lists datasets by path relative to that group (e.g. group `conv1/conv` holds
 * `conv1/conv/kernel:0`). Keras 3 `.weights.h5` files (`layers/<name>/vars/<i>`) are read too.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DepthblocksError } from '../errors';
import { loadH5wasm } from './h5wasm';
import { HDF5_SIGNATURE, superblockOffsets } from './hdf5-signature';
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

export interface KerasH5File {
  format: 'keras2' | 'keras3';
  layers: KerasLayerWeights[];
  /** Root attributes such as keras_version and backend. */
  attrs: Record<string, unknown>;
}

function asStrings(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.map((s) => (typeof s === 'string' ? s : new TextDecoder().decode(s as Uint8Array))).filter((s) => s.length > 0);
}

function toFloat32(value: unknown, where: string): Float32Array {
  if (value instanceof Float32Array) return value;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Float32Array.from(value as unknown as ArrayLike<number | bigint>, (x) => Number(x));
  }
  if (typeof value === 'number') return Float32Array.of(value);
  throw new DepthblocksError('WEIGHTS_FORMAT', `Dataset ${where} is not numeric`);
}

function readAttrs(node: any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, a] of Object.entries(node.attrs as Record<string, any>)) {
    try {
      out[k] = a.value;
    } catch {
      /* unreadable attribute types are skipped */
    }
  }
  return out;
}

/** True when the file has the HDF5 signature at offset 0 or at a user-block offset, as MATLAB v7.3 files do. */
export function isHdf5File(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = new Uint8Array(8);
    for (const off of superblockOffsets()) {
      if (fs.readSync(fd, buf, 0, 8, off) < 8) return false;
      if (HDF5_SIGNATURE.every((b, i) => buf[i] === b)) return true;
    }
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

async function withFile<T>(source: string | Uint8Array, fn: (f: any, h5: any) => T): Promise<T> {
  const h5 = await loadH5wasm();
  let file = typeof source === 'string' ? source : '';
  let tmp: string | null = null;
  if (typeof source !== 'string') {
    tmp = path.join(os.tmpdir(), `depthblocks-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.h5`);
    fs.writeFileSync(tmp, source);
    file = tmp;
  } else if (!fs.existsSync(file)) {
    throw new DepthblocksError('FILE_NOT_FOUND', `Weight file not found: ${file}`);
  }
  const label = typeof source === 'string' ? source : 'buffer';
  if (!isHdf5File(file)) {
    if (tmp) fs.rmSync(tmp, { force: true });
    throw new DepthblocksError(
      'WEIGHTS_FORMAT',
      `Not an HDF5 file (no HDF5 signature): ${label}. Keras weights are .h5 files written by model.save_weights().`,
    );
  }
  let f: any;
  try {
    f = new h5.File(file, 'r');
  } catch (e) {
    if (tmp) fs.rmSync(tmp, { force: true });
    throw new DepthblocksError(
      'WEIGHTS_FORMAT',
      `Not a readable HDF5 file: ${typeof source === 'string' ? source : 'buffer'} (${(e as Error).message})`,
    );
  }
  try {
    if (f.file_id !== undefined && f.file_id < 0n) throw new Error('h5wasm could not open the file');
    return fn(f, h5);
  } catch (e) {
    if (e instanceof DepthblocksError) throw e;
    throw new DepthblocksError('WEIGHTS_FORMAT', `Could not read ${label} as a Keras weight file: ${(e as Error).message}`);
  } finally {
    f.close();
    if (tmp) fs.rmSync(tmp, { force: true });
  }
}

/**
 * Reads every layer's weights from a Keras .h5 file (path or bytes).
 *
 * @example
 * const { layers } = await readKerasH5('densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5');
 * layers[0].weights[0].name; // 'conv1/conv/kernel:0'
 */
export async function readKerasH5(source: string | Uint8Array): Promise<KerasH5File> {
  const where = typeof source === 'string' ? source : 'buffer';
  return withFile(source, (f, h5) => {
    const root = f.keys().includes('model_weights') ? f.get('model_weights') : f;
    const attrs = { ...readAttrs(f), ...(root === f ? {} : readAttrs(root)) };
    const layerNames = asStrings(root.attrs?.layer_names?.value);
    const layers: KerasLayerWeights[] = [];
    if (layerNames.length > 0) {
      for (const name of layerNames) {
        const g = root.get(name);
        if (!g) throw new DepthblocksError('WEIGHTS_FORMAT', `Keras file ${where} lists layer '${name}' but has no group for it`);
        const weightNames = asStrings(g.attrs?.weight_names?.value);
        const weights = weightNames.map((wn) => {
          const d = g.get(wn);
          if (!d || !(d instanceof h5.Dataset))
            throw new DepthblocksError(
              'WEIGHTS_FORMAT',
              `Keras file ${where}: layer '${name}' lists weight '${wn}' but has no such dataset`,
            );
          return { name: wn, shape: [...d.shape].map(Number), data: toFloat32(d.value, `${name}/${wn}`) };
        });
        layers.push({ name, weights });
      }
      return { format: 'keras2', layers, attrs };
    }
    const l3 = f.get('layers');
    if (l3 instanceof h5.Group) {
      const walk = (g: any, prefix: string): void => {
        for (const key of g.keys()) {
          const e = g.get(key);
          if (!(e instanceof h5.Group)) continue;
          const vars = e.keys().includes('vars') ? e.get('vars') : null;
          const name = prefix ? `${prefix}/${key}` : key;
          if (vars && vars.keys().length > 0) {
            const keys = vars.keys().sort((a: string, b: string) => Number(a) - Number(b));
            layers.push({
              name,
              weights: keys.map((k: string) => {
                const d = vars.get(k);
                return { name: `${name}/vars/${k}`, shape: [...d.shape].map(Number), data: toFloat32(d.value, `${name}/vars/${k}`) };
              }),
            });
          }
          walk(e, name);
        }
      };
      walk(l3, '');
      return { format: 'keras3', layers, attrs };
    }
    throw new DepthblocksError(
      'WEIGHTS_FORMAT',
      `${where} is HDF5 but not a Keras weight file: no 'layer_names' attribute and no 'layers' group`,
    );
  });
}

export interface WriteKerasH5Options {
  /** Put the layers under a `model_weights` group, as a full-model save does. Default false (save_weights layout). */
  modelWeights?: boolean;
  kerasVersion?: string;
  backend?: string;
}

/**
 * Writes layers in the Keras 2 save_weights layout (layer_names / weight_names as fixed-length byte strings,
 * as h5py writes them).
 *
 * @example
 * await writeKerasH5('w.h5', [{ name: 'conv1/conv', weights: [{ name: 'conv1/conv/kernel:0', shape: [7, 7, 3, 64], data }] }]);
 */
export async function writeKerasH5(file: string, layers: KerasLayerWeights[], options: WriteKerasH5Options = {}): Promise<void> {
  const h5 = await loadH5wasm();
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const f = new h5.File(file, 'w');
  try {
    f.create_attribute('keras_version', options.kerasVersion ?? '2.15.0');
    f.create_attribute('backend', options.backend ?? 'tensorflow');
    const root = options.modelWeights ? f.create_group('model_weights') : f;
    const fixed = (names: string[]): string => `S${Math.max(1, ...names.map((n) => new TextEncoder().encode(n).length))}`;
    const layerNames = layers.map((l) => l.name);
    root.create_attribute('layer_names', layerNames, [layerNames.length], fixed(layerNames));
    for (const layer of layers) {
      const g = ensureGroup(root, layer.name);
      const wn = layer.weights.map((w) => w.name);
      if (wn.length) g.create_attribute('weight_names', wn, [wn.length], fixed(wn));
      else g.create_attribute('weight_names', new Uint8Array(0), [0], 'S1');
      for (const w of layer.weights) {
        const parts = w.name.split('/');
        const parent = parts.length > 1 ? ensureGroup(g, parts.slice(0, -1).join('/')) : g;
        parent.create_dataset({ name: parts[parts.length - 1], data: w.data, shape: w.shape, dtype: '<f4' });
      }
    }
  } finally {
    f.close();
  }
}

function ensureGroup(parent: any, groupPath: string): any {
  let g = parent;
  for (const part of groupPath.split('/')) {
    g = g.keys().includes(part) ? g.get(part) : g.create_group(part);
  }
  return g;
}
