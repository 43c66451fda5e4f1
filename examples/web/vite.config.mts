/**
 * The web app's build (vite 8: rolldown bundles, a dev server and a preview server).
 *
 * - `@depthblocks/*` are bundled from their TypeScript sources (each package's portable `src/index.ts`), so the app
 *   needs no `npm run build` first and tfjs is bundled once, as ES modules.
 * - Both servers send the COOP/COEP headers that make the page cross-origin isolated: wasm may then use threads.
 * - `base: './'`: the built `dist/` is plain files that work from any folder of any static host (threads there need
 *   the same two headers; `public/_headers` sets them on hosts that read that file).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const packages = path.resolve(here, '../../packages');

/** `@depthblocks/<name>` -> packages/<name>/src/index.ts, the entry point that runs in browsers. */
function sourceAliases(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(packages)) {
    const entry = path.join(packages, name, 'src', 'index.ts');
    if (fs.existsSync(entry)) out[`@depthblocks/${name}`] = entry;
  }
  return out;
}

/**
 * Keeps every depthblocks source module that is imported. The packages' `sideEffects` lists name their built
 * files (`./dist/unet.js`: modules that register a decoder, a loss term, a preset when imported); bundled from
 * `src/` nothing matches them, and the registrations would be dropped as unused.
 */
function keepRegistrations(): Plugin {
  const inPackages = (id: string): boolean => id.startsWith(packages + path.sep) && id.includes(`${path.sep}src${path.sep}`);
  return {
    name: 'depthblocks-keep-registrations',
    transform(code, id) {
      return inPackages(id) ? { code, map: null, moduleSideEffects: true } : null;
    },
  };
}

/** Cross-origin isolation (SharedArrayBuffer, so tfjs' wasm backend can use threads). */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here,
  base: './',
  resolve: { alias: sourceAliases() },
  plugins: [keepRegistrations()],
  worker: { format: 'es', plugins: () => [keepRegistrations()] },
  server: { host: '127.0.0.1', port: 5173, strictPort: false, headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', port: 4173, strictPort: false, headers: ISOLATION_HEADERS },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    // esbuild's minifier, not the default (oxc): tfjs-backend-wasm starts its threads by stringifying its threaded
    // module's factory into a Blob; oxc rewrites that factory's `typeof _scriptDir !== 'undefined'` guard into a
    // bare reference to a variable outside the string (ReferenceError in every wasm thread). esbuild keeps `typeof`.
    minify: 'esbuild',
    // the model code (tfjs, encoders, decoders) is one lazily loaded chunk of a few MB, on purpose
    chunkSizeWarningLimit: 8192,
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
});
