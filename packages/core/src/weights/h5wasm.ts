/**
 * Loads h5wasm's Node build (h5wasm is ESM-only) from CommonJS, on first use. The node build reads and writes real
 * files, so a multi-gigabyte HDF5 file (NYU's .mat) is read slice by slice, never whole. (Weight files, which fit in
 * memory, go through ./h5wasm-memory, which also works in browsers.) HDF5 errors are thrown (their text
 * shortened by summariseHdf5Error) instead of printed to stderr.
 */

export type H5Module = any;

let loading: Promise<H5Module> | null = null;

/** The initialised h5wasm module (`File`, `Group`, `Dataset`, ...). */
export function loadH5wasm(): Promise<H5Module> {
  if (!loading) {
    loading = (async () => {
      const mod = await import('h5wasm/node');
      const h5 = (mod as any).default ?? mod;
      const emscripten = await h5.ready;
      emscripten.activate_throwing_error_handler?.();
      return h5;
    })();
  }
  return loading;
}
