/**
 * turbo re-tests a package when a package it depends on changes, and it knows those dependencies only from
 * package.json. So every @depthblocks package that a package's tests (or sources) import must be declared there
 * (devDependencies for test-only use); otherwise a change to it would replay that package's tests from the cache.
 */
import * as fs from 'fs';
import * as path from 'path';
import { publishedPackages } from './helpers';

/**
 * Imports that cannot be declared: they would make a cycle in the package graph (backend depends on core). core's
 * tests set up the backend to exercise core's ops; a change to backend re-runs backend's own tests, not core's.
 */
const CYCLES = new Set(['@depthblocks/core -> @depthblocks/backend']);

function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : /\.(ts|js|cjs|mjs)$/.test(e.name) ? [p] : [];
  });
}

/** The @depthblocks packages a file imports (import/export from, require(), import()), comments excluded. */
function importsOf(file: string): string[] {
  const code = fs
    .readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');
  return [...code.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"](@depthblocks\/[a-z-]+)['"]/g)].map((m) => m[1]);
}

test('every @depthblocks package imported by a package or its tests is declared in its package.json', () => {
  const undeclared: string[] = [];
  for (const { name, dir, manifest } of publishedPackages()) {
    const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.devDependencies, ...manifest.peerDependencies }));
    const used = new Set([...tsFiles(path.join(dir, 'src')), ...tsFiles(path.join(dir, 'test'))].flatMap(importsOf));
    for (const u of used) if (u !== name && !declared.has(u) && !CYCLES.has(`${name} -> ${u}`)) undeclared.push(`${name} -> ${u}`);
  }
  expect(undeclared).toEqual([]);
});
