/**
 * HDF5 files held in memory, through h5wasm's plain ESM build and its in-memory file system (MEMFS): works the
 * same in Node and in browser bundles (no `fs`, no paths), and is loaded lazily on first use. HDF5's own error
 * printing (pages of "HDF5-DIAG" lines on stderr) is replaced by h5wasm's throwing error handler, so a rejected
 * file gives one DepthblocksError and nothing on stderr.
 *
 * (`h5wasm/node`, see ./h5wasm, stays for files too large to hold in memory, such as NYU's 2.8 GB .mat.)
 */
import { DepthblocksError } from '../errors';

/** The h5wasm module (`File`, `Group`, `Dataset`, ...); typed loosely, as h5wasm's types are ESM-only. */
export type H5wasmModule = any;

let loading: Promise<{ h5: H5wasmModule; fs: any }> | null = null;
let counter = 0;

/**
 * Emscripten's in-memory files grow by 12.5% at a time above 1 MB, reallocating and copying the whole file each
 * time, and shrink by reallocating: writing a 170 MB weight file copied about 1.5 GB (about 3x slower than
 * needed). Files of this module's instance double instead, and keep their storage when HDF5 truncates them.
 * (Emscripten's MEMFS object, reached through FS.filesystems; left alone if it is not there.)
 */
function growFilesGeometrically(fs: any): void {
  const memfs = fs?.filesystems?.MEMFS;
  if (!memfs || typeof memfs.expandFileStorage !== 'function' || typeof memfs.resizeFileStorage !== 'function') return;
  const expand = memfs.expandFileStorage;
  memfs.expandFileStorage = function (node: any, capacity: number) {
    const previous = node.contents ? node.contents.length : 0;
    return expand.call(this, node, previous >= capacity ? capacity : Math.max(capacity, 2 * previous));
  };
  const resize = memfs.resizeFileStorage;
  memfs.resizeFileStorage = function (node: any, size: number) {
    if (size > 0 && ArrayBuffer.isView(node.contents) && size <= node.contents.length) {
      if (size < node.usedBytes) node.contents.fill(0, size, node.usedBytes);
      node.usedBytes = size;
      return;
    }
    return resize.call(this, node, size);
  };
}

async function load(): Promise<{ h5: H5wasmModule; fs: any }> {
  if (!loading) {
    loading = (async () => {
      const mod = await import('h5wasm');
      const h5 = (mod as any).default ?? mod;
      const emscripten = await h5.ready;
      // HDF5 errors become exceptions carrying the diagnostic text instead of pages printed to stderr.
      emscripten.activate_throwing_error_handler();
      growFilesGeometrically(emscripten.FS);
      return { h5, fs: emscripten.FS };
    })();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

/**
 * The initialised in-memory h5wasm module, for code that builds HDF5 files itself (tests, fixtures).
 *
 * @example
 * const h5 = await loadH5wasmInMemory();
 * const bytes = await h5ToBytes((f) => f.create_dataset({ name: 'x', data: new Float32Array(4) }));
 */
export async function loadH5wasmInMemory(): Promise<H5wasmModule> {
  return (await load()).h5;
}

/** HDF5's diagnostic text reduced to its first and last lines ("H5Fopen(): unable to open file ... (file signature not found)"). */
export function summariseHdf5Error(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  if (!text.includes('HDF5-DIAG')) return text.split('\n')[0];
  const frames = [...text.matchAll(/#\d+: .*? in (\w+\(\)): (.*)/g)].map((m) => `${m[1]}: ${m[2].trim()}`);
  const minor = [...text.matchAll(/minor: (.*)/g)].map((m) => m[1].trim());
  const first = frames[0] ?? 'HDF5 error';
  const last = frames.length > 1 ? frames[frames.length - 1] : '';
  return [first, last, minor.length ? `(${minor[minor.length - 1]})` : ''].filter(Boolean).join('; ');
}

/**
 * Opens `bytes` as an HDF5 file (read-only) in memory and runs `fn` on it; the file is closed and removed
 * afterwards. HDF5 errors (a corrupt file) become `DepthblocksError('WEIGHTS_FORMAT')` naming `where`.
 *
 * @example
 * const names = await withH5Bytes(bytes, 'nyu.h5', (f) => f.keys()); // ['model_weights', 'optimizer_weights']
 */
export async function withH5Bytes<T>(bytes: Uint8Array, where: string, fn: (file: any, h5: H5wasmModule) => T): Promise<T> {
  const { h5, fs } = await load();
  const name = `/depthblocks-read-${++counter}.h5`;
  const stream = fs.open(name, 'w+');
  try {
    // canOwn: MEMFS keeps a view of the caller's bytes instead of copying them (a weight file can be 170 MB)
    fs.write(stream, bytes, 0, bytes.byteLength, 0, true);
  } finally {
    fs.close(stream);
  }
  let file: any;
  try {
    try {
      file = new h5.File(name, 'r');
    } catch (e) {
      throw new DepthblocksError(
        'WEIGHTS_FORMAT',
        `${where} is not a readable HDF5 file: ${summariseHdf5Error(e)}. Download it again (it may be truncated) or check that it is an .h5 file`,
      );
    }
    try {
      return fn(file, h5);
    } catch (e) {
      if (e instanceof DepthblocksError) throw e;
      throw new DepthblocksError('WEIGHTS_FORMAT', `Could not read ${where}: ${summariseHdf5Error(e)}`);
    }
  } finally {
    try {
      file?.close();
    } catch {
      /* a file HDF5 could not parse may not close cleanly; it is removed below either way */
    }
    fs.unlink(name);
  }
}

/**
 * Creates an HDF5 file in memory, lets `fn` fill it, and returns the file's bytes.
 *
 * @example
 * const bytes = await h5ToBytes((f) => f.create_attribute('backend', 'tensorflow'));
 */
export async function h5ToBytes(fn: (file: any, h5: H5wasmModule) => void): Promise<Uint8Array> {
  const { h5, fs } = await load();
  const name = `/depthblocks-write-${++counter}.h5`;
  try {
    const file = new h5.File(name, 'w');
    try {
      fn(file, h5);
    } finally {
      file.close();
    }
    return fs.readFile(name) as Uint8Array;
  } catch (e) {
    if (e instanceof DepthblocksError) throw e;
    throw new DepthblocksError('WEIGHTS_FORMAT', `Could not write the HDF5 file: ${summariseHdf5Error(e)}`);
  } finally {
    if (fs.analyzePath(name).exists) fs.unlink(name);
  }
}
