/**
 * Runs the monorepo's TypeScript sources directly in Node (no build): `node -r ./scripts/ts-hook.js file.ts`.
 * Compiles .ts files with swc on require and resolves `@depthblocks/<pkg>` to packages/<pkg>/src (node.ts, what
 * Node's `node` export condition picks, where a package has one; else index.ts).
 * Used by tests that spawn child processes; users run the built packages instead.
 */
const fs = require('fs');
const path = require('path');
const Module = require('module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '..');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const m = /^@depthblocks\/([a-z-]+)$/.exec(request);
  if (m) {
    for (const file of ['node.ts', 'index.ts']) {
      const src = path.join(root, 'packages', m[1], 'src', file);
      if (fs.existsSync(src)) return src;
    }
  }
  if (request.startsWith('.') && parent && parent.filename && parent.filename.endsWith('.ts')) {
    for (const ext of ['.ts', '/index.ts']) {
      const p = path.resolve(path.dirname(parent.filename), request + ext);
      if (fs.existsSync(p)) return p;
    }
  }
  return resolve.call(this, request, parent, ...rest);
};
require.extensions['.ts'] = function (module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs', ignoreDynamic: true },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
