/**
 * What `npm publish` would ship, read from `npm pack --dry-run --json`: no build info, source maps whose sources
 * ship too, the entry points that package.json's `exports` names (a `node` entry exactly where src/node.ts
 * exists), absolute README links, `^` ranges between the packages, and dependencies that match what each package
 * does (no sharp outside the CLI, no h5wasm for core's users, models without datasets).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { publishedPackages, root, sh } from './helpers';

const packages = publishedPackages();
const packed: Map<string, string[]> = new Map();

beforeAll(() => {
  const out = sh(
    'npm',
    ['pack', '--dry-run', '--json', '--ignore-scripts', ...packages.map((p) => `--workspace=${path.relative(root, p.dir)}`)],
    {
      cwd: root,
    },
  );
  for (const p of JSON.parse(out) as { name: string; files: { path: string }[] }[])
    packed.set(
      p.name,
      p.files.map((f) => f.path),
    );
});

describe.each(packages.map((p) => [p.name, p] as const))('%s', (name, pkg) => {
  const files = (): string[] => packed.get(name)!;

  test('ships no build info, and every source map finds its sources in the tarball', () => {
    expect(files().filter((f) => /tsbuildinfo/.test(f))).toEqual([]);
    const maps = files().filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const unresolved: string[] = [];
    for (const map of maps) {
      const json = JSON.parse(fs.readFileSync(path.join(pkg.dir, map), 'utf8'));
      json.sources.forEach((source: string, i: number) => {
        if (json.sourcesContent?.[i] != null) return;
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(map), json.sourceRoot ?? '', source));
        if (!files().includes(target)) unresolved.push(`${map} -> ${source}`);
      });
    }
    expect(unresolved).toEqual([]);
  });

  test('exports: a node entry exactly where src/node.ts exists, the portable one for browser and default, all shipped', () => {
    const hasNode = fs.existsSync(path.join(pkg.dir, 'src/node.ts'));
    const dot = pkg.manifest.exports['.'];
    if (hasNode) {
      expect(dot.node).toEqual({ types: './dist/node.d.ts', default: './dist/node.js' });
      expect(dot.browser).toBe('./dist/index.js');
      expect(Object.keys(dot)[0]).toBe('node'); // conditions match in order: node before default
    } else {
      expect(dot.node).toBeUndefined();
    }
    expect(dot.types).toBe('./dist/index.d.ts');
    expect(dot.default).toBe('./dist/index.js');
    const named = [pkg.manifest.main, pkg.manifest.types, ...JSON.stringify(pkg.manifest.exports).match(/\.\/dist\/[^"]+/g)!];
    for (const f of named) expect(files()).toContain(path.posix.normalize(f));
  });

  test('README links are absolute (they must work on npmjs.com)', () => {
    expect(files()).toContain('README.md');
    const readme = fs.readFileSync(path.join(pkg.dir, 'README.md'), 'utf8').replace(/```[\s\S]*?```/g, '');
    const targets = [...readme.matchAll(/\]\(([^)\s]+)[^)]*\)/g)].map((m) => m[1]);
    expect(targets.filter((t) => !/^(https?:|mailto:|#)/.test(t))).toEqual([]);
  });

  test('depends on the other packages with ^ ranges', () => {
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
      for (const [dep, range] of Object.entries<string>(pkg.manifest[field] ?? {})) {
        if (dep.startsWith('@depthblocks/')) expect(`${dep}@${range}`).toMatch(/@\^\d+\.\d+\.\d+$/);
      }
    }
  });
});

test('dependencies match what each package does', () => {
  const deps = (name: string): Record<string, string> => packages.find((p) => p.name === name)!.manifest.dependencies ?? {};
  for (const p of packages) if (p.name !== '@depthblocks/cli') expect([p.name, deps(p.name).sharp]).toEqual([p.name, undefined]);
  expect(deps('@depthblocks/core').h5wasm).toBeUndefined();
  expect(deps('@depthblocks/models')['@depthblocks/datasets']).toBeUndefined();
  const datasets = packages.find((p) => p.name === '@depthblocks/datasets')!.manifest;
  expect(datasets.peerDependenciesMeta?.sharp?.optional).toBe(true);
  // models renders figures to PNG with sharp only when asked (Node entry): an optional peer too
  const models = packages.find((p) => p.name === '@depthblocks/models')!.manifest;
  expect(models.peerDependenciesMeta?.sharp?.optional).toBe(true);
});

test('release builds from clean: clean removes every dist/ and build info (kept sources), then a build without the cache', () => {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  expect(scripts.release).toMatch(/^npm run clean && .*run build --force && changeset publish$/);
  expect(scripts.clean).toBe('node scripts/clean.js');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-clean-'));
  try {
    fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ workspaces: ['packages/*', 'examples'] }));
    for (const d of ['packages/a', 'packages/b', 'examples']) {
      fs.mkdirSync(path.join(tmp, d, 'dist/sub'), { recursive: true });
      fs.mkdirSync(path.join(tmp, d, 'src'), { recursive: true });
      fs.writeFileSync(path.join(tmp, d, 'dist/sub/x.js'), '');
      fs.writeFileSync(path.join(tmp, d, 'tsconfig.tsbuildinfo'), '{}');
      fs.writeFileSync(path.join(tmp, d, 'src/x.ts'), '');
    }
    const { clean } = require(path.join(root, 'scripts/clean.js'));
    expect(clean(tmp).sort()).toEqual(['examples', 'packages/a', 'packages/b']);
    for (const d of ['packages/a', 'packages/b', 'examples']) {
      expect(fs.readdirSync(path.join(tmp, d))).toEqual(['src']);
      expect(fs.existsSync(path.join(tmp, d, 'src/x.ts'))).toBe(true);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
