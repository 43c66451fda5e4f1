/**
 * The portable entry points bundle for browsers: esbuild (`--bundle --platform=browser`, no plugins, no stubs)
 * of @depthblocks/backend's and @depthblocks/core's src/index.ts must succeed, and nothing Node-only may be in
 * the bundle. package.json sends browsers (and bundlers) to that entry point and Node to the Node one.
 */
import * as path from 'path';
import { bundleForBrowser } from './browser/harness';

const root = path.resolve(__dirname, '../../..');

test.each(['backend', 'core'])(
  '@depthblocks/%s bundles for the browser with no Node built-ins',
  async (pkg) => {
    let result: Awaited<ReturnType<typeof bundleForBrowser>>;
    try {
      result = await bundleForBrowser(path.join(root, 'packages', pkg, 'src', 'index.ts'));
    } catch (e) {
      const errors = (e as { errors?: { text: string; location?: { file: string } }[] }).errors ?? [];
      throw new Error(`esbuild failed:\n${errors.map((m) => `${m.location?.file ?? ''}: ${m.text}`).join('\n') || String(e)}`);
    }
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((f) => f.includes('packages/')).length).toBeGreaterThan(3);
    // the Node side stays out: Node entry points, threads through worker files, native backends, files (Keras .h5 by
    // path and h5wasm's Node build; .h5 from bytes, weights/keras-h5.ts with h5wasm's in-memory build, is portable)
    expect(
      inputs.filter((f) =>
        /packages\/[a-z]+\/src\/(node|platform-node|wasm-threads-node)\.ts$|keras-h5-files\.ts$|weights\/h5wasm\.ts$|h5wasm\/dist\/node|tfjs-node/.test(
          f,
        ),
      ),
    ).toEqual([]);
  },
  60_000,
);

test.each(['backend', 'core'])('@depthblocks/%s: browsers get dist/index.js, Node gets dist/node.js', (pkg) => {
  const exp = require(path.join(root, 'packages', pkg, 'package.json')).exports['.'];
  expect(exp.browser).toBe('./dist/index.js');
  expect(exp.default).toBe('./dist/index.js');
  expect(exp.node.default).toBe('./dist/node.js');
  expect(Object.keys(exp)[0]).toBe('node'); // conditions match in order
});
